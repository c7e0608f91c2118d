"""Oxigraph stores: in memory, or on disk (``--store DIR``), reused while the inputs are the same.

An on-disk store is trusted only through its manifest, which is written last:
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
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import ZonekgError
from ...safety import targets
from ...safety.atomic import write_atomic
from ...safety.jsonread import read_json

MANIFEST = "zonekg-manifest.json"


def open_store(location: Path | None) -> ox.Store:
    if location is None:
        return ox.Store()
    location = Path(location)
    targets.check_place(location)  # never in or over the project's sources
    if location.exists() and not location.is_dir():
        raise ZonekgError(
            "the store location is a file, not a folder",
            hint="give --store a folder (it is created if missing)",
            file=location,
        )
    if location.is_dir() and any(location.iterdir()) and not _looks_like_store(location):
        raise ZonekgError(
            "this folder is not empty and is not a zonekg store: it is left alone",
            hint="give --store an empty or new folder, or one a zonekg store was made in",
            file=location,
        )
    try:
        location.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(location))
    except OSError as exc:
        raise ZonekgError(
            f"cannot open the store: {exc}",
            hint="is another zonekg or oxigraph process using this folder? Is the folder writable?",
            file=location,
        ) from None


def _looks_like_store(location: Path) -> bool:
    names = {p.name for p in location.iterdir()}
    return MANIFEST in names or "CURRENT" in names or any(n.startswith("OPTIONS") for n in names)


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


def trusted(store: ox.Store, location: Path, digest: str) -> dict | None:
    """The manifest, if the store holds exactly what it says (else None: reload)."""
    manifest = read_manifest(location)
    if not manifest or manifest.get("inputs") != digest:
        return None
    if graph_sizes(store) != manifest.get("graphs"):
        return None
    return manifest
