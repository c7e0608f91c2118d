"""Pieces of the server that need no server: TSV writing, query checks, argument checks."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import asdict

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result
from serve_support import ROOT

from zonekg.core.errors import QueryError
from zonekg.core.namespaces import GRAPH, INFERRED_GRAPH
from zonekg.core.render import to_tsv
from zonekg.core.results import SELECT, QueryResult
from zonekg.core.settings import Limits
from zonekg.web.protocol import (
    SERVER_LIMITS,
    Reply,
    check_query,
    choose_type,
    explain,
    prepare,
    status_for,
)
from zonekg.web.workers import execute, job_limits

OURS = {GRAPH + "data/zone.ttl", INFERRED_GRAPH}


def test_tsv_round_trips_awkward_literals():
    rows = [
        (
            ox.NamedNode("http://example.org/x"),
            ox.Literal('tab\there\nnew "line" \\ end', language="en"),
        ),
        (
            None,
            ox.Literal("36.9", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        (ox.BlankNode("n1"), ox.Literal("中日")),
    ]
    body = to_tsv(QueryResult(SELECT, ["a", "b"], rows)).encode("utf-8")
    assert body.decode().splitlines()[0] == "?a\t?b"
    assert len(body.decode().splitlines()) == 4  # line breaks inside literals are escaped
    parsed = list(Result.parse(io.BytesIO(body), format="tsv"))
    assert parsed[0][1] == Literal('tab\there\nnew "line" \\ end', lang="en")
    assert parsed[0][0] == URIRef("http://example.org/x")
    assert parsed[1][0] is None
    assert parsed[1][1] == Literal(
        "36.9", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    )
    assert parsed[2][0] == BNode("n1")
    assert parsed[2][1] == Literal("中日")


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "updates are not allowed"),
        ("SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", 403, "SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 403, "not in this dataset"),
        (
            "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
            403,
            "not in this dataset",
        ),
    ],
)
def test_refusals_are_classified(text, status, words):
    with pytest.raises(QueryError) as caught:
        check_query(text, OURS, [])
    assert status_for(caught.value) == status
    assert words in caught.value.message


def test_syntax_errors_are_left_to_the_engine_and_classified_400(kgs, engine):
    # The one screen lexes and refuses; it does not parse. A syntax error is found by
    # the engine's own parser in the worker, and reported as 400 with the user's position.
    query = "SELECT * WHERE {\n  ?s ?p }"
    job = {"query": query, "default": [], "named": [], "graphs": sorted(OURS), "accept": None}
    with pytest.raises(QueryError) as caught:
        execute(kgs[engine], job, 10)
    assert status_for(caught.value) == 400
    assert "syntax error" in caught.value.message
    assert caught.value.line == 2 and caught.value.column is not None
    assert explain(caught.value).startswith("line 2, column ")


def test_our_graphs_are_allowed_in_from_and_protocol():
    graph = sorted(OURS)[0]
    screened = check_query(
        f"SELECT * FROM <{graph}> FROM NAMED <{graph}> WHERE {{ ?s ?p ?o }}", OURS, [graph]
    )
    assert screened.form == "SELECT"
    with pytest.raises(QueryError) as caught:
        check_query("SELECT * WHERE { ?s ?p ?o }", OURS, ["http://example.org/elsewhere"])
    assert status_for(caught.value) == 403
    assert "not in this dataset" in caught.value.message


def test_prepare_picks_format_by_query_form():
    job = {"default": [], "named": [], "graphs": sorted(OURS), "accept": "text/turtle, */*;q=0.1"}
    prepared = prepare({**job, "query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert prepared.media_type == "text/turtle" and prepared.screened.form == "CONSTRUCT"
    prepared = prepare({**job, "query": "SELECT * WHERE { ?s ?p ?o }"})
    # text/turtle is not a results format
    assert prepared.media_type == "application/sparql-results+json"
    assert prepared.screened.form == "SELECT"
    refused = prepare({**job, "query": "ASK { ?s ?p ?o }", "accept": "text/csv"})
    assert isinstance(refused, Reply) and refused.status == 406


def test_each_query_job_runs_under_the_limits_it_carries():
    """The server passes Limits per request: two jobs, two limits (a field each of
    ``Limits``, as the job is JSON); a job without them has the server's."""
    job = {"default": [], "named": [], "graphs": sorted(OURS), "accept": None}
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert prepare({**job, "query": query}).screened.form == "SELECT"
    roomy = prepare({**job, "query": query, "limits": asdict(Limits(max_terms=100))})
    assert roomy.screened.form == "SELECT"
    tight = prepare({**job, "query": query, "limits": asdict(Limits(max_terms=10))})
    assert isinstance(tight, Reply) and tight.status == 400
    assert b"more than 10 terms" in tight.body
    assert job_limits({**job, "limits": asdict(Limits(timeout=3))}, SERVER_LIMITS).timeout == 3
    assert job_limits(job, SERVER_LIMITS) == SERVER_LIMITS


