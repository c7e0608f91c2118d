"""The errors a user can cause, each with where it happened and what to do.

Exit codes: 1 when the data fails a check, 2 for bad input or usage (a limit
reached or an access refused included), 3 for an internal error (a bug).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


@dataclass
class ZonekgError(Exception):
    """Bad input: a file, a query or an argument the user gave."""

    message: str
    hint: str = ""
    file: Path | None = None
    line: int | None = None
    column: int | None = None

    exit_code = EXIT_BAD_INPUT

    def where(self) -> str:
        if self.file is None:
            return ""
        place = str(self.file)
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class LoadError(ZonekgError):
    """A data, ontology or shapes file that cannot be read or parsed."""


class QueryError(ZonekgError):
    """A query that cannot be found, parsed or allowed."""


class LimitError(ZonekgError):
    """Work stopped because it reached a limit; the hint says how to raise it."""


class GuardError(ZonekgError):
    """An attempt to reach the network or a file that was not allowed."""
