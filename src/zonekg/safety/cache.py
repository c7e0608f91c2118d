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
computes the result again. An entry is never half-used.

Whoever can write the cache folder can write a matching manifest too: the cache is as
trusted as the folder it is in (``build/cache`` or ``$ZONEKG_CACHE``), which is why it
never leaves that folder and is never read through a link out of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ZonekgError
from .targets import NotRegular, read_regular

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
    with contextlib.suppress(OSError, ZonekgError, Damaged):
        _inside(root, payload)
        discard(root, payload)  # no manifest while the payload changes
        write_atomic(payload, data)
        write_atomic(manifest_path(payload), json.dumps(manifest, sort_keys=True))


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