def test_prepare_takes_the_dataset_from_the_protocol_then_from_then_the_service():
    """The protocol's graphs, else the query's FROM / FROM NAMED (api.answer), else ours."""
    zone, inferred = GRAPH + "data/zone.ttl", INFERRED_GRAPH
    job = {"default": [], "named": [], "graphs": sorted(OURS), "accept": None}
    plain = prepare({**job, "query": "SELECT * WHERE { ?s ?p ?o }"})
    assert (plain.default, plain.named) == (None, None)  # the service's own
    assert not plain.screened.has_dataset
    query = (
        f"PREFIX g: <{GRAPH}data/>\n"
        f"SELECT * FROM g:zone.ttl FROM NAMED <{inferred}> WHERE {{ ?s ?p ?o }}"
    )
    clauses = prepare({**job, "query": query})
    assert (clauses.default, clauses.named) == (None, None)
    assert (clauses.screened.from_default, clauses.screened.from_named) == ([zone], [inferred])
    only_named = prepare({**job, "query": f"SELECT * from named <{zone}> WHERE {{ ?s ?p ?o }}"})
    assert (only_named.screened.from_default, only_named.screened.from_named) == ([], [zone])
    # the protocol's graphs override FROM and FROM NAMED (SPARQL 1.1 Protocol 2.1.4)
    overridden = prepare({**job, "query": query, "default": [inferred], "named": [zone]})
    assert (overridden.default, overridden.named) == ([inferred], [zone])
    only_default = prepare({**job, "query": query, "default": [inferred]})
    assert (only_default.default, only_default.named) == ([inferred], [])
    # a word FROM in a string or a variable is not a clause
    text = prepare({**job, "query": 'SELECT ?from WHERE { ?from ?p "FROM" }'})
    assert (text.default, text.named) == (None, None) and not text.screened.has_dataset


def test_format_parameter_is_a_hint_that_falls_back_to_accept():
    results = ["text/csv", "application/sparql-results+json"]
    assert choose_type("application/sparql-results+json", "yaml", results) == results[1]
    reply = choose_type("text/html", "yaml", results)
    assert isinstance(reply, Reply) and reply.status == 406
    assert b"csv" in reply.body and b"json" in reply.body


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        (["xml", "xml", "xml"], "application/rdf+xml"),  # SPARQLWrapper's default
        (["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
        (["n3"], "text/turtle"),
        (["turtle"], "text/turtle"),
        (["json-ld", "application/ld+json"], "application/ld+json"),
        (["nt"], "application/n-triples"),
        (["csv", "turtle"], "text/turtle"),  # the first hint that a graph can take
    ],
)
def test_format_names_for_graph_results(hints, expected):
    from zonekg.web.protocol import RDF_TYPES

    assert choose_type(None, hints, RDF_TYPES) == expected


def test_xml_means_results_xml_for_select_and_ask():
    from zonekg.web.protocol import ASK_TYPES, RESULT_TYPES

    assert choose_type(None, ["xml"], list(RESULT_TYPES)) == "application/sparql-results+xml"
    assert choose_type(None, ["json"], ASK_TYPES) == "application/sparql-results+json"


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
    assert f"Invalid value for '{flag[0]}'" in done.stderr and "range" in done.stderr
