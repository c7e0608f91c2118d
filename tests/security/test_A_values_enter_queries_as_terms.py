"""Class A: a value that goes into a query (an IRI from the data or the user, a literal from
the shapes) goes in as a term written by the screen's term writers, never as pasted text.

The writers refuse what is not a term; a literal's text comes back from the engine as it
went in, whatever it holds. ``why`` names its entity this way (it used to paste it between
``<`` and ``>`` after a character check, and the screen's old guess that an IRI holding
the word "service" might hide a SERVICE clause refused zonekg's own
``organization:china-news-service``: a SERVICE clause needs a '{', which no IRI holds).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from safety_support import flat, run_cli

from zonekg.safety.screen import screen, sparql_iri, sparql_literal, sparql_term


@pytest.mark.parametrize(
    "bad",
    [
        "http://x/> } SERVICE <http://y/",
        "http://x/a b",
        "relative/path",
        "http://x/{}",
        "http://x/\n",
        "http://x/'''",
        "",
    ],
)
def test_an_iri_writer_refuses_what_is_not_an_iri(bad):
    with pytest.raises(ValueError):
        sparql_iri(bad)


def test_terms_of_both_libraries_are_written_and_blank_nodes_refused():
    assert sparql_term(URIRef("http://x/a")) == "<http://x/a>"
    assert sparql_term(ox.NamedNode("http://x/a")) == "<http://x/a>"
    assert sparql_term(Literal("a", lang="en")) == '"a"@en'
    assert sparql_term(ox.Literal("1", datatype=ox.NamedNode("http://x/d"))) == '"1"^^<http://x/d>'
    assert sparql_term(Literal("x")) == '"x"' == sparql_term(ox.Literal("x"))
    with pytest.raises(ValueError):
        sparql_term(BNode())
    with pytest.raises(ValueError):
        sparql_literal("a", language="en } SERVICE")


@settings(max_examples=60, deadline=None, database=None)
@given(text=st.text())
def test_a_literal_comes_back_from_the_engine_as_it_went_in(text):
    query = screen(f"SELECT (STR({sparql_literal(text)}) AS ?x) WHERE {{}}").text
    (row,) = list(ox.Store().query(query))
    assert row["x"].value == text


def test_why_names_an_entity_whose_iri_holds_the_word_service():
    done = run_cli("why", "organization:china-news-service")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SERVICE is not allowed" not in done.stderr


@pytest.mark.parametrize("entity", ["http://x/> ?p ?o } SERVICE <http://y/", "a b"])
def test_why_refuses_what_is_not_an_iri(entity):
    done = run_cli("why", entity)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is not an IRI or a CURIE" in flat(done.stderr)
