"""Case 4: `export -o data/zone.ttl` and `reason -o ontology/zonekg.ttl` overwrote the
sources with exit 0 (and validate still said Conforms).

Every writer asks safety/targets.py first: export -o, reason -o, run -o, diagram -o,
generate -o, export --table -o and --store folders.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli


@pytest.mark.parametrize(
    "args",
    [
        ["export", "-o", "data/zone.trig"],
        ["export", "-o", "data/new.ttl"],
        ["reason", "-o", "ontology/zonekg.ttl"],
        ["run", "-o", "queries/cq01-zone-areas.rq"],
        ["diagram", "zone", "-o", "ontology/zone.svg"],
        ["generate", "--triples", "10", "-o", "data"],
        ["export", "--table", "projects", "-o", "data/projects.csv"],
        ["query", "cq01", "--store", "data/store"],
        ["export", "-o", "README.md"],
        ["export", "-o", "src/zonekg/api/__init__.py"],
    ],
    ids=lambda args: " ".join(args),
)
def test_outputs_never_land_on_the_sources(args, unchanged_sources):
    done = run_cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to write here" in flat(done.stderr)


def test_an_output_on_an_input_of_the_run_is_refused(small_data):
    before = small_data.read_bytes()
    done = run_cli("export", "--data", str(small_data), "-o", str(small_data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "an input of this run" in flat(done.stderr)
    assert small_data.read_bytes() == before


def test_a_symlink_to_a_source_is_followed_and_refused(tmp_path, unchanged_sources):
    from safety_support import ROOT

    link = tmp_path / "out.trig"
    link.symlink_to(ROOT / "data" / "zone.trig")
    done = run_cli("export", "-o", str(link))
    assert done.returncode == 2, done.stdout + done.stderr


def test_writing_elsewhere_still_works(tmp_path):
    done = run_cli("export", "-o", str(tmp_path / "zone.ttl"))
    assert done.returncode == 0, done.stderr
    done = run_cli("export", "-o", str(tmp_path / "zone.ttl"))  # again, over its own output
    assert done.returncode == 0, done.stderr
