"""Case 1 (high): a `\r`-ended comment hid SERVICE from the screen (query and sh:select).

The one screen (safety/screen.py) lexes by the SPARQL grammar, where `\r` ends a
comment as `\n` does, and hands the engine its own canonical text: what was screened
is what runs. tests/test_guard.py shows no connection arriving; these pin the lexing.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli

from zonekg.core.errors import QueryError
from zonekg.safety.screen import screen

URL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n", "\\\r", "\u2028"])
def test_a_comment_ended_by_any_line_break_does_not_hide_service(ending):
    text = "SELECT * WHERE { # note" + ending + f"SERVICE <{URL}> {{ ?s ?p ?o }} }}"
    if ending == "\u2028":  # not a line break in SPARQL: the comment runs on, no SERVICE
        assert "SERVICE" not in screen(text, "q").text.upper()
        return
    with pytest.raises(QueryError, match="SERVICE is not allowed"):
        screen(text, "q")


def test_the_text_that_runs_has_no_comments_left():
    screened = screen("SELECT * WHERE { # a\r?s ?p ?o }", "q")
    assert "#" not in screened.text


def test_sh_select_with_a_cr_comment_is_refused(tmp_path, small_data):
    shapes = tmp_path / "shapes.ttl"
    query = f"SELECT $this WHERE {{ # x\\r SERVICE <{URL}> {{ $this ?p ?o }} }}"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        f'  sh:sparql [ a sh:SPARQLConstraint ; sh:select """{query}""" ] .\n',
        encoding="utf-8",
    )
    done = run_cli("validate", "--data", str(small_data), "--shapes", str(shapes))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "SERVICE is not allowed" in flat(done.stderr)
