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


class EnvironmentProblem(ZonekgError):
    """The machine refused: a read-only or full disk, a permission, too many open files."""


_ERRNO_ADVICE = {
    "EROFS": ("the file system is read-only", "write somewhere writable (e.g. -o build/...)"),
    "EACCES": ("permission denied", "check the permissions of the file and its folder"),
    "EPERM": ("operation not permitted", "check the permissions of the file and its folder"),
    "ENOSPC": ("no space left on the device", "free some space, or write to another disk"),
    "EDQUOT": ("disk quota exceeded", "free some space, or write to another disk"),
    "EMFILE": ("too many open files", "raise the limit (ulimit -n) and run again"),
    "ENFILE": ("too many open files on this system", "close other programs and run again"),
    "EIO": ("input/output error from the disk", "check the disk (dmesg), then run again"),
    "ENAMETOOLONG": ("the file name is too long", "use a shorter path"),
    "ENOTDIR": ("a part of the path is not a folder", "check the path"),
    "EISDIR": ("it is a folder, not a file", "give a file name"),
    "ELOOP": ("too many levels of symbolic links", "check the links on the path"),
    "EXDEV": ("the path crosses file systems", "write within one file system"),
    "ENOMEM": ("out of memory", "free memory or lower the work (--memory, smaller input)"),
}


def environment_error(exc: BaseException) -> ZonekgError | None:
    """A clear exit-2 error for a failure of the machine rather than of zonekg, else None.

    ``OSError`` with a known errno (read-only or full disk, permissions, ...), and a
    file name that is not UTF-8, are the user's to fix, not bugs to report.
    """
    import errno as errnos

    if isinstance(exc, OSError) and exc.errno is not None:
        name = errnos.errorcode.get(exc.errno, "")
        if name in _ERRNO_ADVICE:
            what, hint = _ERRNO_ADVICE[name]
            target = exc.filename if exc.filename is not None else None
            shown = None
            if target is not None:
                raw = (
                    target
                    if isinstance(target, bytes)
                    else str(target).encode("utf-8", "surrogateescape")
                )
                shown = Path(raw.decode("utf-8", "backslashreplace"))
            return EnvironmentProblem(f"cannot write or read here: {what}", hint=hint, file=shown)
    if isinstance(exc, UnicodeEncodeError) and "surrogates not allowed" in str(exc):
        return EnvironmentProblem(
            "a file or folder name is not UTF-8 text",
            hint="rename it with a UTF-8 name (for example with convmv), then run again",
        )
    return None
