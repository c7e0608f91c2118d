"""Big answers do not dominate (issue 19, point 4): a table is drawn as its rows come; on a
terminal it shows a bounded number of rows and says how to get them all; piped, and in
every machine format, every row is given."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
import terminal_support

from zonekg.cli import output
from zonekg.core.render import TERMINAL_ROWS

#: An answer bigger than a screenful and than the rows a table is laid out on.
EVERY_SUBJECT = "SELECT ?s WHERE { ?s ?p ?o }"


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "ZONEKG_TABLE_LIMIT")}
    return {**env, **extra}


def _piped(*args: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_environment(**env),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _on_a_terminal(*args: str, **env: str) -> str:
    """What the command shows on a 200-column terminal."""
    return terminal_support.on_a_terminal(*args, width=200, env=_environment(**env))


def _body_rows(table: str) -> list[str]:
    """The rows of a drawn table whose cells each fit one line (the subjects' CURIEs do at
    200 columns): one `│ … │` line a row."""
    return [line for line in table.splitlines() if line.startswith("│ ")]


@pytest.fixture(scope="module")
def every_subject() -> list[str]:
    """The answer, as the W3C CSV format gives it (every row, values exact)."""
    rows = list(
        csv.DictReader(io.StringIO(_piped("query", "--text", EVERY_SUBJECT, "--format", "csv")))
    )
    assert len(rows) > output.LAYOUT_ROWS > TERMINAL_ROWS
    return [row["s"] for row in rows]


def test_a_table_draws_its_first_rows_before_the_last_is_made(monkeypatch):
    """The rows come from a generator: when it makes its last row, the first rows are on
    stdout already (nothing holds the whole table first)."""
    screen = io.StringIO()
    monkeypatch.setattr(sys, "stdout", screen)
    seen_when_last_made: list[str] = []
    count = 3 * output.LAYOUT_ROWS

    def rows():
        for n in range(count):
            if n == count - 1:
                seen_when_last_made.append(screen.getvalue())
            yield [f"row-{n:05d}", "x " * (n % 7)]

    output.table(["name", "words"], rows())
    (seen,) = seen_when_last_made
    assert "row-00000" in seen and "row-00001" in seen
    assert f"row-{count - 1:05d}" not in seen
    drawn = screen.getvalue()
    assert all(f"row-{n:05d}" in drawn for n in range(count))
    assert drawn.rstrip().endswith(f"{count} rows")


def test_a_row_wider_than_the_layout_wraps_within_the_width(monkeypatch):
    """Columns are laid out on the first rows; a later, longer cell wraps in its column,
    with rules around its lines, and no line is wider than the screen; nothing is cut."""
    from rich.cells import cell_len

    screen = io.StringIO()
    monkeypatch.setattr(sys, "stdout", screen)
    long = "a word " * 40 + "and-an-unbroken-" * 10 + "成都" * 30
    rows = [["short", "x"]] * output.LAYOUT_ROWS + [["last", long], ["after", "y"]]
    output.table(["a", "b"], iter(rows))
    lines = screen.getvalue().splitlines()
    width = output.out().width
    assert max(map(cell_len, lines)) <= width
    at = next(n for n, line in enumerate(lines) if line.startswith("│ last"))
    end = next(n for n in range(at, len(lines)) if lines[n].startswith("├"))
    assert lines[at - 1].startswith("├") and end - at > 3
    column_b = "".join(line.split("│")[2] for line in lines[at:end])
    assert "".join(column_b.split()) == "".join(long.split())
    after = next(n for n, line in enumerate(lines) if line.startswith("│ after"))
    assert lines[after - 1].startswith("├")


def test_on_a_terminal_a_table_shows_the_first_rows_and_says_how_to_see_all(every_subject):
    shown = _on_a_terminal("query", "--text", EVERY_SUBJECT)
    rows = _body_rows(shown)
    assert len(rows) == TERMINAL_ROWS
    assert f"{TERMINAL_ROWS} of {len(every_subject)} rows shown" in shown
    assert "--limit 0" in shown and "--format csv" in shown


def test_the_rows_shown_on_a_terminal_are_set_by_the_option_or_its_variable(every_subject):
    assert len(_body_rows(_on_a_terminal("query", "--text", EVERY_SUBJECT, "--limit", "7"))) == 7
    by_variable = _on_a_terminal("query", "--text", EVERY_SUBJECT, ZONEKG_TABLE_LIMIT="12")
    assert len(_body_rows(by_variable)) == 12
    assert f"12 of {len(every_subject)} rows shown" in by_variable
    every = _on_a_terminal("query", "--text", EVERY_SUBJECT, "--limit", "0")
    assert len(_body_rows(every)) == len(every_subject)
    assert f"{len(every_subject)} rows" in every and "shown" not in every


def test_a_question_on_a_terminal_is_cut_at_the_limit_and_whole_below_it():
    from zonekg.core import questions

    (cq01,) = [cq for cq in questions.questions() if cq.number == "cq01"]
    expected = cq01.path.with_name(cq01.path.name.replace(".rq", ".expected.csv"))
    with expected.open(encoding="utf-8") as f:
        rows = len(list(csv.DictReader(f)))
    assert rows > 3
    assert f"3 of {rows} rows shown" in _on_a_terminal("query", "cq01", "--limit", "3")
    whole = _on_a_terminal("query", "cq01", "--limit", str(rows))
    assert f"{rows} rows" in whole and "shown" not in whole


def test_piped_a_table_gives_every_row(every_subject):
    piped = _piped("query", "--text", EVERY_SUBJECT, COLUMNS="200")
    assert len(_body_rows(piped)) == len(every_subject)
    assert piped.rstrip().endswith(f"{len(every_subject)} rows")
    assert "shown" not in piped


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_machine_formats_give_every_row_even_on_a_terminal(fmt, every_subject):
    shown = _on_a_terminal("query", "--text", EVERY_SUBJECT, "--format", fmt)
    if fmt == "json":
        found = [b["s"]["value"] for b in json.loads(shown)["results"]["bindings"]]
        assert found == every_subject
    elif fmt == "tsv":
        assert [line[1:-1] for line in shown.splitlines()[1:]] == every_subject
    else:
        assert [row["s"] for row in csv.DictReader(io.StringIO(shown))] == every_subject


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rows_past_the_limit_are_counted_not_drawn(monkeypatch):
    """Without a total from the caller, the rows past the limit are counted as they come."""
    screen = _Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    made = []

    def rows():
        for n in range(120):
            made.append(n)
            yield [f"row-{n:03d}"]

    output.table(["n"], rows(), limit=10, hint="see them all")
    # the text as shown: the console is made once per process, with colours if stdout was a
    # terminal then (this test failed after one that made it so)
    drawn = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())
    assert [f"row-{n:03d}" in drawn for n in (0, 9, 10)] == [True, True, False]
    assert len(made) == 120
    assert drawn.rstrip().endswith("10 of 120 rows shown; see them all")
