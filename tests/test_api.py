"""The Python API does what the README says it does, on every engine."""

from __future__ import annotations

import pytest

from zonekg import api
from zonekg.core.errors import LoadError, QueryError
from zonekg.core.render import csv_rows


def test_readme_example_runs(engine):
    kg = api.load(engine=engine)
    assert api.validate(kg).conforms
    assert api.reason(kg) > 0
    (row,) = csv_rows(api.query(kg, "cq04"))
    assert row["totalInvestment"] == "21750000000"
    assert row["currency"] == "CNY"


def test_query_accepts_sparql_text(kgs, engine):
    result = api.query(
        kgs[engine], "SELECT ?n WHERE { zone:chengdu zk:totalArea/qudt:numericValue ?n }"
    )
    assert csv_rows(result) == [{"n": "36.9"}]


def test_errors_are_typed():
    with pytest.raises(LoadError):
        api.load(["/nonexistent/file.ttl"])
    with pytest.raises(QueryError):
        api.query(api.load(), "cq99")


def test_inferred_triples_are_plain_rdf(kgs, engine):
    """owlrl derives literal-subject triples; reason() must not pass them on (export broke)."""
    import pyoxigraph as ox

    inferred = api.inferred(kgs[engine])
    assert len(inferred) > 0
    assert not [t for t in inferred if isinstance(t.subject, ox.Literal)]
    same = "http://www.w3.org/2002/07/owl#sameAs"
    assert not [t for t in inferred if t.predicate.value == same and t.subject == t.object]


def test_a_step_the_fast_engine_cannot_do_is_handed_over_with_a_note():
    kg = api.load(engine="oxigraph")
    report = api.validate(kg, inference="rdfs")
    assert report.conforms
    assert any("pySHACL" in note for note in kg.notes)


def test_separate_loads_of_the_same_inputs_reason_once(tmp_path, monkeypatch):
    """The closure is kept under the digest of the inputs and the reasoner, and read back."""
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path))
    first = api.load()
    count = api.reason(first)
    cached = list(tmp_path.glob("closure-*.nt"))
    assert len(cached) == 1
    second = api.load()
    calls = []
    monkeypatch.setattr(second.engine, "reason", lambda *a, **k: calls.append(a))
    assert api.reason(second) == count
    assert calls == []
    assert set(api.inferred(second)) == set(api.inferred(first))
