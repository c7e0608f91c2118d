"""Where outputs may go: the one check every writer makes before it writes.

An output never lands on or over the project's sources (``data/``,
``ontology/``, ``queries/``, ``src/``, ``tests/``, ``docs/``, ``.git``, the
checkout root itself), nor inside the installed package (whose ``home`` folder
holds the project's files when zonekg is installed from a wheel), nor on an input
of the run, and a folder output never replaces a non-empty folder unless that
folder is a previous output of the same command, as it left it. ``zonekg fmt`` is
the one command that rewrites sources on purpose, and it does not come here.

A folder output is sealed (``mark``): ``SHA256SUMS`` lists every file in it with
its SHA-256, and the marker ``.zonekg-output`` names the command and the SHA-256
of that ``SHA256SUMS``. A folder is taken for an earlier output (``output_problem``)
only when its marker is a regular file (not a link) naming the command, its
``SHA256SUMS`` is the one the marker names, and every file in the folder is listed
there with the digest it had: a file added or changed since (a user's own) makes
the folder someone else's, and it is left alone with that file named.

The same module swaps a finished folder into place (``swap_folder``) with
``renameat2(RENAME_EXCHANGE)`` where Linux has it, so a run killed at any
moment leaves the old folder or the new one, and cleans up the staging
folders and temporary files that killed runs left behind.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from ..core import paths
from ..core.errors import ZonekgError

#: The marker a folder output carries: the command that wrote it and its SHA256SUMS's digest.
MARKER = ".zonekg-output"
#: The checksums of a folder output (``sha256sum`` format), every file but itself and MARKER.
SUMS = "SHA256SUMS"
#: The first line of a marker of this format (older markers held just the command's name).
MARKER_FORMAT = "zonekg-output 2"
#: Bounds on what a marker and a SHA256SUMS may take (they are read before anything is trusted).
_MARKER_CAP = 4096
_SUMS_CAP = 16 * 1024 * 1024
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
    """Refuse a folder output on the sources, or on a non-empty folder that is not an
    earlier output of *command* as that command left it (``output_problem``)."""
    given = Path(target)
    resolved = _resolved(given)
    _check_sources(resolved, given, inputs)
    if resolved.exists() and not resolved.is_dir():
        raise _refuse(given, "it is a file, not a folder", "give a folder (new or empty)")
    if resolved.is_dir() and any(resolved.iterdir()):
        problem = output_problem(resolved, command)
        if problem is not None:
            why, hint = problem
            raise _refuse(given, why, hint)
    return resolved


def is_output_of(folder: Path, command: str) -> bool:
    return output_problem(Path(folder), command) is None


def output_problem(folder: Path, command: str) -> tuple[str, str] | None:
    """Why the non-empty *folder* may not be replaced by *command*'s output (and what to
    do), or None when it is an earlier output of *command*, every file as written."""
    not_ours = f"the folder is not empty and is not a previous `zonekg {command}` output"
    hint = (
        f"give a new or empty folder (a `zonekg {command}` output carries {MARKER} and "
        f"{SUMS}, and is replaced only as it was written)"
    )
    try:
        marker = _read_small(folder / MARKER, _MARKER_CAP)
    except FileNotFoundError:
        return not_ours, hint
    except NotRegular as exc:
        return f"{not_ours}: its {MARKER} {exc}, not a marker zonekg wrote", hint
    lines = marker.decode("utf-8", "replace").splitlines()
    old_format = [line.strip() for line in lines if line.strip()] == [command]
    fields = dict(line.partition(": ")[::2] for line in lines[1:])
    if not old_format and (lines[:1] != [MARKER_FORMAT] or fields.get("command") != command):
        return f"{not_ours} ({MARKER} does not name `zonekg {command}`)", hint
    try:
        sums = _read_small(folder / SUMS, _SUMS_CAP)
    except (FileNotFoundError, NotRegular):
        if old_format:  # an older zonekg's marker: a bare word, with no checksums to go by
            return (
                f"{not_ours}: its {MARKER} is an older zonekg's (just the word {command!r}) "
                f"and there is no {SUMS} to show that every file in it is that output's",
                "check that nothing in the folder is yours, then remove it yourself or give "
                "a new folder (outputs are now sealed with checksums, and replaced only whole)",
            )
        return f"{not_ours}: its {SUMS} is missing", hint
    if not old_format and fields.get("sha256sums") != hashlib.sha256(sums).hexdigest():
        return f"{not_ours}: its {SUMS} is not the one its {MARKER} names", hint
    # An older bundle listed its marker in SHA256SUMS; a new one cannot (the marker names it).
    skip = {SUMS} if old_format else {SUMS, MARKER}
    stranger = _unlisted_or_changed(folder, _parse_sums(sums), skip)
    if stranger is not None:
        return (
            f"the folder holds {stranger}, so it is not only a previous `zonekg {command}` "
            "output: it is left alone",
            f"move {stranger.split(' ', 1)[0]} out of the folder (it may be yours), or give a "
            "new or empty folder",
        )
    return None


def mark(folder: Path, command: str) -> None:
    """Seal *folder* as the output of *command*: ``SHA256SUMS`` of every file in it, then
    the marker naming the command and the digest of that ``SHA256SUMS``, each atomically."""
    from .atomic import write_atomic

    folder = Path(folder)
    names = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and path.name not in (SUMS, MARKER)
    )
    sums = "".join(f"{_sha256(folder / name)}  {name}\n" for name in names).encode("utf-8")
    write_atomic(folder / SUMS, sums)
    digest = hashlib.sha256(sums).hexdigest()
    write_atomic(folder / MARKER, f"{MARKER_FORMAT}\ncommand: {command}\nsha256sums: {digest}\n")


def mark_store(folder: Path, command: str) -> None:
    """Mark *folder* as made by *command* for a store of its own (a ``store`` folder): the files
    in it are the storage engine's, which change with every write, so no checksums; the
    store checks that every file in the folder is one of its kind (``engines``)."""
    from .atomic import write_atomic

    write_atomic(Path(folder) / MARKER, f"{MARKER_FORMAT}\ncommand: {command}\n")


def is_marked(folder: Path, command: str) -> bool:
    """Whether *folder* carries a marker (a regular file, never a link) naming *command*."""
    try:
        lines = _read_small(Path(folder) / MARKER, _MARKER_CAP).decode("utf-8", "replace")
    except (FileNotFoundError, NotRegular):
        return False
    lines = lines.splitlines()
    return lines[:2] == [MARKER_FORMAT, f"command: {command}"]


class NotRegular(Exception):
    """A path that is a symbolic link or not a regular file; the message says which."""


def read_regular(path: Path, cap: int) -> bytes:
    """At most *cap* + 1 bytes of *path*, a regular file, never read through a link: a
    link is refused before the open (lstat), and the open does not follow one either.

    FileNotFoundError when there is nothing there; NotRegular for anything else.
    """
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise NotRegular("is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise NotRegular("is not a regular file")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:  # replaced by a link or something else since lstat
        raise NotRegular(f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegular("is not a regular file")
        return handle.read(cap + 1)


def _read_small(path: Path, cap: int) -> bytes:
    data = read_regular(path, cap)
    if len(data) > cap:
        raise NotRegular(f"is larger than zonekg writes it ({cap} bytes)")
    return data


def _parse_sums(sums: bytes) -> dict[str, str]:
    listed = {}
    for line in sums.decode("utf-8", "replace").splitlines():
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            listed[name] = digest.lower()
    return listed


def _unlisted_or_changed(folder: Path, listed: dict[str, str], skip: set[str]) -> str | None:
    """The first entry of *folder* that its checksums do not vouch for, described, or None.

    A link (to a file or a folder) or anything else that is not a regular file or a
    folder is never one of ours. A listed file that is gone is fine: replacing the
    folder loses nothing of anyone's.
    """
    for here, folders, files in os.walk(folder):
        base = Path(here)
        for name in sorted(folders + files):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode):
                continue
            if stat.S_ISLNK(info.st_mode):
                return f"{relative} (a symbolic link, which zonekg never writes)"
            if not stat.S_ISREG(info.st_mode):
                return f"{relative} (not a regular file)"
            if relative in skip:
                continue
            if relative not in listed:
                return f"{relative} (not in its {SUMS}: added since)"
            if _sha256(path) != listed[relative]:
                return f"{relative} (changed since zonekg wrote it)"
        folders[:] = [f for f in folders if not (base / f).is_symlink()]
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def replace_folder(staging: Path, target: Path, command: str) -> None:
    """Swap the sealed *staging* folder in at *target*, checking again first that *target*
    is still only *command*'s earlier output (a file may have been added while the new
    one was being built)."""
    target = Path(target)
    if target.is_dir() and any(target.iterdir()):
        problem = output_problem(target, command)
        if problem is not None:
            raise _refuse(target, *problem)
    swap_folder(staging, target)


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


def process_alive(pid: int) -> bool:
    """Whether process *pid* runs (this one does): whose leftovers must not be removed."""
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
        if found is None or process_alive(int(found.group(1))):
            continue
        if ".old." in name and not target.exists():
            os.rename(entry, target)  # the fallback swap was killed between its renames
        else:
            shutil.rmtree(entry, ignore_errors=True)
        done.append(entry)
    return done
