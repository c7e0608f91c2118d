"""Finding the input files, and reading them within bounds.

Only regular files are read: a FIFO would block a reader forever and a device
(``/dev/urandom``, a link to one) never ends, so both are refused by ``stat``
before anything is opened, and no file is read past the size limit even if it
grows while it is being read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from ..core import paths
from ..core.errors import LoadError, ZonekgError
from .checks import check_size, size_cap

#: Suffixes of the RDF files a folder is searched for, and the syntax of each.
SYNTAX = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}


def data_files(sources: Sequence[Path] | None = None) -> list[Path]:
    """The Turtle/TriG files named by *sources* (files or folders), or the project's data.

    Folders are read one level deep, so ``data/`` means its topic files, not
    ``data/invalid/``.
    """
    if not sources:
        sources = [paths.require(paths.DATA, "the project's data folder")]
    files: list[Path] = []
    for source in sources:
        source = Path(source)
        info = _stat(source)
        if stat.S_ISDIR(info.st_mode):
            found = sorted(
                p for p in _list_folder(source) if p.suffix in SYNTAX and not p.name.startswith(".")
            )
            if not found:
                raise LoadError(
                    "no Turtle (.ttl), TriG (.trig) or N-Quads (.nq) files in this folder",
                    hint="name a folder that holds such files, or the files themselves",
                    file=source,
                )
            for file in found:
                require_regular(file)
            files.extend(found)
        else:
            require_regular(source, info)
            files.append(source)
    return files


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise LoadError(
            "no such file or folder", hint="check the path given on the command line", file=path
        ) from None
    except OSError as exc:
        raise LoadError(
            f"cannot read: {exc.strerror}", hint="check the path and its permissions", file=path
        ) from None


def _list_folder(folder: Path) -> list[Path]:
    """The folder's entries; a folder that cannot be listed is an error, never 'empty'."""
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in entries]
    except OSError as exc:
        raise ZonekgError(
            f"cannot read this folder: {exc.strerror}",
            hint="check its permissions (it must be readable and searchable), or name the files",
            file=folder,
        ) from None


def require_utf8_name(file: Path) -> None:
    """Refuse a file whose name is not UTF-8: it cannot name a graph, a location or a link."""
    try:
        os.fspath(file).encode("utf-8")
    except UnicodeEncodeError:
        raise LoadError(
            "this file's name is not UTF-8 text (it holds bytes of another encoding): "
            "it is not read",
            hint="rename the file with a UTF-8 name (for example with convmv), then run again",
            file=Path(os.fsencode(file).decode("utf-8", "backslashreplace")),
        ) from None


def require_regular(file: Path, info: os.stat_result | None = None) -> None:
    """Refuse anything but a regular file (a FIFO, a device, a socket), before opening it."""
    require_utf8_name(file)
    info = info or _stat(file)
    if stat.S_ISREG(info.st_mode):
        return
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "a folder"
        if stat.S_ISDIR(info.st_mode)
        else "not a regular file"
    )
    raise LoadError(
        f"{kind}, not a regular file: it is not read",
        hint="name a regular Turtle or TriG file",
        file=file,
    )


def read_bounded(file: Path) -> bytes:
    """The bytes of a regular file, refusing it once it passes the size limit."""
    file = Path(file)
    info = _stat(file)
    require_regular(file, info)
    check_size(info.st_size, file)
    cap = size_cap()
    try:
        with file.open("rb") as handle:
            data = handle.read(cap + 1)
    except OSError as exc:
        raise LoadError(
            f"cannot read: {exc.strerror}", hint="check permissions", file=file
        ) from None
    check_size(len(data), file)  # it grew while being read
    return data


def syntax_of(file: Path) -> str:
    return SYNTAX.get(Path(file).suffix, "turtle")
