"""Writing files so that a failure never leaves a partial or truncated target.

``Graph.serialize(path)`` truncates the target first, so a failed export
leaves a shorter file that still parses. Here the content goes to a temporary
file beside the target, RDF is parsed back from it when the format is known,
and only then does a rename replace the target. Writers of the same folder
hold an exclusive lock (``flock`` on the folder) for the whole sequence, so two
processes writing one path never interleave: the target is always exactly
one writer's complete content.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import ZonekgError, environment_error


def folder_lock(folder: Path) -> contextlib.AbstractContextManager[None]:
    """Hold an exclusive lock on *folder* (blocks while another process holds it)."""
    return _locked(os.open(folder, os.O_RDONLY | os.O_DIRECTORY))


def file_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold an exclusive lock on the file *path*, made empty if missing (blocks while
    another process holds it): for work that no folder lock should wait on."""
    return _locked(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))


@contextlib.contextmanager
def _locked(fd: int) -> Iterator[None]:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_atomic(
    target: Path, content: str | bytes, rdf_format: str | None = None, durable: bool = True
) -> None:
    """Write *content* to a temporary file beside *target*, then rename it over *target*.

    With *rdf_format* (a name from ``core.formats``: turtle, ntriples, nquads,
    trig, rdfxml, jsonld), the temporary file is parsed back first and the
    target is left untouched if that fails. *durable*: on the disk before the rename
    (``fsync``), so that a power cut leaves the old file or the new one; a file whose
    reader verifies it (a cache entry, against its manifest) need not be.
    """
    target = Path(target)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, data, rdf_format, durable)
    except OSError as exc:  # a full or read-only disk, a permission: said of the target
        problem = environment_error(exc)
        if problem is None:
            raise
        problem.file = target
        raise problem from None


def _write(target: Path, data: bytes, rdf_format: str | None, durable: bool) -> None:
    with folder_lock(target.parent):
        # Holding the lock, no other writer is between mkstemp and rename in this folder:
        # any temporary file left here is a killed run's, and goes.
        remove_stale_temp_files(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.zkt.", suffix=".tmp", dir=target.parent)
        try:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            os.chmod(tmp, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
            if rdf_format is not None:
                _parse_back(Path(tmp), rdf_format, target)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _parse_back(tmp: Path, rdf_format: str, target: Path) -> None:
    from ..core.formats import parse_back

    try:
        parse_back(tmp, rdf_format)
    except Exception as exc:
        raise ZonekgError(
            f"the {rdf_format} written for this file does not parse back ({exc}); "
            "the file was left unchanged",
            hint="this is a bug in the writer: please report it",
            file=target,
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temp_files(folder: Path) -> None:
    """Remove write_atomic's temporary files of killed runs (call with the folder lock held)."""
    # os.scandir, names only: the cache folder holds thousands of entries, and a Path per
    # entry made each write of a checked file's verdict cost 40 ms at 12,000 of them
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") and name.endswith(".tmp") and ".zkt." in name:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
