"""Output that fits (issue 21): text for people follows the width (a terminal's own; when
piped, COLUMNS, else 80), tables wrap their cells rather than cut them, IRIs show one way,
question headings are read and shown whole."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import terminal_support
from rich.cells import cell_len

from zonekg.core import questions, render
from zonekg.core.namespaces import curie, expand


def _environment(columns: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    return env


def piped(*args: str, columns: str | None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_environment(columns),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def on_a_terminal(*args: str, width: int) -> str:
    """What the command shows on a terminal *width* columns wide (a pty of that size;
    COLUMNS is set to something else, which a terminal's own width overrides)."""
    return terminal_support.on_a_terminal(*args, width=width, env=_environment("333"))


def _assert_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert len(lines) > 50, "the questions printed next to nothing"
    too_long = [(n, cell_len(line)) for n, line in enumerate(lines, 1) if cell_len(line) > width]
    assert not too_long, too_long[:5]
    assert "…" not in text, "a value was cut short"
    flat = " ".join(text.split())
    found = questions.questions()
    assert found
    for cq in found:
        heading = f"{cq.name}: {' '.join(cq.question.split())}"
        assert heading in flat, f"{cq.name}'s heading is not shown whole"


@pytest.mark.parametrize("width", [80, 200])
def test_piped_tables_follow_columns_wrap_and_show_headings_whole(width):
    _assert_fits(piped("query", "--all", columns=str(width)), width)


@pytest.mark.parametrize("width", [80, 200])
def test_tables_on_a_terminal_follow_its_width(width):
    _assert_fits(on_a_terminal("query", "--all", width=width), width)


def test_piped_output_without_columns_is_80_wide():
    text = piped("questions", columns=None)
    widths = [cell_len(line) for line in text.splitlines()]
    assert widths and max(widths) == 80  # the questions are long: the table takes the width


def test_cq12_question_heading_is_read_whole():
    """cq12's Question goes on over a second comment line; only the first was read."""
    found = {cq.number: cq for cq in questions.questions()}
    cq12 = found["cq12"]
    lines = cq12.path.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("#  ") and "Question" not in lines[1]  # the file is still so
    assert cq12.question.endswith("how many monetary amounts and quantity values?")
    assert "#" not in cq12.question and "  " not in cq12.question
    for cq in found.values():
        assert cq.question.endswith("?"), cq.name
        assert cq.inference in ("none", "owlrl") and cq.source, cq.name


def test_iris_show_one_way_in_table_cells():
    """A geonames IRI (a local name with '/') showed in full beside CURIEs of wd:."""
    import pyoxigraph as ox

    geonames = "https://sws.geonames.org/1815286/"
    assert render.cell(ox.NamedNode(geonames)) == "gn:1815286\\/"
    assert render.cell(ox.NamedNode("http://www.wikidata.org/entity/Q30002")) == "wd:Q30002"
    assert render.cell(ox.NamedNode("http://example.org/x")) == "<http://example.org/x>"
    for iri in (geonames, "https://w3id.org/zonekg/id/zone/chengdu", "https://w3id.org/zonekg/def"):
        assert expand(curie(iri)) == iri
    shown = piped("query", "cq14", columns="200")
    assert "gn:1815286\\/" in shown and "wd:Q30002" in shown
    assert "<http" not in shown  # every IRI of the answer has a project prefix


def test_a_curie_with_an_escape_is_a_name_sparql_reads():
    text = piped(
        "query",
        "--format",
        "csv",
        "--text",
        f"SELECT ?x WHERE {{ ?x ?p {curie('https://sws.geonames.org/1815286/')} }}",
        columns="200",
    )
    assert "https://w3id.org/zonekg/id/place/chengdu" in text
