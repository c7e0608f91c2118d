"""Printing for the CLI: the one place that writes to the terminal.

Every command prints through these helpers, never through a console, ``print`` or
``click.echo`` of its own, so that nothing reaches the screen unescaped: text for people
(messages, reports, tables, `why`) always goes through ``core.terminal.printable`` and is
never read as rich markup or emoji codes; results in a machine format (``write``) keep the
data exact in a file or a pipe, and are escaped only when they land on a terminal.
Rich is imported only when something is styled or wrapped: on a pipe or in a file, where
rich would draw no style, a line that fits is written as it is (``_as_is``; importing rich
took 25 ms of a cold ``zonekg query``'s 250).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable
from functools import cache
from itertools import chain, islice

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


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """How the command line shows a warning (``warnings.showwarning``): a problem with an
    input as ``warning: TEXT`` on stderr, escaped; any other as Python does."""
    from ..core.errors import InputWarning

    if not issubclass(category, InputWarning):
        shown = warnings.formatwarning(message, category, filename, lineno, line)
        (file or sys.stderr).write(shown)
        return
    print(f"warning: {printable(str(message), lines=True)}", file=sys.stderr, flush=True)


def say(text: str, style: str | None = None, end: str = "\n") -> None:
    """Text for people on stdout: escaped, never read as markup."""
    shown = printable(text, lines=True)
    if not _as_is(shown):
        out().print(shown, style=style, markup=False, end=end)
    else:
        sys.stdout.write(shown + end)


def titled(title: str, text: str, style: str = "bold") -> None:
    """A line for people on stdout that begins with a *title* in *style* (``cq12: How
    many …``), wrapped as one paragraph to the width."""
    title, text = printable(title, lines=True), printable(text, lines=True)
    if _as_is(title + text):
        sys.stdout.write(title + text + "\n")
        return
    from rich.text import Text

    shown = Text(title, style=style)
    shown.append(text)
    out().print(shown)


def _as_is(shown: str) -> bool:
    """Whether rich would write *shown* (escaped text for people) to stdout as it is: no
    styles (stdout is no terminal and the environment does not force one, as rich
    decides), and every line fits the width (no wrapping) with no tab (rich expands tabs)."""
    return (
        not _styled()
        and "\t" not in shown
        and all(_width(line) <= width() for line in shown.split("\n"))
    )


def _styled() -> bool:
    from ..core import settings

    try:
        terminal = sys.stdout.isatty()
    except ValueError:  # a closed stdout: nothing is shown anyway
        terminal = False
    return terminal or settings.styles_forced()


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


def table(
    columns, rows: Iterable, limit: int | None = None, hint: str = "", total: int | None = None
) -> None:
    """A result table, streamed: its rows are drawn as they come (*rows* may be a
    generator), then their count. On a terminal at most *limit* rows are drawn (None or
    0: all) and the rest are counted (*total*, when the caller knows it, spares making
    them), with *hint* saying how to see them; when stdout is a file or a pipe every row
    is drawn. The layout is ``draw``'s, fixed on the first ``LAYOUT_ROWS`` rows."""
    if limit is not None and limit > 0 and sys.stdout.isatty():
        rows = iter(rows)
        shown = _stream(columns, islice(rows, limit), width=width())
        every = total if total is not None else shown + sum(1 for _ in rows)
        if every > shown:
            say(f"{shown} of {count(every, 'row')} shown; {hint}".rstrip("; "), style="dim")
            return
    else:
        shown = _stream(columns, rows, width=width())
    say(count(shown, "row"), style="dim")


#: How many rows a streamed table reads before it lays out its columns: a table of up to
#: this many rows (every competency question's on the project's data) is laid out as if it
#: were drawn whole; a longer one keeps that layout and wraps a later, wider cell.
LAYOUT_ROWS = 1000
#: Rows written to stdout at once while a table streams.
_BLOCK = 200
_RULE = {"top": "┏━┳┓", "head": "┡━╇┩", "row": "├─┼┤", "bottom": "└─┴┘", "empty": "┗━┻┛"}


