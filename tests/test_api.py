"""The Python API does what the README says it does."""

from __future__ import annotations

import pytest

from zonekg.api import load, query, reason, validate
from zonekg.errors import LoadError, QueryError


def test_readme_example_runs():
    kg = load()
    assert validate(kg).conforms
    assert len(reason(kg)) > 0
    (row,) = query(kg, "cq04")
    assert row["totalInvestment"] == "21750000000"
    assert row["currency"] == "CNY"


def test_query_accepts_sparql_text():
    rows = query(load(), "SELECT ?n WHERE { zone:chengdu zk:totalArea/qudt:numericValue ?n }")
    assert rows == [{"n": "36.9"}]


def test_errors_are_typed():
    with pytest.raises(LoadError):
        load(["/nonexistent/file.ttl"])
    with pytest.raises(QueryError):
        query(load(), "cq99")


def test_inferred_triples_are_plain_rdf(kg, inferred):
    """owlrl derives literal-subject triples; reason() must not pass them on (export broke)."""
    from rdflib import Literal
    from rdflib.namespace import OWL

    assert len(inferred) > 0
    assert not [t for t in inferred if isinstance(t[0], Literal)]
    assert not [t for t in inferred if t[1] == OWL.sameAs and t[0] == t[2]]
