"""Questions that travel: every competency question, its text sent unmodified, gives zonekg's
own answer (``zonekg query NAME``) in other SPARQL engines over the published dataset:

- a standalone pyoxigraph Store loaded from the release's N-Quads;
- an rdflib Dataset loaded from the release's N-Quads (its default graph is the file's);
- `zonekg serve`'s /sparql, the query POSTed with no other parameter.

Answers are compared as bags of rows (an engine that read a triple twice gives a row
twice), terms by value: numbers by their numeric value, other literals by lexical form,
datatype and language, as SPARQL's RDFterm-equal and numeric equality do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset
from serve_support import running_server

from zonekg import api
from zonekg.core.namespaces import XSD
from zonekg.core.questions import questions
from zonekg.core.terms import to_ox

QUESTIONS = questions()
NUMBERS = ("integer", "decimal", "double", "float", "long", "int", "short", "byte")
SIGNED = ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger")
UNSIGNED = ("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
NUMERIC = {XSD + name for name in (*NUMBERS, *SIGNED, *UNSIGNED)}


def test_the_questions_are_found():
    assert len(QUESTIONS) >= 22


# --- answers as comparable bags ---------------------------------------------------------


def _term(term):
    """A term as a comparable key: numbers by value, other literals by their lexical form,
    datatype and language (lowercase), IRIs as they are; an unbound cell is None."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)  # labels are the engine's own
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value.strip()).normalize())
        except InvalidOperation:
            pass
    return ("literal", term.value, datatype)


def _bag(variables, rows) -> Counter:
    ordered = sorted(variables)
    position = {v: i for i, v in enumerate(variables)}
    return Counter(tuple(_term(row[position[v]]) for v in ordered) for row in rows)


def _answer(kind: str, variables=(), rows=(), boolean=None, triples=()):
    if kind == "ASK":
        return ("ASK", boolean)
    if kind == "SELECT":
        return ("SELECT", tuple(sorted(variables)), _bag(list(variables), list(rows)))
    return (
        "GRAPH",
        Counter((_term(t.subject), _term(t.predicate), _term(t.object)) for t in triples),
    )


def from_zonekg(result) -> tuple:
    if result.is_graph:
        return _answer("GRAPH", triples=result.triples)
    if result.kind == "ASK":
        return _answer("ASK", boolean=result.boolean)
    return _answer("SELECT", result.variables, result.rows)


def from_pyoxigraph(result) -> tuple:
    if isinstance(result, ox.QueryBoolean):
        return _answer("ASK", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return _answer("GRAPH", triples=list(result))
    variables = [v.value for v in result.variables]
    rows = [tuple(solution[v] for v in variables) for solution in result]
    return _answer("SELECT", variables, rows)


def from_rdflib(result) -> tuple:
    if result.type == "ASK":
        return _answer("ASK", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return _answer(
            "GRAPH", triples=[ox.Triple(*(to_ox(term) for term in t)) for t in result.graph]
        )
    variables = [str(v) for v in result.vars]
    rows = [tuple(None if term is None else to_ox(term) for term in row) for row in result]
    return _answer("SELECT", variables, rows)


def _json_term(cell):
    if cell is None:
        return None
    if cell["type"] == "uri":
        return ox.NamedNode(cell["value"])
    if cell["type"] == "bnode":
        return ox.BlankNode(cell["value"])
    if "xml:lang" in cell:
        return ox.Literal(cell["value"], language=cell["xml:lang"])
    return ox.Literal(cell["value"], datatype=ox.NamedNode(cell.get("datatype", XSD + "string")))


def from_protocol(response: httpx.Response) -> tuple:
    kind = response.headers["content-type"].split(";")[0]
    if kind == "application/n-triples":
        parsed = ox.parse(input=response.content, format=ox.RdfFormat.N_TRIPLES)
        return _answer("GRAPH", triples=[q.triple for q in parsed])
    body = json.loads(response.content)
    if "boolean" in body:
        return _answer("ASK", boolean=body["boolean"])
    variables = body["head"]["vars"]
    rows = [tuple(_json_term(b.get(v)) for v in variables) for b in body["results"]["bindings"]]
    return _answer("SELECT", variables, rows)


# --- the engines --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release_folder(tmp_path_factory):
    target = tmp_path_factory.mktemp("travel") / "release"
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "release", str(target)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@pytest.fixture(scope="module")
def zonekg_answers():
    """What `zonekg query NAME` answers (the same load and call the command makes)."""
    kg = api.load()
    return {cq.name: from_zonekg(api.query(kg, cq)) for cq in QUESTIONS}


@pytest.fixture(scope="module")
def oxigraph_store(release_folder):
    store = ox.Store()
    store.load(path=str(release_folder / "zonekg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def rdflib_dataset(release_folder):
    dataset = Dataset()
    dataset.parse(release_folder / "zonekg.nq", format="nquads")
    return dataset


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("travel-serve")) as server:
        yield server


def _check(cq, got, zonekg_answers):
    expected = zonekg_answers[cq.name]
    assert expected[0] == "ASK" or expected[-1], f"{cq.name}: zonekg gives no rows to compare"
    assert got == expected, f"{cq.name}: the answer differs from `zonekg query {cq.name}`"


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_pyoxigraph_store_over_the_release_answers_as_zonekg(cq, oxigraph_store, zonekg_answers):
    _check(cq, from_pyoxigraph(oxigraph_store.query(cq.text)), zonekg_answers)


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_rdflib_dataset_over_the_release_answers_as_zonekg(cq, rdflib_dataset, zonekg_answers):
    _check(cq, from_rdflib(rdflib_dataset.query(cq.text)), zonekg_answers)


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_serve_sparql_with_no_parameters_answers_as_zonekg(cq, endpoint, zonekg_answers):
    response = httpx.post(
        endpoint.url + "/sparql",
        content=cq.text.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
        },
        timeout=120,
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    _check(cq, from_protocol(response), zonekg_answers)


def test_trig_and_nquads_hold_the_same_dataset(release_folder):
    quads = {}
    for name, fmt in (("zonekg.nq", ox.RdfFormat.N_QUADS), ("zonekg.trig", ox.RdfFormat.TRIG)):
        dataset = ox.Dataset(ox.parse(path=str(release_folder / name), format=fmt))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads[name] = set(dataset)
    assert quads["zonekg.nq"] == quads["zonekg.trig"] and quads["zonekg.nq"]
