"""Printing for the CLI: the one place that writes to the terminal.

Every command prints through these helpers, never through a console, ``print`` or
``click.echo`` of its own, so that nothing reaches the screen unescaped: text for people
(messages, reports, tables, `why`) always goes through ``core.terminal.printable`` and is
never read as rich markup or emoji codes; results in a machine format (``write``) keep the
data exact in a file or a pipe, and are escaped only when they land on a terminal.
Rich is imported only when something is drawn.
"""

from __future__ import annotations

import os
import sys
from functools import cache

from ..core.terminal import printable

#: The width of text for people when stdout is not a terminal and ``COLUMNS`` is not set:
#: the width terminals open with, and the one tools that read text line by line expect.
PIPED_WIDTH = 80
#: The narrowest width text is laid out for (a smaller ``COLUMNS`` is taken as this): a
#: table of a few columns needs that much to keep a word per line.
MIN_WIDTH = 40


def width() -> int:
    """How wide text for people is laid out on stdout: a terminal's own width; when stdout
    is a pipe or a file, ``COLUMNS`` if it is set to a whole number, else ``PIPED_WIDTH``;
    never less than ``MIN_WIDTH``. Machine formats (``write``) are never wrapped."""
    found = 0
    if sys.stdout.isatty():
        try:
            found = os.get_terminal_size(sys.stdout.fileno()).columns
        except OSError:  # a terminal that does not say its size: as if piped
            found = 0
    if not found:
        given = os.environ.get("COLUMNS", "").strip()
        found = int(given) if given.isdigit() and int(given) > 0 else PIPED_WIDTH
    return max(found, MIN_WIDTH)


@cache
def out():
    from rich.console import Console

    # Text for people fits the width (``width``): long lines wrap at spaces, a word
    # longer than the line (an IRI) is folded, nothing is cut.
    return Console(width=width(), soft_wrap=False, emoji=False, highlight=False)


@cache
def err():
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)


def say(text: str, style: str | None = None, end: str = "\n") -> None:
    """Text for people on stdout: escaped, never read as markup."""
    out().print(printable(text, lines=True), style=style, markup=False, end=end)


def titled(title: str, text: str, style: str = "bold") -> None:
    """A line for people on stdout that begins with a *title* in *style* (``cq12: How
    many …``), wrapped as one paragraph to the width."""
    from rich.text import Text

    shown = Text(printable(title, lines=True), style=style)
    shown.append(printable(text, lines=True))
    out().print(shown)


def note(text: str, style: str | None = None, end: str = "\n") -> None:
    """A line for people on stderr: escaped, never read as markup."""
    err().print(printable(text, lines=True), style=style, markup=False, end=end)


def error(label: str, text: str) -> None:
    """An error on stderr: *label* in red (``error``, ``internal error``), then *text*."""
    note(f"{label}: ", style="red", end="")
    note(text)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def draw(columns, rows, total: tuple[str, ...] | None = None) -> None:
    """A table as wide as the screen (``width``) at most; cells are escaped plain text
    (never read as markup), wrapped at spaces and folded where a word is longer than its
    column, never cut; *total* is a bold last row. Where a cell wraps, a rule between
    rows keeps each row's lines together."""
    from rich.table import Table
    from rich.text import Text

    natural = [len(str(c)) for c in columns]
    for row in rows:
        natural = [
            max(n, *map(len, str(cell).split("\n"))) for n, cell in zip(natural, row, strict=True)
        ]
    wraps = sum(natural) + 3 * len(natural) + 1 > out().width
    shown = Table(show_lines=wraps, highlight=False)
    for column in columns:
        shown.add_column(Text(printable(column)), overflow="fold")
    for row in rows:
        shown.add_row(*[Text(printable(cell, lines=True)) for cell in row])
    if total is not None:
        shown.add_row(*[Text(printable(cell), style="bold") for cell in total])
    out().print(shown)


def table(columns, rows) -> None:
    """A result table and its row count."""
    draw(columns, rows)
    say(count(len(rows), "row"), style="dim")


def write(text: str) -> None:
    """Results in a machine format (CSV, JSON, Turtle, …) on stdout: exact in a file or a
    pipe; on a terminal, escaped like any other text (line ends kept)."""
    if sys.stdout.isatty():
        text = printable(text.replace("\r\n", "\n"), lines=True)
    sys.stdout.write(text)
