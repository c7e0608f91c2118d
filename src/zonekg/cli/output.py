"""Printing for the CLI: consoles, tables, counts. Rich is imported only when something is drawn."""

from __future__ import annotations

import sys
from functools import cache


@cache
def out():
    from rich.console import Console

    # Piped output is for other programs and for logs: never wrap it mid-value.
    return Console(soft_wrap=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 200)


@cache
def err():
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def say(text: str, style: str | None = None) -> None:
    """Plain text (never read as markup) on stdout."""
    out().print(text, style=style, markup=False, highlight=False)


def note(text: str) -> None:
    """A line on stderr (never read as markup)."""
    err().print(text, markup=False, highlight=False)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def draw(columns, rows, total: tuple[str, ...] | None = None) -> None:
    """A table; cells are plain text (never read as markup); *total* is a bold last row."""
    from rich.table import Table
    from rich.text import Text

    shown = Table(*columns, show_lines=False, highlight=False)
    for row in rows:
        shown.add_row(*[Text(cell) for cell in row])
    if total is not None:
        shown.add_row(*[Text(cell, style="bold") for cell in total])
    out().print(shown)


def table(columns, rows) -> None:
    """A result table and its row count."""
    draw(columns, rows)
    out().print(count(len(rows), "row"), style="dim")


def write(text: str) -> None:
    sys.stdout.write(text)
