"""`make bench-scale` says, for every target of issue 19, its figure and PASS or MISS: the
ratios and verdicts it prints are computed right (no timing here: the figures are given)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(seconds: float | None, peak_mib: float = 100.0, timed_out: bool = False) -> dict:
    return {"seconds": seconds, "peak_mib": peak_mib, "timed_out": timed_out, "limit": 300}


def test_a_figure_at_or_under_its_target_passes(bench):
    assert bench.verdict(0.5, 0.5) == "PASS"
    assert bench.verdict(0.49, 0.5) == "PASS"
    assert bench.verdict(0.51, 0.5) == "MISS"
    assert bench.verdict(None, 0.5) == "n/a"


def test_a_ratio_needs_both_times(bench):
    assert bench.ratio(_run(3.0), _run(1.5)) == 2.0
    assert bench.ratio(_run(None, timed_out=True), _run(1.5)) is None
    assert bench.ratio(_run(3.0), None) is None


def test_sizes_are_read_with_their_suffixes(bench):
    assert bench.parse_sizes(["10k,100k"]) == [10_000, 100_000]
    assert bench.parse_sizes(["1M", "2500"]) == [1_000_000, 2_500]
    for bad in (["ten"], ["0"], [""], ["1G"]):
        with pytest.raises(argparse.ArgumentTypeError):
            bench.parse_sizes(bad)


def test_every_target_of_the_issue_is_judged_from_the_figures(bench):
    user = {
        "validate": _run(4.0, 900),
        "reason -o": _run(6.0, 1500),
        "query --all": _run(10.0, 1200),
        "query cq01 (later)": _run(1.0),
    }
    user["three commands"] = _run(20.0, 1500)
    report = {
        "cold_start": {"zonekg query cq01": _run(0.2), "python -c pass": _run(0.02)},
        "sizes": [
            {
                "size": 1_000_000,
                "user": user,
                "baselines": {
                    "pyoxigraph bulk_load": _run(4.0),
                    "pyrudof validate": _run(10.0),
                    "reasonable closure": _run(5.0),
                },
                "in_process": {"oxigraph": {"times": {"questions": 2.0, "questions (store)": 2.5}}},
            }
        ],
    }
    found = {t["what"]: (t["figure"], t["target"]) for t in bench.targets(report)}
    assert found == {
        "1M: validate + reason -o + query --all / floor": (5.0, 10),
        "1M: peak memory of the three commands": (1500 / 1024, 2),
        "1M: later query cq01 --data D / floor": (0.25, 0.5),
        "1M: questions on the reopened store / in memory": (1.25, 1.5),
        "1M: reason -o / reasonable": (1.2, 1),
        "1M: validate / pyrudof": (0.4, 0.5),
        "real graph: cold zonekg query cq01": (0.2, 0.15),
    }
    verdicts = {what: bench.verdict(*pair) for what, pair in found.items()}
    assert verdicts["1M: reason -o / reasonable"] == "MISS"
    assert verdicts["real graph: cold zonekg query cq01"] == "MISS"
    assert verdicts["1M: validate / pyrudof"] == "PASS"


def test_a_command_stopped_by_a_limit_gives_no_figure_to_judge(bench):
    stopped = _run(None, 900)
    user = {k: stopped for k in ("validate", "reason -o", "query --all", "query cq01 (later)")}
    user["three commands"] = stopped
    report = {
        "cold_start": {"zonekg query cq01": _run(0.1), "python -c pass": _run(0.02)},
        "sizes": [
            {
                "size": 100_000,
                "user": user,
                "baselines": {
                    "pyoxigraph bulk_load": _run(1.0),
                    "pyrudof validate": _run(1.0),
                    "reasonable closure": _run(1.0),
                },
                "in_process": {"oxigraph": {"times": {"questions": 2.0}}},
            }
        ],
    }
    judged = {t["what"]: bench.verdict(t["figure"], t["target"]) for t in bench.targets(report)}
    assert judged.pop("real graph: cold zonekg query cq01") == "PASS"
    assert set(judged.values()) == {"n/a"}
