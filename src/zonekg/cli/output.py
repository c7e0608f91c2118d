"""Printing for the CLI: the one place that writes to the terminal.

Every command prints through these helpers, never through a console, ``print`` or
``click.echo`` of its own, so that nothing reaches the screen unescaped: text for people
(messages, reports, tables, `why`) always goes through ``core.terminal.printable`` and is
never read as rich markup or emoji codes; results in a machine format (``write``) keep the
data exact in a file or a pipe, and are escaped only when they land on a terminal.
Rich is imported only when something is drawn.
"""

from __future__ import annotations

import sys
from functools import cache

from ..core.terminal import printable


@cache
def out():
    from rich.console import Console

    # Piped output is for other programs and for logs: never wrap it mid-value.
    return Console(
        soft_wrap=not sys.stdout.isatty(),
        width=None if sys.stdout.isatty() else 200,
        emoji=False,
        highlight=False,
    )


@cache
def err():
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)


def say(text: str, style: str | None = None, end: str = "\n") -> None:
    """Text for people on stdout: escaped, never read as markup."""
    out().print(printable(text, lines=True), style=style, markup=False, end=end)


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
    """A table; cells are escaped plain text (never read as markup); *total* is a bold
    last row."""
    from rich.table import Table
    from rich.text import Text

    shown = Table(show_lines=False, highlight=False)
    for column in columns:
        shown.add_column(Text(printable(column)))
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
