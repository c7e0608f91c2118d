"""Oxigraph stores: in memory, or on disk (a ``store`` folder), reused while the inputs are the
same.

A folder is taken for a store only by our own marker (``.zonekg-output`` naming
``store``, a regular file written into the new or empty folder before the storage
engine touches it), and only while every other file in it is one the storage engine
(RocksDB) or zonekg names: a folder of someone else's (a ``CURRENT`` of their own,
a thesis beside it) is left alone, with the file named. A store made by an older
zonekg (no marker, our manifest and RocksDB's files only) gets the marker.

Its contents are trusted only through its manifest, which is written last:
the digest of the inputs it holds and the size of each of its graphs. Opening
checks both; a store whose manifest is missing, stale or disagrees with what
the store holds (a load that was killed, a store changed by hand) is cleared
and loaded again. The manifest is removed before a store is changed, so a run
killed half-way leaves a store that will be reloaded, never one that is
trusted while incomplete.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import Setting, ZonekgError
from ...safety import targets
from ...safety.atomic import write_atomic
from ...safety.jsonread import read_json

MANIFEST = "zonekg-manifest.json"


#: The files of an Oxigraph (RocksDB) store, and ours beside them (the manifest, the
#: marker, and write_atomic's temporary files of both).
_STORE_FILE = re.compile(
    r"CURRENT|IDENTITY|LOCK|LOG|LOG\.old\.\d+|(?:MANIFEST|OPTIONS)-\d+(?:\.dbtmp)?"
    r"|\d+\.(?:sst|log|blob|dbtmp)|bulk-\d+\.sst"  # bulk-*: the bulk loader's own
    rf"|{re.escape(MANIFEST)}"
    rf"|\.(?:{re.escape(MANIFEST)}|{re.escape(targets.MARKER)})\.zkt\.\w+\.tmp"
)
STORE = "store"  # the command a store's marker names
#: The setting that names the folder, for a hint.
STORE_SETTING = Setting("store")


def open_store(location: Path | None) -> ox.Store:
    if location is None:
        return ox.Store()
    location = Path(location)
    targets.check_place(location)  # never in or over the project's sources
    if location.exists() and not location.is_dir():
        raise ZonekgError(
            "the store location is a file, not a folder",
            hint=f"give {STORE_SETTING} a folder (it is created if missing)",
            file=location,
            settings=(STORE_SETTING,),
        )
    try:
        if location.is_dir() and any(not _marking(e.name) for e in location.iterdir()):
            _require_store(location)
        else:
            location.mkdir(parents=True, exist_ok=True)
            targets.mark_store(location, STORE)  # before the storage engine writes a file
        return ox.Store(str(location))
    except OSError as exc:
        raise ZonekgError(
            f"cannot open the store: {exc}",
            hint="is another zonekg or oxigraph process using this folder? Is the folder writable?",
            file=location,
        ) from None


def _require_store(location: Path) -> None:
    """Refuse a non-empty folder that is not a zonekg store, naming what makes it not one."""
    marked = targets.is_marked(location, STORE)
    stranger = next(
        (
            entry
            for entry in sorted(location.iterdir())
            if entry.name != targets.MARKER
            and not (_STORE_FILE.fullmatch(entry.name) and _regular(entry))
        ),
        None,
    )
    unmarked = not os.path.lexists(location / targets.MARKER)
    if stranger is None and (marked or (unmarked and (location / MANIFEST).is_file())):
        if not marked:  # a store of an older zonekg: its manifest and RocksDB's files only
            targets.mark_store(location, STORE)
        return
    why = (
        f"it holds {stranger.name}, which is not a file of a zonekg store"
        if stranger is not None
        else f"it has no {targets.MARKER} naming a zonekg store"
        if unmarked
        else f"its {targets.MARKER} is not a regular file naming a zonekg store"
    )
    raise ZonekgError(
        f"this folder is not empty and is not a zonekg store ({why}): it is left alone",
        hint=f"give {STORE_SETTING} an empty or new folder, or one a zonekg store was made in",
        file=location,
        settings=(STORE_SETTING,),
    )


def _marking(name: str) -> bool:
    """A temporary file of a marker being written (a run killed then: the folder is new)."""
    return name.startswith(f".{targets.MARKER}.zkt.") and name.endswith(".tmp")


def _regular(path: Path) -> bool:
    return stat.S_ISREG(os.lstat(path).st_mode)


def remove_leftovers(location: Path) -> None:
    """Remove the files a killed bulk load left (``bulk-*.sst``, never ingested): with the
    store open (RocksDB's LOCK held), no other process is loading into it."""
    for entry in Path(location).glob("bulk-*.sst"):
        if _STORE_FILE.fullmatch(entry.name) and _regular(entry):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def read_manifest(location: Path) -> dict | None:
    try:
        return read_json((Path(location) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, ZonekgError):
        return None


def write_manifest(location: Path, manifest: dict) -> None:
    write_atomic(Path(location) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))


def drop_manifest(location: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (Path(location) / MANIFEST).unlink()


def graph_sizes(store: ox.Store) -> dict[str, int]:
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in result}


#: How a store holds its graphs (in its manifest): 2 since the merge of the asserted graphs
#: is graph/asserted (it was the default graph); a store of another layout is loaded again.
LAYOUT = 2


def trusted(store: ox.Store, location: Path, digest: str) -> dict | None:
    """The manifest, if the store holds exactly what it says in this layout (else None:
    reload)."""
    manifest = read_manifest(location)
    if not manifest or manifest.get("inputs") != digest or manifest.get("layout") != LAYOUT:
        return None
    if graph_sizes(store) != manifest.get("graphs"):
        return None
    return manifest
