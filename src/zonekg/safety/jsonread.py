"""The one JSON reader for anything read from outside: nesting bounded before parsing.

Python's ``json`` recurses once per level (a reply of 100,000 nested ``[`` ends in
RecursionError), and what reads the result recurses again (pyld on a JSON-LD document
nested 500 deep). So a document nested deeper than the nesting limit
(``ZONEKG_MAX_DEPTH``, as for Turtle and queries) is refused with the position of the
first bracket past it, before it is parsed, as is text that is not JSON or not UTF-8.
Every error is of the kind the caller names (a LoadError for a file, a RemoteError for a reply), so
the user gets exit 2 and the place, never a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..core.errors import ZonekgError
from .limits import MAX_DEPTH

_ESCAPE = re.compile(r"\\.", re.S)
_PLAIN_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")
_BRACKET_OR_STRING = re.compile(r'[\[\]{}]|"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def read_json(
    data: bytes | str,
    *,
    what: str = "the JSON",
    error: type[ZonekgError] = ZonekgError,
    file: Path | None = None,
    hint: str = "",
) -> Any:
    """*data* parsed as JSON, or *error* (exit 2) naming *what* and where it went wrong."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raw = bytes(data)
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise error(
                f"{what} is not UTF-8 text",
                hint=hint or "send or save it as UTF-8",
                file=file,
                line=line,
                column=column,
            ) from None
    limit = int(MAX_DEPTH.value())
    if _deeper_than(text, limit):
        line, column = _where(text, _past(text, limit))
        raise error(
            f"{what} nests more than {limit} levels deep (nesting limit)",
            hint=hint or MAX_DEPTH.how_to_raise(),
            file=file,
            line=line,
            column=column,
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{what} is not JSON: {exc.msg}",
            hint=hint or "fix the JSON",
            file=file,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:  # only when the limit is raised past what Python recurses
        raise error(f"{what} is nested too deeply to read", hint="lower ZONEKG_MAX_DEPTH") from None


def _deeper_than(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest more than *limit* levels, at C speed: escapes
    and then strings dropped, then everything but brackets, then the innermost pairs one
    level a round."""
    brackets = _ESCAPE.sub("", text)
    brackets = _NOT_BRACKET.sub("", _PLAIN_STRING.sub("", brackets)).translate(_ONE_KIND)
    for _ in range(limit):
        if "[]" not in brackets:
            return False
        brackets = brackets.replace("[]", "")
    return "[]" in brackets


def _past(text: str, limit: int) -> int:
    """The offset of the first bracket outside strings that opens level *limit* + 1."""
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return 0


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
