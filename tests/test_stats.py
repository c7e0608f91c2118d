"""`zonekg stats` counts entities per class two ways, labelled (issue 21: it said 24
organisations where cq12 and the organisations table say 39, and nothing said why)."""

from __future__ import annotations

import os
import subprocess
import sys

from rdflib import RDF, Dataset, URIRef

from zonekg import api
from zonekg.core import paths
from zonekg.core.namespaces import ZK


def test_stats_with_subclasses_equals_cq12_per_class(kgs, engine):
    """cq12 counts a resource for its class and every superclass: so does 'with subclasses'."""
    s = api.stats(kgs[engine])
    with_subclasses = {c: every for c, _exactly, every in s.classes}
    answer = api.query(kgs[engine], "cq12")
    counted = {row[0].value: int(row[1].value) for row in answer.rows}
    assert counted[ZK + "Organization"] > 0
    for cls, n in counted.items():
        assert with_subclasses.get(cls) == n, cls


def test_stats_asserted_exactly_counts_the_class_as_the_files_type_it(kgs, engine):
    """The 'asserted exactly' column, against rdflib reading the data files themselves."""
    files = sorted(paths.DATA.glob("*.trig"))
    assert files
    data = Dataset()
    for file in files:
        data.parse(file, format="trig")
    typed: dict[str, set] = {}
    for s, _p, o, _g in data.quads((None, RDF.type, None, None)):
        typed.setdefault(str(o), set()).add(s)
    exactly = {c: n for c, n, _every in api.stats(kgs[engine]).classes}
    assert exactly[ZK + "Organization"] == len(typed[ZK + "Organization"])
    assert {c: n for c, n in exactly.items() if n} == {c: len(e) for c, e in typed.items()}
    everyone = {c: every for c, _n, every in api.stats(kgs[engine]).classes}
    organisations = {
        s
        for c in (ZK + "Organization", ZK + "Company", ZK + "GovernmentBody")
        for s in typed.get(c, ())
    }
    assert everyone[ZK + "Organization"] == len(organisations) > exactly[ZK + "Organization"]
    assert isinstance(next(iter(organisations)), URIRef)


def test_stats_labels_both_counts():
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "stats"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert done.returncode == 0, done.stderr
    assert "asserted exactly" in done.stdout and "with subclasses" in done.stdout
    row = next(line for line in done.stdout.splitlines() if "│ zk:Organization " in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    s = api.stats(api.load())
    expected = next((str(n), str(every)) for c, n, every in s.classes if c == ZK + "Organization")
    assert tuple(cells[1:]) == expected
