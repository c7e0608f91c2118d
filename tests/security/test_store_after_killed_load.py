"""Case 3 (high): an on-disk store after a failed or killed load kept its old manifest and
was reused as if complete (validate --store: "Conforms: 0 data triples", exit 0).

The store drops its manifest before it changes and writes it last; on open it checks
the inputs' digest and every graph's size (engines/oxigraph/store.py). The kill -9
runs are in test_chaos.py; these are the same states made by hand.
"""

from __future__ import annotations

import json

import pytest
from safety_support import run_cli, run_python

# Slow: stores loaded, killed and loaded again in subprocesses.
pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(store) -> int:
    done = run_cli("query", "--text", COUNT, "--store", str(store), "--format", "csv")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def _manifest(store):
    return store / "zonekg-manifest.json"


def test_a_store_changed_behind_its_manifest_is_reloaded(tmp_path):
    store = tmp_path / "store"
    full = _count(store)
    assert full > 1000 and _manifest(store).is_file()
    # half the quads go, the manifest stays: what a killed load used to leave
    cut = run_python(
        "import sys, pyoxigraph as ox\n"
        "s = ox.Store(sys.argv[1])\n"
        "quads = list(s)\n"
        "for q in quads[: len(quads) // 2]: s.remove(q)\n"
        "s.flush()\n",
        [str(store)],
    )
    assert cut.returncode == 0, cut.stderr
    assert _count(store) == full


def test_a_store_without_its_manifest_is_never_trusted(tmp_path):
    store = tmp_path / "store"
    full = _count(store)
    _manifest(store).unlink()
    assert _count(store) == full
    assert _manifest(store).is_file()


def test_a_manifest_for_other_inputs_is_not_trusted(tmp_path):
    store = tmp_path / "store"
    full = _count(store)
    manifest = json.loads(_manifest(store).read_text())
    manifest["inputs"] = "0" * 64
    _manifest(store).write_text(json.dumps(manifest))
    assert _count(store) == full


def test_validate_on_a_reloaded_store_counts_the_data(tmp_path):
    store = tmp_path / "store"
    _count(store)
    _manifest(store).unlink()
    done = run_cli("validate", "--store", str(store))
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 data triples" not in done.stdout
