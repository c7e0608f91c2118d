"""Differential fuzzing of the borders (issue 18): random input at the two places where
text from outside becomes a query.

* The query screen: random SPARQL with ``\\u`` escapes in IRIs and strings, comments
  (ended by ``\\n``, ``\\r`` or ``\\r\\n``), odd whitespace and keywords used as prefix names,
  local names and variables. Oxigraph (its own command, ``oxigraph query``, which prints the
  plan of a parsed query) must read the screen's canonical text as it reads the original:
  the same plan, or both refused; otherwise the screen must refuse. No plan holds SERVICE.
* The compiled validator: random shapes with SHACL-SPARQL constraints whose queries use
  declared prefixes (``sh:declare`` through ``sh:prefixes``); it must agree with pySHACL,
  the reference engine, or hand over (Unsupported).

Bounded so that ``make test`` stays fast; ``ZONEKG_FUZZ_N=N`` runs N examples of each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonekg import api
from zonekg.core.errors import QueryError
from zonekg.core.namespaces import PREFIXES
from zonekg.safety.screen import screen

N = int(os.environ.get("ZONEKG_FUZZ_N", "0") or 0)
SETTINGS = settings(
    max_examples=N or 15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- the screen against Oxigraph's own reading ------------------------------------------

WHITESPACE = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r", " \t\r\n "])
COMMENT = st.builds(
    lambda words, end: f"# {words}{end}",
    st.sampled_from(
        [
            "note",
            "SERVICE <http://127.0.0.1:9/> {",
            '"',
            "'''",
            "} } {",
            "\\u0041",
            "PREFIX",
        ]
    ),
    st.sampled_from(["\n", "\r", "\r\n"]),
)
GAP = st.one_of(WHITESPACE, st.builds(lambda a, c, b: a + c + b, WHITESPACE, COMMENT, WHITESPACE))
PROLOGUE = [
    "PREFIX ex: <http://example.org/ns#>",
    "PREFIX select: <http://example.org/keyword#>",
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
]
VARIABLES = st.sampled_from(["?s", "?o", "?select", "$where", "?filter", "?a", "?SERVICE"])
PREDICATES = st.sampled_from(
    [
        "ex:p",
        "select:where",
        "ex:SERVICE",
        "ex:FROM",
        "select:select",
        "a",
        "<http://example.org/ns#p\\u0031>",
        "<http://example.org/caf\\u00E9>",
        "ex:p/ex:q",
        "ex:p*",
        "(ex:p|^ex:q)+",
        "?p",
    ]
)
OBJECTS = st.one_of(
    VARIABLES,
    st.sampled_from(
        [
            '"a\\u0062c"',
            "'it\\'s'",
            '"tab\\tand\\nline"',
            '"""long\n""string"""',
            "'''one\r\ntwo'''",
            '"a"@en',
            '"1"^^xsd:integer',
            "42",
            "-1.5e3",
            "ex:o",
            "<http://example.org/\\U0001F600>",
            '"quote\\u0027s"',
            '"not a quote\\u0022 \\u0022end"',
            '"back\\u005Cnslash"',
            "<http://example.org/a\\u003E>",
            "ex:caf\\u00E9",
            '"#not a comment"',
            '"{ SERVICE }"',
            "true",
        ]
    ),
)
FILTERS = st.sampled_from(
    [
        'FILTER(?o != "x")',
        'FILTER(REGEX(STR(?o), "^a\\\\d", "i"))',
        "FILTER(?o = 1 && true || false)",
        "FILTER(!BOUND(?select))",
        'FILTER(LANG(?o) = "en")',
        'FILTER(?o IN (1, 2, "three"))',
        "FILTER EXISTS { ?s ex:p ?o }",
        'BIND(CONCAT(STR(?s), "-") AS ?label)',
    ]
)
TRIPLE = st.builds(lambda s, p, o: (s, p, o), VARIABLES, PREDICATES, OBJECTS)


@st.composite
def queries(draw) -> str:
    pieces = [p for p in PROLOGUE if draw(st.booleans()) or p.startswith("PREFIX ex:")]
    form = draw(st.sampled_from(["SELECT *", "SELECT ?s ?o", "SELECT DISTINCT ?s", "ASK"]))
    pieces += form.split(" ") + ["WHERE", "{"]
    for s, p, o in draw(st.lists(TRIPLE, min_size=1, max_size=4)):
        pieces += [s, p, o, "."]
    if draw(st.booleans()):
        pieces.append(draw(FILTERS))
    if draw(st.booleans()):
        s, p, o = draw(TRIPLE)
        pieces += ["OPTIONAL", "{", s, p, o, "}"]
    if draw(st.integers(0, 9)) == 0:  # now and then something the screen must refuse
        pieces += ["SERVICE", "<http://127.0.0.1:9/>", "{", "?s", "?p", "?o", "}"]
    pieces.append("}")
    if form.startswith("SELECT") and draw(st.booleans()):
        pieces += ["LIMIT", "5"]
    gaps = draw(st.lists(GAP, min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + gap for piece, gap in zip(pieces, gaps, strict=True))


_MADE_UP = re.compile(r"\?[0-9a-f]{24,32}\b")  # (a leading 0 is dropped)
_VARIABLE_LIST = re.compile(r"\?\w+(?:, \?\w+)+")


def _oxigraph_command() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the oxigraph command comes with the test extra (pip oxigraph)"
    return found


@pytest.fixture(scope="module")
def read_by_oxigraph(tmp_path_factory):
    """Oxigraph's reading of a query: ("plan", its plan) or ("refused", None)."""
    folder = tmp_path_factory.mktemp("oxigraph")
    store = ox.Store(str(folder / "store"))
    store.flush()
    del store
    command = _oxigraph_command()
    plan = folder / "plan.txt"

    def read(text: str) -> tuple[str, str | None]:
        plan.unlink(missing_ok=True)
        done = subprocess.run(
            [command, "query", "--location", str(folder / "store"), "--query", text]
            + ["--results-format", "csv", "--explain-file", str(plan)],
            capture_output=True,
            timeout=60,
        )
        if done.returncode != 0 or not plan.exists():
            return "refused", None
        found = re.sub(r"planning duration in seconds: [^,]*,", "", plan.read_text("utf-8"))
        # variables Oxigraph makes up (a path's inner steps) get random names: number them
        made_up: dict[str, str] = {}
        found = _MADE_UP.sub(lambda m: made_up.setdefault(m[0], f"?_{len(made_up)}"), found)
        # and lists of variables come in the order of a hash set (SELECT *, join keys)
        return "plan", _VARIABLE_LIST.sub(lambda m: ", ".join(sorted(m[0].split(", "))), found)

    return read


