"""Case 11: `zonekg --timeout 5 stats --data mid/` (20k triples) ran 3 min 55 s: a
quadratic count (a FILTER EXISTS tried every derivation against every document), not
under the time limit.

The count now joins on the document (api/queries/stats-sources.rq) and stats runs in the bounded
worker like every other step.
"""

from __future__ import annotations

from safety_support import flat, run_cli

from zonekg import api
from zonekg.api import inspection
from zonekg.safety.screen import screen


def test_stats_of_20k_triples_finishes_under_the_time_limit(tmp_path):
    """No stopwatch here (speed is for benchmarks): the quadratic count needed minutes, so the
    command a user runs, under a time limit a linear count meets many times over, says whether
    it came back."""
    data = tmp_path / "mid"
    made = run_cli("generate", "--triples", "20000", "-o", str(data))
    assert made.returncode == 0, made.stderr
    kg = api.load([data])
    sources = api.answer(
        kg, screen(inspection.SOURCE_COUNTS, "stats"), default_graphs=list(kg.loaded.data_graphs)
    )
    assert len(sources.rows) > 10
    done = run_cli("--timeout", "60", "stats", "--data", str(data))
    assert done.returncode == 0, done.stderr


def test_stats_stops_at_the_time_limit(tmp_path, monkeypatch):
    data = tmp_path / "mid"
    assert run_cli("generate", "--triples", "2000", "-o", str(data)).returncode == 0
    done = run_cli("--timeout", "0.01", "stats", "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "time limit" in flat(done.stderr)


def test_the_counts_of_the_project_are_unchanged(kgs, engine):
    s = api.stats(kgs[engine])
    counts = {document: n for document, _label, n in s.sources}
    assert counts and all(n > 0 for n in counts.values())
    article = "https://w3id.org/zonekg/id/document/article-2020-11-19"
    assert counts[article] >= max(counts.values()) // 4
