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
from ...core.namespaces import ASSERTED_GRAPH, TYPES_GRAPH
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
#: is graph/asserted (it was the default graph); 3 since the default graph is empty or holds
#: graph/asserted and graph/types together (``fill_default``, its size in the manifest as
#: "typed"). A store of another layout is loaded again.
LAYOUT = 3
DEFAULT = ox.DefaultGraph()
#: The graphs the questions read by default, which ``fill_default`` puts together.
_TYPED = (ox.NamedNode(ASSERTED_GRAPH), ox.NamedNode(TYPES_GRAPH))


def trusted(store: ox.Store, location: Path, digest: str) -> dict | None:
    """The manifest, if the store holds exactly what it says in this layout (else None:
    reload)."""
    manifest = read_manifest(location)
    if not manifest or manifest.get("inputs") != digest or manifest.get("layout") != LAYOUT:
        return None
    graphs = manifest.get("graphs")
    if graph_sizes(store) != graphs:
        return None
    # the default graph is empty, or the merge and the types together (they share no triple)
    typed, types = manifest.get("typed"), manifest.get("types")
    if typed is not None and not (
        type(typed) is int and type(types) is int and typed == graphs.get(ASSERTED_GRAPH, 0) + types
    ):
        return None
    if default_size(store) != (typed or 0):
        return None
    return manifest


def default_size(store: ox.Store) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[DEFAULT])
    return int(next(iter(result))["n"].value)


def fill_default(store: ox.Store, source: ox.Store | None = None) -> int:
    """Make the (empty) default graph of the on-disk *store* what a question reads by
    default, graph/asserted and graph/types together, as the published files' default graph
    is; its size is returned. On disk, Oxigraph answered the questions over the two graphs
    1.3x slower than over one (19.96 s against 15.01 s at a million triples; in memory 12.88
    s against 8.91 s, where the one graph took 2.05 s to make and is not made).

    Copied as N-Triples text from *source* (the same graphs, in memory) where neither names a
    blank node (a parse names them anew: 4.7 s at a million triples, the look for blank nodes
    0.75 s of it), else quad by quad from *store*'s own graphs, which keeps them (10.7 s)."""
    if source is not None and not any(names_blank(source, g) for g in _TYPED):
        for graph in _TYPED:
            text = source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=DEFAULT)
    else:
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, DEFAULT)
            for graph in _TYPED
            for q in store.quads_for_pattern(None, None, None, graph)
        )
    return default_size(store)


def names_blank(store: ox.Store, graph: ox.NamedNode) -> bool:
    """Whether *graph* of *store* names a blank node."""
    ask = f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} FILTER(isBlank(?s) || isBlank(?o)) }}"
    return bool(store.query(ask))
