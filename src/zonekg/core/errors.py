"""The errors a user can cause, each with where it happened and what to do.

Exit codes: 1 when the data fails a check, 2 for bad input or usage (a limit
reached or an access refused included), 3 for an internal error (a bug).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


@dataclass(frozen=True)
class Setting:
    """A setting that a message or a hint names, in the API's words: a keyword argument of
    the API (``engine``), or a field of a settings value (``within="Limits"``), with the
    value it has or should have where the text gives one.

    ``str()`` is how Python callers read it (``engine='reference'``,
    ``Limits(timeout=…)``); each caller above the API names it its own way: the command
    line by its flags (``cli.options.flag``), the server in its words. So
    no layer below the command line ever writes a flag.
    """

    parameter: str
    value: Any = None
    within: str = ""

    def __str__(self) -> str:
        shown = "…" if self.value is None else repr(self.value)
        if self.within:
            return f"{self.within}({self.parameter}={shown})"
        return f"{self.parameter}={shown}"


@dataclass
class ZonekgError(Exception):
    """Bad input: a file, a query or an argument the user gave.

    *settings* are the settings that *message* and *hint* name (each written as
    ``str(setting)``), so that a caller can say them in its own words (``words``).
    """

    message: str
    hint: str = ""
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    settings: tuple[Setting, ...] = ()

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


@dataclass
class UnknownName(QueryError):
    """A name that names no entity, or several: *found* is what the search found (the
    matches to choose from, or the closest names)."""

    found: Any = None


@dataclass
class LimitError(ZonekgError):
    """Work stopped because it reached a limit (*limit*: its field of ``Limits``); the hint
    says how to raise it."""

    limit: str = ""


@dataclass(init=False)
class InvalidChoice(ZonekgError):
    """*value* is not one of the fixed *choices* the API parameter *parameter* takes."""

    parameter: str = ""
    value: Any = None
    choices: tuple[str, ...] = ()

    def __init__(
        self, parameter: str, value: Any, choices: Iterable[str], hint: str = "", **where: Any
    ) -> None:
        self.parameter, self.value, self.choices = parameter, value, tuple(choices)
        setting = Setting(parameter, value)
        where.setdefault("message", f"{setting} is not one of: {', '.join(self.choices)}")
        where.setdefault("settings", (setting,))
        super().__init__(hint=hint, **where)


@dataclass(init=False)
class InvalidValue(ZonekgError):
    """*value* is not what the API parameter *parameter* takes: *requirement* says what is
    (``"at least 1"``, ``"a positive number of seconds"``)."""

    parameter: str = ""
    value: Any = None
    requirement: str = ""

    def __init__(
        self,
        parameter: str,
        value: Any,
        requirement: str,
        hint: str = "",
        within: str = "",
        **where: Any,
    ) -> None:
        self.parameter, self.value, self.requirement = parameter, value, requirement
        setting = Setting(parameter, value, within)
        where.setdefault("message", f"{setting} is not {requirement}")
        where.setdefault("settings", (setting,))
        super().__init__(hint=hint, **where)


class InputWarning(UserWarning):
    """A problem with an input that is read all the same (a relative IRI resolved against
    the file's graph, an IRI that displays as another): its text names the file and line
    and what to do. Issued with ``warnings.warn``, so that a Python caller filters it as
    any other warning and the command line prints it as its own."""


class Note(str):
    """A note for the user (a hand-over, a warning), with the settings it names (as
    ``ZonekgError.settings``), so that each caller can say them in its own words."""

    settings: tuple[Setting, ...]

    def __new__(cls, text: str, settings: Iterable[Setting] = ()) -> Note:
        note = super().__new__(cls, text)
        note.settings = tuple(settings)
        return note

    def __reduce__(self):
        return (Note, (str(self), self.settings))


def words(text: str | BaseException, name) -> str:
    """*text* (an error or a note) with each setting it names said by *name*
    (``Setting -> str``): the command line's flags, the server's words."""
    shown = str(text)
    for setting in getattr(text, "settings", ()):
        shown = shown.replace(str(setting), name(setting))
    return shown


class GuardError(ZonekgError):
    """An attempt to reach the network or a file that was not allowed."""


class EnvironmentProblem(ZonekgError):
    """The machine refused: a read-only or full disk, a permission, too many open files."""


#: The memory limit, as a hint names it (a field of ``core.settings.Limits``).
MEMORY = Setting("memory_mb", within="Limits")

_ERRNO_ADVICE = {
    "EROFS": ("the file system is read-only", "write somewhere writable (e.g. into build/)"),
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
    "ENOMEM": ("out of memory", f"free memory or lower the work ({MEMORY}, smaller input)"),
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
            return EnvironmentProblem(
                f"cannot write or read here: {what}",
                hint=hint,
                file=shown,
                settings=(MEMORY,) if str(MEMORY) in hint else (),
            )
    if isinstance(exc, UnicodeEncodeError) and "surrogates not allowed" in str(exc):
        return EnvironmentProblem(
            "a file or folder name is not UTF-8 text",
            hint="rename it with a UTF-8 name (for example with convmv), then run again",
        )
    return None
