"""Entries of the cache folder: kept with a manifest, used only when they check out.

An entry is a payload file and, beside it, its manifest (``NAME.manifest.json``): the
key it was made for, the SHA-256 and size of the payload's bytes, and how many items
(triples, graphs) it holds. The payload is written first and the manifest last, each
atomically, so a manifest only ever describes a complete payload.

Reading takes both as regular files (never through a symbolic link: opened with
``O_NOFOLLOW``) in a folder inside the cache folder, within a size cap, in Python (so
the offline guard sees the read; no native parser is handed a path). The payload's
bytes must hash to the manifest's digest, and the caller checks the item count when it
parses them. Anything else (a truncated or extended payload, a missing or foreign
manifest, a link, a device) is ``Damaged``: the caller discards the entry, says so, and
computes the result again. An entry is never half-used. Entries take at most
``$ZONEKG_CACHE_FILES_MB`` of disk (``bound``: the least recently written or read go
first), the kept stores ``$ZONEKG_CACHE_STORES_MB`` (``evict``).

Whoever can write the cache folder can write a matching manifest too: the cache is as
trusted as the folder it is in (``build/cache`` or ``$ZONEKG_CACHE``), which is why it
never leaves that folder and is never read through a link out of it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core import settings
from ..core.errors import ZonekgError
from .targets import NotRegular, process_alive, read_regular

FORMAT = "zonekg-cache 1"
MANIFEST_SUFFIX = ".manifest.json"
#: A manifest is a few hundred bytes; anything much larger is not one of ours.
_MANIFEST_CAP = 64 * 1024


class Damaged(Exception):
    """A cache entry that must not be used; the message says why (for the note)."""


@dataclass(frozen=True)
class Entry:
    data: bytes
    count: int


@functools.cache
def makers(code: Path, libraries: tuple[str, ...]) -> str:
    """The digest of what makes a kept result besides its inputs: the Python files under
    *code* and the installed versions of *libraries* (a changed maker never reads an old
    result)."""
    digest = hashlib.sha256()
    for library in libraries:
        digest.update(f"\0{library} {installed(library)}".encode())
    for file in sorted(code.rglob("*.py")):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def installed(library: str) -> str:
    """The installed version of *library*, by the name of its metadata folder beside it
    (importlib.metadata scans every installed package, and importing it takes 20 ms of a
    query's 200)."""
    from importlib.util import find_spec

    spec = find_spec(library)
    if spec is None or spec.origin is None:
        return "-"
    beside = Path(spec.origin).resolve().parents[1]
    names = sorted(p.name for p in beside.glob(f"{library}-*.dist-info"))
    return " ".join(names) or "-"


def manifest_path(payload: Path) -> Path:
    return payload.with_name(payload.name + MANIFEST_SUFFIX)


def read(root: Path, payload: Path, key: str, cap: int) -> Entry | None:
    """The entry at *payload* (under the cache folder *root*) made for *key*.

    None when there is no entry (no manifest: never written, or its write was cut
    short); ``Damaged`` when there is one that does not check out.
    """
    manifest_file = manifest_path(payload)
    _inside(root, payload)
    try:
        raw = _read_regular(manifest_file, _MANIFEST_CAP)
    except FileNotFoundError:
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        recorded = (manifest["format"], manifest["key"], manifest["sha256"])
        size, count = int(manifest["bytes"]), int(manifest["count"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Damaged("its manifest is not a zonekg cache manifest") from None
    if recorded[:2] != (FORMAT, key):
        raise Damaged("its manifest was written for other inputs or by another version")
    if size > cap:
        raise Damaged(f"it is larger ({size} bytes) than the cache reads ({cap} bytes)")
    try:
        data = _read_regular(payload, size)
    except FileNotFoundError:
        raise Damaged("the manifest is there but the entry is missing") from None
    if len(data) != size:
        more = "more than" if len(data) > size else f"{len(data)} bytes, not"
        raise Damaged(f"it holds {more} the {size} bytes its manifest records: cut or extended")
    if hashlib.sha256(data).hexdigest() != recorded[2]:
        raise Damaged("its bytes are not those its manifest records (another SHA-256): changed")
    with contextlib.suppress(OSError):  # just used: the last ``bound`` removes
        os.utime(manifest_file)
    return Entry(data, count)


def write(root: Path, payload: Path, key: str, data: bytes, count: int) -> None:
    """Keep *data* (holding *count* items) for *key*: the payload, then its manifest.

    A cache that cannot be written is skipped: the next command computes again.
    """
    from .atomic import write_atomic

    manifest = {
        "format": FORMAT,
        "key": key,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "count": count,
    }
    cap = int(settings.file_cache_mb() * 2**20)  # (a bad setting is said, not skipped)
    with contextlib.suppress(OSError, ZonekgError, Damaged):
        _inside(root, payload)
        discard(root, payload)  # no manifest while the payload changes
        # not synced to the disk: a read checks the payload against the manifest, so an entry
        # a power cut cut short is found and computed again (the 44 syncs of a first validate
        # of 100k triples' 21 files took 39 ms)
        write_atomic(payload, data, durable=False)
        write_atomic(manifest_path(payload), json.dumps(manifest, sort_keys=True), durable=False)
    # once a process, and after each big entry: a first validate keeps some forty small
    # ones, and looking over a few thousand entries takes some 10 ms
    if len(data) >= BOUND_EACH_FROM_BYTES or str(root) not in _bounded:
        _bounded.add(str(root))
        bound(root, cap, keep=payload)


#: An entry of this size or more bounds the cache's entries when it is written; smaller
#: ones only the first a process writes (``write``), so that the bound is the cap and less
#: than a megabyte an entry besides.
BOUND_EACH_FROM_BYTES = 2**20
_bounded: set[str] = set()


def bound(root: Path, cap: int, keep: Path | None = None) -> None:
    """Remove the least recently used entries of the cache folder *root* (in it and in its
    folders but ``stores/``, which has its own bound) until they take at most *cap* bytes;
    *keep*, the entry just written, stays. An entry is its payload and manifest; its last
    use is its manifest's time (``read`` sets it)."""
    entries = []
    for folder in [Path(root), *_entry_folders(root)]:
        with contextlib.suppress(OSError):
            for manifest in folder.iterdir():
                if not manifest.name.endswith(MANIFEST_SUFFIX) or manifest.name.startswith("."):
                    continue
                payload = manifest.with_name(manifest.name[: -len(MANIFEST_SUFFIX)])
                with contextlib.suppress(OSError):
                    info = os.lstat(manifest)
                    size = info.st_size + _size_of(payload)
                    entries.append((info.st_mtime_ns, size, payload))
    _remove_oldest(entries, cap, keep, lambda payload: discard(root, payload))


def _remove_oldest(entries: list[tuple], cap: int, keep: Path | None, remove) -> None:
    """``remove`` the least recently used of *entries* (last use, bytes, path) until they
    take at most *cap* bytes; *keep* stays."""
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= cap:
            break
        if keep is not None and path == Path(keep):
            continue
        remove(path)
        total -= size


def _entry_folders(root: Path) -> list[Path]:
    """The folders of *root* that hold file entries: all but ``stores/`` and hidden ones,
    never through a link."""
    found = []
    with contextlib.suppress(OSError):
        for folder in Path(root).iterdir():
            if folder.name == STORES or folder.name.startswith("."):
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISDIR(os.lstat(folder).st_mode):
                    found.append(folder)
    return found


def _size_of(path: Path) -> int:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def discard(root: Path, payload: Path) -> None:
    """Remove an entry: its manifest first (so that no half of it is ever trusted).

    Only in a folder inside the cache folder *root*: never through a link out of it.
    """
    try:
        _inside(root, payload)
    except Damaged:
        return
    for path in (manifest_path(payload), payload):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            path.unlink()


def _parent_inside(root: Path, path: Path) -> bool:
    try:
        _inside(root, Path(path))
        return True
    except Damaged:
        return False


def _inside(root: Path, payload: Path) -> None:
    """The entry's folder is the cache folder or one inside it (links followed)."""
    real_root = os.path.realpath(root)
    real_folder = os.path.realpath(Path(payload).parent)
    if real_folder != real_root and not real_folder.startswith(real_root + os.sep):
        raise Damaged(f"its folder leads outside the cache folder {root} (a link?)")


def _read_regular(path: Path, cap: int) -> bytes:
    try:
        return read_regular(path, cap)
    except NotRegular as exc:
        raise Damaged(f"{Path(path).name} {exc}, which the cache never reads") from None


# --- folder entries: a store the storage engine wrote, kept whole -------------------------
#
# A folder entry is a folder of regular files (an Oxigraph store) and, inside it, its
# manifest: the key, and the size and SHA-256 of every other file. It is built in a
# folder of its own (``.build-PID-…``) and sealed there, then renamed to its name, which
# is the one step that makes it an entry: a run killed before leaves a building folder
# that is never read (and is removed once its process is gone), never a half entry.
# Opening checks that the folder holds exactly the files the manifest lists, each a
# regular file of the recorded size and digest; anything else is ``Damaged``. A file whose
# identity is the one recorded when it was sealed (device, inode, size, modification and
# change times, in nanoseconds) is taken as read: the kernel sets a file's change time on
# every write to it, and no call lets a process set it back (``utime`` sets the other two),
# so a file written since has another. Any other file is read whole and its SHA-256
# compared. (Hashing a million triples' store every time took longer than parsing them.)

FOLDER_FORMAT = "zonekg-cache-folder 1"
FOLDER_MANIFEST = "zonekg-cache.manifest.json"
#: The folder of the cache folder the kept loads are in (with the keepers' requests).
STORES = "stores"
_BUILDING, _WORKING = ".build-", ".work-"


def seal_folder(folder: Path, key: str, count: int, **recorded) -> dict:
    """Write the manifest of the complete *folder*, made for *key* (holding *count* items)."""
    from .atomic import write_atomic

    files = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name == FOLDER_MANIFEST:
            continue
        size, digest = _digest_regular(entry, None)
        files[entry.name] = {"bytes": size, "sha256": digest, "identity": _identity(entry)}
    manifest = {"format": FOLDER_FORMAT, "key": key, "count": count, "files": files, **recorded}
    write_atomic(Path(folder) / FOLDER_MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def read_folder(root: Path, folder: Path, key: str, cap: int) -> dict | None:
    """The manifest of the entry *folder* (under the cache folder *root*) made for *key*,
    once every file checks out; None when there is no entry, ``Damaged`` when it does not
    check out (at most *cap* bytes are read)."""
    folder = Path(folder)
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        raise Damaged("it is not a folder (a link?), which the cache never reads")
    _inside(root, folder / FOLDER_MANIFEST)
    try:
        raw = _read_regular(folder / FOLDER_MANIFEST, _MANIFEST_CAP)
    except FileNotFoundError:
        raise Damaged("it has no manifest") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        recorded = (manifest["format"], manifest["key"])
        int(manifest["count"])
        files = {
            name: (int(entry["bytes"]), str(entry["sha256"]))
            for name, entry in manifest["files"].items()
        }
        identities = {name: entry.get("identity") for name, entry in manifest["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise Damaged("its manifest is not a zonekg cache manifest") from None
    if recorded != (FOLDER_FORMAT, key):
        raise Damaged("its manifest was written for other inputs or by another version")
    total = sum(size for size, _ in files.values())
    if total > cap:
        raise Damaged(f"it is larger ({total} bytes) than the cache reads ({cap} bytes)")
    present = {entry.name for entry in folder.iterdir()} - {FOLDER_MANIFEST}
    if present != set(files):
        odd = sorted(present ^ set(files))[:3]
        raise Damaged(f"it does not hold the files its manifest lists ({', '.join(odd)})")
    for name, (size, digest) in sorted(files.items()):
        try:
            if identities[name] is not None and _identity(folder / name) == identities[name]:
                continue  # not written since it was sealed (see above)
            found = _digest_regular(folder / name, size)
        except FileNotFoundError:
            raise Damaged(f"{name} went while it was read") from None
        if found != (size, digest):
            raise Damaged(f"{name} is not the file its manifest records (size or SHA-256)")
    return manifest


def building_folder(root: Path, kind: str, working: bool = False) -> Path:
    """A new private folder in ``root/kind`` to build an entry in (or, *working*, to change
    a copy of one): named after this process, so that a killed run's is recognised."""
    import tempfile

    parent = Path(root) / kind
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale(parent)
    prefix = f"{_WORKING if working else _BUILDING}{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def commit_folder(building: Path, final: Path) -> bool:
    """Make the sealed *building* folder the entry *final* (one rename); False, and
    *building* removed, when another process made that entry first."""
    try:
        os.rename(building, final)
        return True
    except OSError:
        _remove_tree(building)
        return False


def discard_folder(root: Path, folder: Path) -> None:
    """Remove an entry: its manifest first (so that no half of it is ever trusted)."""
    folder = Path(folder)
    try:
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode) and _parent_inside(root, folder):
            folder.unlink()  # the link only, never what it leads to
            return
        _inside(root, folder / FOLDER_MANIFEST)
        if not stat.S_ISDIR(info.st_mode):
            return
    except (Damaged, OSError):
        return
    with contextlib.suppress(OSError):
        (folder / FOLDER_MANIFEST).unlink()
    _remove_tree(folder)


def touch(folder: Path) -> None:
    """Mark an entry as just used (its folder's time), for ``evict``."""
    with contextlib.suppress(OSError):
        os.utime(folder)


def evict(parent: Path, cap: int, keep: Path | None = None) -> None:
    """Remove the least recently used entries of *parent* until they take at most *cap*
    bytes (*keep*, the one just made or used, stays)."""
    entries = []
    with contextlib.suppress(OSError):
        for entry in Path(parent).iterdir():
            if entry.name.startswith(".") or not stat.S_ISDIR(os.lstat(entry).st_mode):
                continue
            size = sum(f.stat().st_size for f in entry.iterdir() if f.is_file())
            entries.append((os.lstat(entry).st_mtime, size, entry))
    _remove_oldest(entries, cap, keep, lambda folder: discard_folder(parent, folder))


def remove_stale(parent: Path) -> None:
    """Remove building and working folders whose process is gone (a killed run's)."""
    with contextlib.suppress(OSError):
        for entry in Path(parent).iterdir():
            name = entry.name
            if not name.startswith((_BUILDING, _WORKING)):
                continue
            pid = name.split("-")[1]
            if pid.isdigit() and not process_alive(int(pid)):
                _remove_tree(entry)


def _remove_tree(folder: Path) -> None:
    import shutil

    with contextlib.suppress(OSError):
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            shutil.rmtree(folder, ignore_errors=True)


def _identity(path: Path) -> list[int] | None:
    """The identity of the regular file *path* (None: not a regular file)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return identity(info)


def identity(info: os.stat_result) -> list[int]:
    """What changes whenever a file is written, replaced or touched: its device, inode,
    size, and modification and change times (see above)."""
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _digest_regular(path: Path, size: int | None) -> tuple[int, str]:
    """(size, SHA-256) of the regular file *path*, never read through a link, reading at
    most *size* + 1 bytes when *size* is given."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Damaged(f"{Path(path).name} is not a regular file, which the cache never reads")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Damaged(f"{Path(path).name} cannot be read ({exc.strerror})") from None
    digest, read = hashlib.sha256(), 0
    left = None if size is None else size + 1
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise Damaged(f"{Path(path).name} is not a regular file")
        while left is None or left > 0:
            chunk = handle.read(1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                break
            digest.update(chunk)
            read += len(chunk)
            if left is not None:
                left -= len(chunk)
    return read, digest.hexdigest()