@SETTINGS
@given(text=queries())
def test_the_screen_canonical_text_reads_as_the_original_or_is_refused(read_by_oxigraph, text):
    try:
        screened = screen(text, "fuzz")
    except QueryError:
        return  # refusing is always allowed
    # zonekg's engines know the project's prefixes (pyoxigraph's prefixes=): so does this
    # reading of the original, declared first so that the query's own declarations win
    known = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    original = read_by_oxigraph(known + text)
    canonical = read_by_oxigraph(screened.text)
    assert canonical == original, (text, screened.text)
    assert canonical[1] is None or "Service" not in canonical[1]


def test_the_oxigraph_reading_tells_queries_apart(read_by_oxigraph):
    """Control: the comparison sees a changed literal, a changed IRI and a syntax error."""
    base = read_by_oxigraph('SELECT * WHERE { ?s <http://e/p> "a" }')
    assert base[0] == "plan"
    assert read_by_oxigraph('SELECT * WHERE { ?s <http://e/p> "b" }') != base
    assert read_by_oxigraph('SELECT * WHERE { ?s <http://e/q> "a" }') != base
    assert read_by_oxigraph("SELECT * WHERE { ?s <http://e/p> }") == ("refused", None)
    assert read_by_oxigraph('SELECT * WHERE { ?s <http://e/p> "\\u0061" }') == base


# --- the compiled validator against pySHACL ---------------------------------------------

