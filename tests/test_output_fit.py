"""Output that fits (issue 21): text for people follows the width (a terminal's own; when
piped, COLUMNS, else 80), tables wrap their cells rather than cut them, IRIs show one way,
question headings are read and shown whole."""

from __future__ import annotations

import os
import subprocess
import sys

import hypothesis.strategies as st
import pytest
import terminal_support
from hypothesis import HealthCheck, given, settings
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


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["https://w3id.org/zonekg/id/place/", "https://sws.geonames.org/", "urn:x:"]),
    st.lists(st.sampled_from([*"aZ09_:-.~!$&'()*+,;=/?#@% ", "%2F", "成", "é"]), max_size=8).map(
        "".join
    ),
)
def test_a_curie_is_the_iri_in_sparql_or_the_iri_whole(namespace, local):
    """What tables show for an IRI, a prefixed name or ``<iri>``, reads back in SPARQL as
    that IRI, as Oxigraph and (without escapes) rdflib parse it with the project's prefixes
    (Oxigraph 0.5 refused ``place:a.b.c``, found by this test)."""
    import pyoxigraph as ox
    from rdflib import URIRef
    from rdflib.plugins.sparql import prepareQuery

    from zonekg.core.namespaces import PREFIXES

    iri = namespace + local
    try:
        ox.NamedNode(iri)
    except ValueError:
        return  # not an IRI: no table shows it
    shown = curie(iri)
    found = ox.Store().query(f"SELECT ?x WHERE {{ BIND({shown} AS ?x) }}", prefixes=PREFIXES)
    assert [row["x"] for row in found] == [ox.NamedNode(iri)], shown
    if "\\" not in shown:  # rdflib 7 keeps an escape's backslash in the IRI (rdflib#1871)
        parsed = prepareQuery(f"SELECT ?x WHERE {{ ?x ?p {shown} }}", initNs=PREFIXES)
        assert parsed.algebra["p"]["p"]["triples"][0][2] == URIRef(iri), shown


# --- text for people on a pipe, written without rich ---------------------------------------

_TEXT = st.lists(
    st.sampled_from([*"ab Z9-:/.成田\u202e\t\n[]", "bold", "[red]", "\x1b[31m", "word "]),
    max_size=60,
).map("".join)


def _rich_wrote(monkeypatch, capsys, draw) -> str:
    """What *draw* writes through rich (the console drawing every line, as before rich
    was skipped on pipes), stdout being a pipe."""
    from zonekg.cli import output

    monkeypatch.setattr(output, "_styled", lambda: True)
    output.out.cache_clear()
    try:
        draw()
    finally:
        output.out.cache_clear()
        monkeypatch.undo()
    return capsys.readouterr().out


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, title=_TEXT, width=st.integers(40, 120))
def test_text_for_people_on_a_pipe_is_what_rich_writes(monkeypatch, capsys, text, title, width):
    """On a pipe, ``say`` and ``titled`` write a line that fits as it is instead of
    importing rich: the same characters rich wrote (escaped, unstyled, wrapped alike)."""
    from zonekg.cli import output

    monkeypatch.setenv("COLUMNS", str(width))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)

    def draw():
        output.say(text)
        output.say(text, end="")
        output.titled(title, text)

    capsys.readouterr()
    draw()
    plain = capsys.readouterr().out
    monkeypatch.setenv("COLUMNS", str(width))
    assert plain == _rich_wrote(monkeypatch, capsys, draw)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(_TEXT.filter(str.strip), min_size=1, max_size=4),
    cells=st.lists(st.lists(_TEXT, min_size=4, max_size=4), max_size=5),
    width=st.integers(40, 120),
)
def test_a_table_on_a_pipe_is_what_rich_draws(monkeypatch, capsys, header, cells, width):
    from zonekg.cli import output

    monkeypatch.setenv("COLUMNS", str(width))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    rows = [row[: len(header)] for row in cells]
    capsys.readouterr()
    output.table(header, rows)
    plain = capsys.readouterr().out
    monkeypatch.setenv("COLUMNS", str(width))
    assert plain == _rich_wrote(monkeypatch, capsys, lambda: output.table(header, rows))


def test_forced_styles_on_a_pipe_are_rich_s(monkeypatch, capsys):
    """FORCE_COLOR asks for styles on a pipe (as rich reads it): the text goes through rich,
    which styles it."""
    from zonekg.cli import output

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    output.out.cache_clear()
    try:
        output.say("7 rows", style="dim")
    finally:
        output.out.cache_clear()
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("TTY_COMPATIBLE", "0")  # rich: not a terminal, whatever FORCE_COLOR says
    output.say("7 rows", style="dim")
    assert capsys.readouterr().out == "7 rows\n"


def test_a_query_on_a_pipe_imports_neither_rich_nor_multiprocessing():
    """A cold `zonekg query` on a pipe draws its table without rich and runs its worker
    without multiprocessing (importing them took 35 ms of its 310 ms)."""
    script = (
        "import sys; sys.argv = ['zonekg', 'query', 'cq01']\n"
        "from zonekg.cli import main\n"
        "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
        "found = sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'multiprocessing'})\n"
        "print('imported:', found, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=_environment("100"),
    )
    assert done.returncode == 0, done.stderr
    assert "┃ what" in done.stdout
    assert "imported: []" in done.stderr
