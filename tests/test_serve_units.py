"""Pieces of the server that need no server: TSV writing, query checks, argument checks."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result
from serve_support import ROOT

from zonekg.errors import QueryError
from zonekg.namespaces import GRAPH
from zonekg.query import tsv
from zonekg.web.sparql import check_query, choose_type, prepare, status_for
from zonekg.web.workers import Reply

OURS = {str(GRAPH["data/zone.ttl"]), str(GRAPH["inferred"])}


def test_tsv_round_trips_awkward_literals():
    a, b = Variable("a"), Variable("b")
    rows = [
        {a: URIRef("http://example.org/x"), b: Literal('tab\there\nnew "line" \\ end', lang="en")},
        {b: Literal("36.9", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))},
        {a: BNode("n1"), b: Literal("中日")},
    ]
    body = tsv([a, b], rows).encode("utf-8")
    assert body.decode().splitlines()[0] == "?a\t?b"
    assert len(body.decode().splitlines()) == 4  # line breaks inside literals are escaped
    parsed = list(Result.parse(io.BytesIO(body), format="tsv"))
    assert parsed[0][1] == rows[0][b] and parsed[0][0] == rows[0][a]
    assert parsed[1][0] is None and parsed[1][1] == rows[1][b]
    assert parsed[2][1] == Literal("中日")


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "updates are not allowed"),
        ("SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", 403, "SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 403, "not in this dataset"),
        ("SELECT * WHERE { ?s ?p }", 400, "syntax error"),
    ],
)
def test_refusals_are_classified(text, status, words):
    with pytest.raises(QueryError) as caught:
        check_query(text, OURS, [])
    assert status_for(caught.value) == status
    assert words in caught.value.message


def test_our_graphs_are_allowed_in_from_and_protocol():
    graph = sorted(OURS)[0]
    check_query(f"SELECT * FROM <{graph}> FROM NAMED <{graph}> WHERE {{ ?s ?p ?o }}", OURS, [graph])
    with pytest.raises(QueryError):
        check_query("SELECT * WHERE { ?s ?p ?o }", OURS, ["http://example.org/elsewhere"])


def test_prepare_picks_format_by_query_form():
    job = {"default": [], "named": [], "graphs": sorted(OURS), "accept": "text/turtle, */*;q=0.1"}
    _, media = prepare({**job, "query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert media == "text/turtle"
    _, media = prepare({**job, "query": "SELECT * WHERE { ?s ?p ?o }"})
    assert media == "application/sparql-results+json"  # text/turtle is not a results format
    refused = prepare({**job, "query": "ASK { ?s ?p ?o }", "accept": "text/csv"})
    assert isinstance(refused, Reply) and refused.status == 406


def test_format_parameter_names_the_choices():
    reply = choose_type(None, "yaml", ["text/csv", "application/sparql-results+json"])
    assert isinstance(reply, Reply) and reply.status == 400
    assert b"csv" in reply.body and b"json" in reply.body


@pytest.mark.parametrize("flag", [["--timeout", "0"], ["--max-rows", "-1"], ["--workers", "0"]])
def test_serve_refuses_bad_limits_with_exit_2(flag):
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "serve", "--port", "1", *flag],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "must be positive" in done.stderr
