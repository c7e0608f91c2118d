"""Class A (high): the values of sh:declare were pasted in front of the screened sh:select.

A namespace holding ``#> SELECT $this WHERE { SERVICE <http://127.0.0.1:.../> ...``
turned the pasted ``PREFIX a: <...>`` line into a query of its own: Oxigraph, whose
HTTP client is native (the audit hook never sees it), called a loopback listener and
the run said "Conforms" (exit 0). Two ways in: the compiled validator pasted the
declarations its ``sh:prefixes`` names, and the shapes loader pasted a PREFIX line for
each declared prefix the query uses. pySHACL pastes ``sh:prefixes`` too.

Now a declaration must be a prefix name and an absolute IRI (exit 2 otherwise), and no
declaration is ever written as text: the screen writes each prefixed name as its full
IRI, and the shapes keep no ``sh:prefixes`` for an engine to paste.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from rdflib import URIRef
from safety_support import Listener, flat, run_cli

from zonekg.core.errors import QueryError
from zonekg.inputs.shapes import load_shapes
from zonekg.safety.screen import screen

# The select closes the long string the namespace opens (''' inside its string literal):
# pasted in front, the whole is one valid query around SERVICE SILENT.
SELECT_UNUSED = "SELECT $this WHERE { $this ?q ?o FILTER(?o != \"''' = '' #\") }"
SELECT_USED = "SELECT $this WHERE { $this a:p ?o FILTER(?o != \"''' != '' #\") }"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _namespace(url: str) -> str:
    return f"http://x/#> SELECT $this WHERE {{ SERVICE SILENT <{url}> {{ $this ?p ?o }} FILTER('''"


def _files(tmp_path, url: str, select: str, linked: bool):
    shapes = tmp_path / "shapes.ttl"
    link = "sh:prefixes ex:Decl ; " if linked else ""
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        f'ex:Decl sh:declare [ sh:prefix "a" ; sh:namespace {_literal(_namespace(url))}'
        "^^xsd:anyURI ] .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        f"  sh:sparql [ a sh:SPARQLConstraint ; {link}sh:select {_literal(select)} ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n")
    return shapes, data


def _settle(listener: Listener) -> int:
    time.sleep(0.3)
    return listener.connections


@pytest.fixture()
def listener():
    found = Listener()
    yield found
    found.close()


def test_control_the_pasted_text_makes_oxigraph_call_the_listener(listener):
    """Without the fix: what the compiled validator assembled reaches the listener."""
    import pyoxigraph as ox

    store = ox.Store()
    a, p, b = (ox.NamedNode(f"http://example.org/{x}") for x in "apb")
    store.add(ox.Quad(a, p, b))
    pasted = f"PREFIX a: <{_namespace(listener.url)}>\n" + screen(SELECT_UNUSED).text
    with contextlib.suppress(Exception):
        list(store.query(pasted))
    assert _settle(listener) >= 1


@pytest.mark.parametrize("engine", ["oxigraph", "reference"])
@pytest.mark.parametrize(
    ("select", "linked"),
    [(SELECT_UNUSED, True), (SELECT_USED, False), (SELECT_USED, True)],
    ids=["via-sh-prefixes", "via-the-loader", "both"],
)
def test_a_namespace_that_is_not_an_iri_is_refused_and_nothing_is_called(
    tmp_path, listener, engine, select, linked
):
    shapes, data = _files(tmp_path, listener.url, select, linked)
    done = run_cli("validate", "--engine", engine, "--data", str(data), "--shapes", str(shapes))
    assert done.returncode == 2, done.stdout + done.stderr
    message = flat(done.stderr)
    assert str(shapes) in message and "is not an absolute IRI" in message
    assert _settle(listener) == 0


def _shapes_with(tmp_path, declarations: str, select: str = "") -> object:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        f"ex:Decl sh:declare {declarations} .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        "  sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:Decl ;\n"
        f"    sh:select {_literal(select or 'SELECT $this WHERE { $this a:p ?o }')} ] .\n",
        encoding="utf-8",
    )
    return shapes


@pytest.mark.parametrize(
    ("declaration", "words"),
    [
        ('[ sh:prefix "a b" ; sh:namespace "http://x/#"^^xsd:anyURI ]', "not a SPARQL prefix"),
        ('[ sh:prefix "a" ; sh:namespace "x y"^^xsd:anyURI ]', "not an absolute IRI"),
        ('[ sh:prefix "a" ; sh:namespace "relative/"^^xsd:anyURI ]', "not an absolute IRI"),
        ('[ sh:prefix "a" ; sh:namespace "http://x/>"^^xsd:anyURI ]', "not an absolute IRI"),
        ('[ sh:prefix "a" ; sh:namespace <http://x/#> ]', "as a resource"),
        ('[ sh:prefix "a", "b" ; sh:namespace "http://x/#" ]', "not one of each"),
        (
            '[ sh:prefix "a" ; sh:namespace "http://x/#" ], '
            '[ sh:prefix "a" ; sh:namespace "http://y/#" ]',
            "declared for two namespaces",
        ),
    ],
)
def test_each_declaration_is_a_prefix_name_and_an_absolute_iri(tmp_path, declaration, words):
    from zonekg.core.errors import LoadError

    shapes = _shapes_with(tmp_path, declaration)
    with pytest.raises(LoadError, match=words) as found:
        load_shapes(shapes)
    assert found.value.file == shapes


def test_declared_names_are_written_as_full_iris_and_no_prefix_text_is_left(tmp_path):
    shapes = _shapes_with(
        tmp_path,
        '[ sh:prefix "a" ; sh:namespace "http://x.example/ns#"^^xsd:anyURI ]',
        "SELECT $this WHERE { $this a:p ?o ; a:q\\/r ?o }",
    )
    graph = load_shapes(shapes).graph
    (text,) = [str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/shacl#select"))]
    assert "<http://x.example/ns#p>" in text and "<http://x.example/ns#q/r>" in text
    assert "PREFIX" not in text.upper() and "a:" not in text
    # nothing for an engine (pySHACL) to paste in front of it
    assert not list(graph.triples((None, URIRef("http://www.w3.org/ns/shacl#prefixes"), None)))


def test_the_screen_refuses_a_prefix_given_from_outside_that_is_not_an_iri():
    with pytest.raises(QueryError, match="not an absolute IRI"):
        screen("SELECT * WHERE { ?s a:p ?o }", prefixes={"a": "http://x/> } SERVICE <http://y/"})
    with pytest.raises(QueryError, match="not a SPARQL prefix name"):
        screen("SELECT * WHERE { ?s ?p ?o }", prefixes={"a> <x": "http://x/"})
