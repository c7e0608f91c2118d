"""Finding the input files, and reading them within bounds.

Only regular files are read: a FIFO would block a reader forever and a device
(``/dev/urandom``, a link to one) never ends, so both are refused by ``stat``
before anything is opened, and no file is read past the size limit even if it
grows while it is being read.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Sequence
from pathlib import Path

from ..core import paths
from ..core.errors import LoadError, ZonekgError
from ..core.settings import DEFAULT_LIMITS, Limits
from .checks import check_size, size_cap, warn

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


def read_bounded(file: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file, refusing it once it passes the size limit."""
    return _read(Path(file), limits)[0]


#: From this size on a file's SHA-256 is remembered under its identity, and a file whose
#: identity is remembered is not read to be hashed: looking it up took 0.03-0.05 ms, reading
#: and hashing 0.1 ms at 180 kB and 2.8 ms at 4.7 MB (reading 100k triples' 25 MB and
#: hashing them was 31 ms of a later question's 150).
RECALL_FROM_BYTES = 64 * 1024
#: A file changed less long than this before it was read is not remembered: a file system
#: stamps its times from a clock that may tick coarsely (a jiffy, or a second on some), so
#: a second write in the same tick could leave the same identity; later reads remember it.
SETTLED_NS = 3 * 10**9


def read_hashed(
    file: Path, limits: Limits = DEFAULT_LIMITS, recall: bool = True
) -> tuple[bytes | None, str, int]:
    """(bytes, SHA-256, size) of a regular file within the size limit. The bytes are None
    when the file was not read: its SHA-256 is remembered under its identity (device,
    inode, size, modification and change times; the kernel sets the change time on every
    write and no call sets it back), for files of ``RECALL_FROM_BYTES`` or more. *recall*:
    look it up (False: ``recalled`` did already)."""
    file = Path(file)
    info = _stat(file)
    require_regular(file, info)
    check_size(info.st_size, file, limits)
    remembered = info.st_size >= RECALL_FROM_BYTES
    if remembered and recall:
        digest = _recalled(file, info)
        if digest is not None:
            return None, digest, info.st_size
    data, settled = _read(file, limits, info)
    digest = hashlib.sha256(data).hexdigest()
    if remembered and settled is not None:
        _remember(settled, digest)
    return data, digest, len(data)


def recalled(file: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[None, str, int] | None:
    """``read_hashed``'s answer for a file whose digest is remembered, or None: not
    remembered, or a file ``read_hashed`` refuses (it says why, in its turn)."""
    try:
        file = Path(file)
        info = _stat(file)
        require_regular(file, info)
        check_size(info.st_size, file, limits)
    except ZonekgError:
        return None
    if info.st_size < RECALL_FROM_BYTES:
        return None
    digest = _recalled(file, info)
    return None if digest is None else (None, digest, info.st_size)


def reread(file: Path, size: int, digest: str) -> bytes:
    """The bytes of *file*, which must still be the *size* bytes of SHA-256 *digest* it
    was checked as (what is loaded is what was checked)."""
    file = Path(file)
    require_regular(file)  # (replaced by a FIFO since, it would block the read)
    try:
        with file.open("rb") as handle:
            data = handle.read(size + 1)
    except OSError as exc:
        raise LoadError(
            f"cannot read: {exc.strerror}", hint="check permissions", file=file
        ) from None
    if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
        raise LoadError(
            "the file changed while the command ran (it is not the file that was checked)",
            hint="run the command again once the file is saved",
            file=file,
        )
    return data


def _read(
    file: Path, limits: Limits, info: os.stat_result | None = None
) -> tuple[bytes, os.stat_result | None]:
    """The file's bytes, and its status if it did not change while read and was last
    changed ``SETTLED_NS`` before (None otherwise). *info*: its status, checked already."""
    if info is None:
        info = _stat(file)
        require_regular(file, info)
        check_size(info.st_size, file, limits)
    cap = size_cap(limits)
    try:
        with file.open("rb") as handle:
            before = os.fstat(handle.fileno())
            data = handle.read(cap + 1)
            after = os.fstat(handle.fileno())
    except OSError as exc:
        raise LoadError(
            f"cannot read: {exc.strerror}", hint="check permissions", file=file
        ) from None
    check_size(len(data), file, limits)  # it grew while being read
    from ..safety.cache import identity

    steady = identity(before) == identity(after) and after.st_size == len(data)
    settled = steady and after.st_ctime_ns <= time.time_ns() - SETTLED_NS
    return data, after if settled else None


def _recall_key(info: os.stat_result) -> str:
    from ..safety.cache import identity

    text = "zonekg input identity 1\0" + " ".join(map(str, identity(info)))
    return hashlib.sha256(text.encode()).hexdigest()


def _recall_file(key: str) -> Path:
    return paths.cache_folder() / "seen" / f"{key[:40]}.txt"


def _recalled(file: Path, info: os.stat_result) -> str | None:
    """The SHA-256 remembered for the file of status *info*, or None."""
    from ..safety import cache

    key = _recall_key(info)
    where = _recall_file(key)
    try:
        entry = cache.read(paths.cache_folder(), where, key, 64)
        if entry is None:
            return None
        digest = entry.data.decode("ascii", "replace")
        if entry.count != info.st_size or not _SHA256.fullmatch(digest):
            raise cache.Damaged("it is not the SHA-256 of a file of this size")
    except cache.Damaged as damage:
        cache.discard(paths.cache_folder(), where)
        warn(f"the remembered digest of {file} ({where}) was not used: {damage}")
        return None
    return digest


def _remember(info: os.stat_result, digest: str) -> None:
    from ..safety import cache

    key = _recall_key(info)
    cache.write(paths.cache_folder(), _recall_file(key), key, digest.encode(), info.st_size)


_SHA256 = re.compile("[0-9a-f]{64}")


def syntax_of(file: Path) -> str:
    return SYNTAX.get(Path(file).suffix, "turtle")
