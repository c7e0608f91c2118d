"""Class A: the screen's text must say to an engine what the original said to it.

Found by the differential fuzzing (tests/conformance/test_fuzz_borders.py):
* the screen turned every \\r\\n into \\n before lexing, so ``'''one\\r\\ntwo'''`` ran as
  "one\\ntwo" (Oxigraph, reading the original, keeps the \\r): line ends now stay as
  written, and whitespace and comments end at \\n, \\r and \\r\\n alike;
* SPARQL expands ``\\u`` escapes before parsing, Oxigraph only inside strings and IRIs:
  ``"a\\u0022 \\u0022b"`` is one literal to Oxigraph and two to the grammar. An escape is
  now kept only where every reader takes it for a character of a string, an IRI or a
  comment, and never for a backslash; any other is refused with its position.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from zonekg.core.errors import QueryError
from zonekg.safety.screen import screen


def _value(text: str) -> str:
    (row,) = list(ox.Store().query(text))
    return row["x"].value


@pytest.mark.parametrize(
    "literal", ["'''one\r\ntwo'''", '"""one\rtwo"""', '"a\\u0062"', '"caf\\u00e9"']
)
def test_a_literal_has_the_same_value_in_the_screened_text(literal):
    original = f"SELECT ?x WHERE {{ BIND({literal} AS ?x) }}"
    assert _value(screen(original).text) == _value(original)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('SELECT ?x WHERE { BIND("a\\u0022 \\u0022b" AS ?x) }', 26),
        ('SELECT ?x WHERE { BIND("back\\u005Cnslash" AS ?x) }', 29),
        ("SELECT * WHERE { ?s <http://e/a\\u003E> ?o }", 32),
        ("PREFIX e: <http://e/> SELECT * WHERE { ?s e:caf\\u00e9 ?o }", 48),
        ("\\u0053ELECT * WHERE { ?s ?p ?o }", 1),
    ],
)
def test_an_escape_engines_read_differently_is_refused_at_its_place(text, column):
    with pytest.raises(QueryError, match="engines read it differently") as refused:
        screen(text)
    assert (refused.value.line, refused.value.column) == (1, column)


def test_escapes_inside_strings_iris_and_comments_stay():
    text = 'SELECT * WHERE { ?s <http://e/caf\\u00e9> "\\u00e9" } # caf\\u00e9\r'
    assert screen(text).text.split("\n")[5:7] == ["<http://e/café>", '"é"']