def _stream(columns, rows: Iterable, width: int) -> int:
    """Draw *rows* under *columns* as ``draw`` would, without holding them all: the column
    widths come from the header and the first ``LAYOUT_ROWS`` rows, and rows are written
    in blocks as they are read. Returns how many rows were drawn."""
    rows = iter(rows)
    header = [printable(c) for c in columns]
    first = [_cells(row) for row in islice(rows, LAYOUT_ROWS)]
    # two cells at least: a wide character (成) in a later row must fit its column
    natural = [
        max(2, *(_natural(cell) for cell in column)) for column in zip(header, *first, strict=True)
    ]
    widths = _fit(natural, width)

    def rule(kind: str) -> str:
        left, line, cross, right = _RULE[kind]
        return left + cross.join(line * (w + 2) for w in widths) + right

    styled = _styled()
    sys.stdout.write(rule("top") + "\n")
    for line in _lines(header, widths):
        if not styled:
            sys.stdout.write("┃ " + " ┃ ".join(line) + " ┃\n")
            continue
        from rich.text import Text

        shown = Text("┃ ")
        for i, part in enumerate(line):
            shown.append(part, style="bold")
            shown.append(" ┃ " if i < len(line) - 1 else " ┃")
        out().print(shown, soft_wrap=True)
    if not first:
        sys.stdout.write(rule("empty") + "\n")
        return 0
    sys.stdout.write(rule("head") + "\n")
    between = rule("row") + "\n"
    # where a cell wraps, rules between rows keep each row's lines together
    ruled = any(len(_lines(row, widths)) > 1 for row in first)
    drawn, block, previous_wrapped = 0, [], False
    for row in chain(first, (_cells(row) for row in rows)):
        lines = _lines(row, widths)
        wrapped = len(lines) > 1
        if drawn and (ruled or wrapped or previous_wrapped):
            block.append(between)
        block.extend("│ " + " │ ".join(line) + " │\n" for line in lines)
        drawn += 1
        previous_wrapped = wrapped
        if len(block) >= _BLOCK:
            sys.stdout.write("".join(block))
            sys.stdout.flush()
            block = []
    block.append(rule("bottom") + "\n")
    sys.stdout.write("".join(block))
    sys.stdout.flush()
    return drawn


def _cells(row) -> list[str]:
    return [printable(cell, lines=True).expandtabs(8) for cell in row]


def _natural(cell: str) -> int:
    return max(map(_width, cell.split("\n")))


def _width(text: str) -> int:
    """The cells *text* takes on a terminal (one per character of ASCII, which is most)."""
    return len(text) if text.isascii() else _cells_of()[0](text)


@cache
def _cells_of():
    """rich's measures of text and of one character (imported once, when first needed:
    a table of a hundred thousand cells asks a quarter of a million times)."""
    from rich.cells import cell_len, get_character_cell_size

    return cell_len, get_character_cell_size


def _fit(natural: list[int], width: int) -> list[int]:
    """Column widths for a table at most *width* wide (borders and padding included): the
    natural ones where they fit; else columns narrower than an even share keep theirs and
    the others share what is left evenly (at least two cells each)."""
    room = width - 3 * len(natural) - 1
    if sum(natural) <= room:
        return list(natural)
    widths = list(natural)
    wide = set(range(len(natural)))
    while wide:
        share = room // len(wide)
        narrow = {i for i in wide if natural[i] <= share}
        if not narrow:
            break
        wide -= narrow
        room -= sum(natural[i] for i in narrow)
    for n, i in enumerate(sorted(wide)):
        widths[i] = max(2, room // len(wide) + (1 if n < room % len(wide) else 0))
    return widths


def _lines(row: list[str], widths: list[int]) -> list[list[str]]:
    """A row as the lines it takes, each cell padded to its column's width: a cell wider
    than its column wraps at spaces and folds a longer word, nothing is cut."""
    parts = []
    for cell, w in zip(row, widths, strict=True):
        size = -1 if "\n" in cell else _width(cell)
        if 0 <= size <= w:
            parts.append([cell + " " * (w - size)])
        elif cell.isascii():  # most cells: a character is a cell
            parts.append([line.ljust(w) for line in _wrap(cell, w, len)])
        else:
            parts.append([_pad(line, w) for line in _wrap(cell, w, _width)])
    height = max(map(len, parts))
    if height == 1:
        return [[p[0] for p in parts]]
    blank = [" " * w for w in widths]
    return [[p[n] if n < len(p) else blank[i] for i, p in enumerate(parts)] for n in range(height)]


def _wrap(cell: str, w: int, measure: Callable[[str], int]) -> list[str]:
    """*cell*'s lines at most *w* cells wide: words as they fit, a longer word folded (by
    each character's cells: 成 takes two; *measure* gives a text's cells, ``len`` for ASCII
    text). Here rather than rich's wrapping, which took 0.7 s for the two thousand cells of
    Chinese and Japanese text of the questions at 100k generated triples."""
    lines = []
    for paragraph in cell.split("\n"):
        current, used = "", 0
        for word in paragraph.split(" "):
            size = measure(word)
            joined = used + 1 + size if current else size
            if joined <= w:
                current, used = (f"{current} {word}" if current else word), joined
                continue
            if current:
                lines.append(current)
            while size > w:
                head, word = _fold(word, w)
                lines.append(head)
                size = measure(word)
            current, used = word, size
        lines.append(current)
    return lines


def _fold(word: str, w: int) -> tuple[str, str]:
    """The longest start of *word* at most *w* cells wide (one character at least), and
    the rest."""
    if word.isascii():
        return word[:w], word[w:]
    character_cells = _cells_of()[1]
    used = 0
    for n, character in enumerate(word):
        used += character_cells(character)
        if used > w:
            return word[: max(n, 1)], word[max(n, 1) :]
    return word, ""


def _pad(line: str, w: int) -> str:
    return line + " " * (w - _width(line))


def write(text: str) -> None:
    """Results in a machine format (CSV, JSON, Turtle, …) on stdout: exact in a file or a
    pipe; on a terminal, escaped like any other text (line ends kept)."""
    if sys.stdout.isatty():
        text = printable(text.replace("\r\n", "\n"), lines=True)
    sys.stdout.write(text)