SHAPES_PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
"""
DECLARED = {"d": "http://example.org/ns#", "k": "http://example.org/other#", "v": "urn:x:"}
NODES = ["ex:n0", "ex:n1", "ex:n2"]
DATA = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(["a", "ex:p", "ex:q", "<http://example.org/other#r>"]),
        st.sampled_from([*NODES, "ex:C", '"a"', '"{"', "1", '"b"@en']),
    ),
    max_size=12,
)
PATTERNS = st.sampled_from(
    [
        "$this d:p ?value .",
        "$this d:q ?value .",
        "$this k:r ?value .",
        "$this d:p ?x . ?x d:q ?value .",
        "$this ?p ?value . FILTER(?p != d:p)",
        'FILTER(?value = "{")',
        "FILTER(isLiteral(?value))",
        "FILTER NOT EXISTS { $this a d:C }",
        'FILTER(STRSTARTS(STR(?value), "http://example.org/ns#n"))',
        "OPTIONAL { ?value d:q ?z }",
        "$this d:p/d:q ?value .",
    ]
)
PROJECTIONS = st.sampled_from(
    ["$this ?value", '$this ?value ("{" AS ?brace)', "$this (?value AS ?v) ?value", "*"]
)


TARGETS = ["sh:targetClass ex:C", "sh:targetNode ex:n0", "sh:targetSubjectsOf ex:p"]


@st.composite
def sparql_shapes(draw) -> str:
    target = draw(st.sampled_from(TARGETS))
    declared = draw(st.lists(st.sampled_from(sorted(DECLARED)), min_size=1, unique=True))
    declarations = ", ".join(
        f'[ sh:prefix "{p}" ; sh:namespace "{DECLARED[p]}"^^xsd:anyURI ]' for p in declared
    )
    lines = [f"ex:Decl sh:declare {declarations} ."]
    for i in range(draw(st.integers(1, 2))):
        where = " ".join(draw(st.lists(PATTERNS, min_size=1, max_size=3)))
        select = f"SELECT {draw(PROJECTIONS)} WHERE {{ {where} }}"
        lines.append(
            f"ex:S{i} a sh:NodeShape ; {target} ;\n"
            f"  sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:Decl ; "
            f'sh:select """{select}""" ] .'
        )
    return SHAPES_PREFIXES + "\n".join(lines) + "\n"


def _results(report) -> Counter:
    return Counter((str(r.focus), str(r.value), str(r.source_shape)) for r in report.results)


@SETTINGS
@given(data=DATA, shapes=sparql_shapes())
def test_the_compiled_validator_agrees_with_pyshacl_or_hands_over(tmp_path_factory, data, shapes):
    folder = tmp_path_factory.mktemp("sparql-shapes")
    (folder / "data.ttl").write_text(
        SHAPES_PREFIXES + "\n".join(" ".join(t) + " ." for t in data) + "\n", encoding="utf-8"
    )
    (folder / "shapes.ttl").write_text(shapes, encoding="utf-8")
    reports = {}
    for engine in ("oxigraph", "reference"):
        kg = api.load([folder / "data.ttl"], ontology=[], engine=engine)
        try:
            reports[engine] = api.validate(kg, folder / "shapes.ttl")
        except QueryError:
            return  # a query both engines refuse (an unknown prefix: not declared)
        if engine == "oxigraph" and kg.notes:
            return  # handed over to pySHACL: nothing of its own to compare
    fast, reference = reports["oxigraph"], reports["reference"]
    assert (fast.conforms, _results(fast)) == (reference.conforms, _results(reference)), shapes


def test_found_by_fuzzing_an_unbound_value_is_the_focus_node(tmp_path):
    """SHACL 5.3.2: sh:value is the binding of ?value, else the value node (the focus node
    of a node shape); the compiled validator gave no value where pySHACL gives the node."""
    (tmp_path / "data.ttl").write_text(SHAPES_PREFIXES + "ex:n0 ex:p ex:n1 .\n", "utf-8")
    (tmp_path / "shapes.ttl").write_text(
        SHAPES_PREFIXES + "ex:S0 a sh:NodeShape ; sh:targetSubjectsOf ex:p ;\n"
        '  sh:sparql [ sh:select """SELECT $this ?value WHERE { FILTER NOT EXISTS '
        '{ $this a <http://example.org/ns#C> } }""" ] .\n',
        encoding="utf-8",
    )
    found = {}
    for engine in ("oxigraph", "reference"):
        kg = api.load([tmp_path / "data.ttl"], ontology=[], engine=engine)
        found[engine] = _results(api.validate(kg, tmp_path / "shapes.ttl"))
        assert not kg.notes
    node, shape = "http://example.org/ns#n0", "http://example.org/ns#S0"
    assert found["oxigraph"] == found["reference"] == Counter({(node, node, shape): 1})
