"""Where outputs may go: the one check every writer makes before it writes.

An output never lands on or over the project's sources (``data/``,
``ontology/``, ``queries/``, ``src/``, ``tests/``, ``docs/``, ``.git``, the
checkout root itself), nor inside the installed package (whose ``home`` folder
holds the project's files when zonekg is installed from a wheel), nor on an input
of the run, and a folder output never replaces a non-empty folder unless that
folder is a previous output of the same command (it carries a marker file naming
the command). ``zonekg fmt`` is the one command that rewrites sources on purpose,
and it does not come here.

The same module swaps a finished folder into place (``swap_folder``) with
``renameat2(RENAME_EXCHANGE)`` where Linux has it, so a run killed at any
moment leaves the old folder or the new one, and cleans up the staging
folders and temporary files that killed runs left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..core import paths
from ..core.errors import ZonekgError

#: The marker a folder output carries: its content names the command that wrote it.
MARKER = ".zonekg-output"
#: The project's source folders (relative to the checkout root).
SOURCE_FOLDERS = (
    "data",
    "ontology",
    "queries",
    "src",
    "tests",
    "docs",
    "benchmarks",
    ".git",
    ".ci",
)


def _resolved(path: Path) -> Path:
    """*path* made absolute with symlinks followed (also for a path that does not exist yet)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def _roots() -> list[Path]:
    """Checkouts whose sources are protected: the project's, and a zonekg checkout around
    the working folder (when the package is installed from elsewhere)."""
    roots = [_resolved(paths.ROOT)]
    cwd = _resolved(Path.cwd())
    for folder in (cwd, *cwd.parents):
        if (folder / "ontology" / "zonekg.ttl").is_file() and folder not in roots:
            roots.append(folder)
            break
    return roots


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse(target: Path, why: str, hint: str) -> ZonekgError:
    return ZonekgError(f"refusing to write here: {why}", hint=hint, file=target)


_HINT_ELSEWHERE = "write outputs under build/ or another folder of your own"


def _check_sources(target: Path, given: Path, inputs: Iterable[Path]) -> None:
    package = _resolved(paths.PACKAGE)
    if _inside(target, package):
        raise _refuse(
            given,
            f"it is inside the zonekg package ({package}: its code and the project's files)",
            _HINT_ELSEWHERE,
        )
    for root in _roots():
        if target == root or target in root.parents:
            raise _refuse(given, f"it is (or holds) the checkout {root}", _HINT_ELSEWHERE)
        for name in SOURCE_FOLDERS:
            if _inside(target, root / name):
                raise _refuse(
                    given, f"it is inside the project's sources ({name}/)", _HINT_ELSEWHERE
                )
    for source in inputs:
        source = _resolved(source)
        if target == source or target in source.parents:
            raise _refuse(given, "it is an input of this run", _HINT_ELSEWHERE)


def check_place(target: Path, inputs: Iterable[Path] = ()) -> Path:
    """Refuse any output on or over the project's sources or an input; the path, resolved."""
    resolved = _resolved(Path(target))
    _check_sources(resolved, Path(target), inputs)
    return resolved


#: Files at the top of a checkout that an output may replace (earlier outputs).
OUTPUT_SUFFIXES = (
    ".ttl",
    ".nt",
    ".nq",
    ".trig",
    ".jsonld",
    ".rdf",
    ".csv",
    ".svg",
    ".png",
    ".dot",
    ".gv",
)


def check_file(target: Path, inputs: Iterable[Path] = ()) -> Path:
    """Refuse a file output on the sources, on an input, or on a file in a checkout's root.

    Returns the path to write (symlinks followed).
    """
    given = Path(target)
    resolved = _resolved(given)
    _check_sources(resolved, given, inputs)
    for root in _roots():
        if (
            resolved.parent == root
            and resolved.exists()
            and resolved.suffix.lower() not in OUTPUT_SUFFIXES
        ):
            raise _refuse(
                given,
                "it would replace a file at the top of the checkout",
                _HINT_ELSEWHERE,
            )
    if resolved.is_dir():
        raise _refuse(given, "it is a folder", "give a file name")
    return resolved


def check_folder(target: Path, command: str, inputs: Iterable[Path] = ()) -> Path:
    """Refuse a folder output on the sources, or on a non-empty folder not made by *command*.

    A folder that *command* made before carries ``MARKER`` with its name and may be replaced.
    """
    given = Path(target)
    resolved = _resolved(given)
    _check_sources(resolved, given, inputs)
    if resolved.exists() and not resolved.is_dir():
        raise _refuse(given, "it is a file, not a folder", "give a folder (new or empty)")
    if resolved.is_dir() and any(resolved.iterdir()) and not is_output_of(resolved, command):
        raise _refuse(
            given,
            f"the folder is not empty and is not a previous `zonekg {command}` output",
            f"give a new or empty folder (a `zonekg {command}` output carries {MARKER})",
        )
    return resolved


def is_output_of(folder: Path, command: str) -> bool:
    try:
        return (Path(folder) / MARKER).read_text(encoding="utf-8").strip() == command
    except (OSError, UnicodeDecodeError):
        return False


def mark(folder: Path, command: str) -> None:
    """Mark *folder* as the output of *command*, so that a later run may replace it."""
    (Path(folder) / MARKER).write_text(command + "\n", encoding="utf-8")


# --- swapping a finished folder into place --------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange *a* and *b* (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the kernel or the file system cannot exchange: fall back
    raise OSError(code, os.strerror(code), str(b))


def staging_name(target: Path) -> str:
    """The prefix of this run's staging folder beside *target* (it names the pid)."""
    return f".{Path(target).name}.staging.{os.getpid()}."


def swap_folder(staging: Path, target: Path) -> None:
    """Put the finished *staging* folder at *target*; a kill at any moment leaves old or new."""
    staging, target = Path(staging), Path(target)
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old folder
        return
    # Fallback: two renames. A kill between them leaves the old folder at `old`,
    # which the next run puts back (recover_folder) before it does anything else.
    old = target.parent / f".{target.name}.old.{os.getpid()}"
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


_PID = re.compile(r"\.(?:staging|old)\.(\d+)")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_folder(target: Path) -> list[Path]:
    """Clean up after killed runs: remove dead runs' staging folders, put back an old folder.

    Returns what was removed or restored.
    """
    target = Path(target)
    parent = target.parent
    done: list[Path] = []
    if not parent.is_dir():
        return done
    for entry in sorted(parent.iterdir()):
        name = entry.name
        if not name.startswith(f".{target.name}."):
            continue
        found = _PID.search(name[len(target.name) + 1 :])
        if found is None or _alive(int(found.group(1))):
            continue
        if ".old." in name and not target.exists():
            os.rename(entry, target)  # the fallback swap was killed between its renames
        else:
            shutil.rmtree(entry, ignore_errors=True)
        done.append(entry)
    return done


def remove_stale_temp_files(folder: Path) -> None:
    """Remove write_atomic temporary files of killed runs (call with the folder lock held)."""
    with contextlib.suppress(OSError):
        for entry in Path(folder).iterdir():
            name = entry.name
            if name.startswith(".") and name.endswith(".tmp") and ".zkt." in name:
                with contextlib.suppress(OSError):
                    entry.unlink()
