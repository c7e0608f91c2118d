"""Loads kept in the cache folder: an Oxigraph store on disk per set of inputs, so that a
later command on the same inputs opens it instead of parsing them again.

The key is the digest of everything that decides what the store holds: each input
file's role, graph IRI, base IRI, syntax and the SHA-256 of its bytes (``Inputs.digest``,
computed from the bytes every command reads and checks anyway, so a change of content is
seen whatever the file's size and time say), the Oxigraph version (its on-disk format) and
this layout's version, and what makes the derived graphs an entry may hold (the
engines' code, the versions of owlrl and rdflib). A file added, removed, renamed or
changed by one byte is another key, and so another entry.

An entry (``stores/KEY`` in the cache folder) is built in a folder of its own, sealed with
its manifest (the size and SHA-256 of every file, the number of quads and graphs), then
renamed into place (``safety.cache``): a killed build leaves no entry. Opening checks the
manifest, every file's digest and the number of graphs, and opens the store read-only, so
that no command ever changes an entry. A step that changes the store (reasoning, adding
triples) works in memory (``in_memory``); a derived graph made there (the types, the
closure, the merge as ``graph/asserted``) is kept as a new entry of the same inputs
(``KEY-tag``, the tag naming its derived graphs: ``keep_derived``), which later commands
open instead; once it holds both graph/asserted and graph/types, its default graph holds
the two together, which the questions read (``store.fill_default``). A damaged entry is
removed, a note says so, and the inputs are loaded again.

Who builds an entry is ``$ZONEKG_CACHE_STORES_BUILD``: by default a process of its own
(``keeper``), asked by the first command on inputs of ``BACKGROUND_FROM_BYTES`` or more, which
itself goes on in memory; with ``now``, the command builds it (any size) and works on it.

The entries take at most ``$ZONEKG_CACHE_STORES_MB`` (2,048 by default) besides the one in
use; the least recently used go first. 0 keeps none (every command loads in memory). The
cache's other entries have their own bound (``safety.cache.bound``).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pyoxigraph as ox

from ...core import paths, settings
from ...core.errors import Note
from ...core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, TYPES_GRAPH
from ...inputs import Inputs
from ...safety import cache
from ..base import MAKING_LIBRARIES, Progress
from . import store as stores

#: The folder of the cache folder the stores are kept in.
KIND = cache.STORES
#: This layout (one named graph per input graph, their merge as graph/asserted; a derived
#: graph only where it names no blank node: those kept before could).
LAYOUT = "zonekg-store 3"
_MERGED = ox.NamedNode(ASSERTED_GRAPH)
#: Inputs of this size or more get a kept store built in the background: below it, parsing
#: them again costs less than a store's opening saves (the real graph, 0.5 MB: 30 ms).
BACKGROUND_FROM_BYTES = 4 * 2**20
#: Inputs of this size or more have many questions (``open_cached``'s *whole*) asked of a
#: kept store that holds every graph they read: below it, memory answers them sooner (the 29
#: questions at 25 MB of input, 100k triples: 1.9 s on the store, 1.7 s loading in memory;
#: at 240 MB, 1M triples: 12.1 s against 17.3 s).
WHOLE_FROM_BYTES = 64 * 2**20


def key_of(inputs: Inputs) -> str:
    text = f"{LAYOUT}\0{_makers()}\0{inputs.digest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def _makers() -> str:
    """What makes an entry's graphs besides the inputs: the engines' code (the derived
    graphs: types, closure), and the versions of the libraries that store and reason."""
    return cache.makers(Path(__file__).parents[1], MAKING_LIBRARIES)


def cap_bytes(inputs: Inputs) -> int:
    """The most bytes an entry for *inputs* may take to be read: far more than Oxigraph
    writes for them (about twice their size), far less than anything without end."""
    return 256 * 2**20 + 20 * sum(f.size for f in inputs.files)


#: The derived graphs' key for the default graph, made with both graph/asserted and graph/types
#: (``store.fill_default``).
DEFAULT_KEY = "default"
#: The derived graphs an entry may hold, and the letter each adds to its name.
_TAGS = {ASSERTED_GRAPH: "a", INFERRED_GRAPH: "i", TYPES_GRAPH: "t", DEFAULT_KEY: "d"}


class Opened:
    """A cached store opened read-only: the store, its folder, whether it was built now,
    the derived graphs it holds (IRI: size)."""

    def __init__(self, store: ox.Store, folder: Path, built: bool, derived: dict) -> None:
        self.store = store
        self.folder = folder
        self.built = built
        self.derived = derived
        self.manifest_key = ""
        self.count = 0
        self.cap = 0


def open_cached(
    inputs: Inputs, notes: list[str], progress: Progress, whole: bool = False
) -> Opened | None:
    """The kept store holding *inputs* (the one with the most derived graphs; *whole*: only
    one holding every derived graph, for inputs of ``WHOLE_FROM_BYTES`` or more), if one
    checks out; None when there is none (then the caller loads in memory, and ``plan`` says
    whether to keep that load), or the cache keeps no stores."""
    if settings.store_cache_mb() <= 0:
        return None
    if whole and sum(f.size for f in inputs.files) < WHOLE_FROM_BYTES:
        return None
    root = paths.cache_folder()
    key = key_of(inputs)
    for folder in _generations(root / KIND, key):
        try:
            opened = _open(root, folder, key, cap_bytes(inputs))
        except (cache.Damaged, OSError) as damage:
            cache.discard_folder(root, folder)
            notes.append(Note(f"the stored load {folder} was not used: {damage}; loaded again"))
            continue
        if whole and set(opened.derived) != set(_TAGS):
            return None  # (the first holds the most: none holds them all)
        progress("load", sum(f.size for f in inputs.files))
        return opened
    return None


def plan(inputs: Inputs) -> str:
    """Who keeps a load of *inputs* that found no entry: ``now`` (the command, before it
    works), ``background`` (a process of its own, for inputs of ``BACKGROUND_FROM_BYTES`` or
    more: the pipeline's ``keeping``), or "" (nobody)."""
    if settings.store_cache_mb() <= 0:
        return ""
    who = settings.store_build()
    if who == "background" and sum(f.size for f in inputs.files) < BACKGROUND_FROM_BYTES:
        return ""
    if _generations(paths.cache_folder() / KIND, key_of(inputs)):
        return ""  # kept already (a load that does not reopen it: ``reopen=False``)
    return who


def _generations(parent: Path, key: str) -> list[Path]:
    """The entries for *key*: the load alone (``KEY``), and the load with derived graphs
    (``KEY-tag``); those with more derived graphs first."""
    try:
        found = [e for e in parent.iterdir() if e.name.split("-")[0] == key[:40]]
    except OSError:
        return []
    return sorted(found, key=lambda e: (-len(e.name), e.name))


def _open(root: Path, folder: Path, key: str, cap: int) -> Opened:
    manifest = cache.read_folder(root, folder, key, cap)
    if manifest is None:
        raise cache.Damaged("it went while it was read")
    store = ox.Store.read_only(str(folder))
    graphs = sum(1 for _ in store.named_graphs())
    if graphs != manifest.get("graphs"):
        raise cache.Damaged(f"it holds {graphs} graphs, its manifest {manifest.get('graphs')}")
    derived = manifest.get("derived") or {}
    if not isinstance(derived, dict) or not all(
        g in _TAGS and isinstance(n, int) for g, n in derived.items()
    ):
        raise cache.Damaged("its manifest does not say which derived graphs it holds")
    together = derived.get(ASSERTED_GRAPH, -1) + derived.get(TYPES_GRAPH, -1)
    if DEFAULT_KEY in derived and derived[DEFAULT_KEY] != together:
        raise cache.Damaged("its default graph is not the merge and the types together")
    cache.touch(folder)
    opened = Opened(store, folder, built=False, derived=derived)
    opened.manifest_key, opened.count, opened.cap = key, int(manifest["count"]), cap
    return opened


def write_entry(inputs: Inputs, store: ox.Store, derived: dict) -> Opened:
    """Keep *store* (*inputs* loaded in memory, with their merge as graph/asserted: *derived*,
    IRI: size) as the entry of *inputs*, sealed and put in place; returned opened read-only.

    The store is written out as N-Quads and bulk-loaded into the entry: both run in Oxigraph
    without a Python object per triple, and without the one transaction an INSERT into a
    store on disk is (the merge alone took 28 s that way at a million triples)."""
    root = paths.cache_folder()
    key = key_of(inputs)
    folder = root / KIND / key[:40]
    building = cache.building_folder(root, KIND)
    text = cache.building_folder(root, KIND)  # the N-Quads, beside: a killed run's goes too
    try:
        dump = text / "load.nq"
        store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        disk = ox.Store(str(building))
        disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        disk.optimize()  # compacted once: the questions ran 1.8x faster on it at 100k triples
        disk.flush()
        count = len(disk)
        graphs = sum(1 for _ in disk.named_graphs())
        del disk  # closed: its files are final before they are digested
        cache.seal_folder(building, key, count, graphs=graphs, derived=derived, layout=LAYOUT)
        _pause_for_tests()
        cache.commit_folder(building, folder)  # False: another process made it first
    finally:
        for made in (building, text):
            if made.exists():  # not committed: a failed build, or another's entry won
                cache.discard_folder(root, made)
    opened = _open(root, folder, key, cap_bytes(inputs))  # what is opened is what is kept
    opened.built = True
    cache.evict(root / KIND, int(settings.store_cache_mb() * 2**20), keep=folder)
    return opened


def in_memory(opened: Opened, inputs: Inputs) -> ox.Store:
    """The store of *opened* in memory, for a step that changes it (the entry itself is
    never changed): the inputs loaded again (faster than reading the store's terms back
    one by one), their merge, and the derived graphs the entry holds, copied."""
    store = ox.Store()
    for f in inputs.files:
        graph = ox.NamedNode(f.graph)
        store.load(f.data, format=f.ox_format, base_iri=f.base, to_graph=graph)
    # only the asserted graphs yet: their merge, as the entry holds it
    store.update(f"INSERT {{ GRAPH {_MERGED} {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    for graph in sorted(set(opened.derived) - {ASSERTED_GRAPH, DEFAULT_KEY}):
        node = ox.NamedNode(graph)
        store.extend(opened.store.quads_for_pattern(None, None, None, node))
    return store


def keep_derived(opened: Opened, store: ox.Store, derived: dict) -> Opened:
    """Keep the entry of *opened* with the derived graphs *derived* (IRI: size) that *store*
    (the load in memory) holds: a copy of the entry (its files linked) with the graphs it
    lacks added in bulk, sealed and renamed into place like any entry. The new entry is
    returned, opened; the older one stays until evicted (other commands may use it)."""
    # The entry's blank nodes are not the ones of *store* (each load names a file's anew): a
    # derived graph naming one would speak there of nodes the entry does not hold.
    derived = {
        g: n
        for g, n in derived.items()
        if g in opened.derived or not stores.names_blank(store, ox.NamedNode(g))
    }
    # the default graph, made of both in the entry (see store.fill_default)
    typed = {ASSERTED_GRAPH, TYPES_GRAPH} <= set(derived)
    if set(derived) <= set(opened.derived) and (not typed or DEFAULT_KEY in opened.derived):
        return opened
    root = paths.cache_folder()
    key = opened.manifest_key
    tag = "".join(sorted(_TAGS[g] for g in [*derived, *([DEFAULT_KEY] if typed else [])]))
    folder = root / KIND / f"{key[:40]}-{tag}"
    if not folder.exists():
        building = cache.building_folder(root, KIND)
        try:
            building.rmdir()  # the backup makes the folder itself
            opened.store.backup(str(building))
            copy = ox.Store(str(building))
            for graph in sorted(set(derived) - set(opened.derived)):
                copy.bulk_extend(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            if typed:
                # (as text from *store*, which holds the same two graphs, where it can)
                made = opened.derived.get(DEFAULT_KEY)
                derived[DEFAULT_KEY] = stores.fill_default(copy, store) if made is None else made
            copy.optimize()
            copy.flush()
            graphs = sum(1 for _ in copy.named_graphs())
            del copy  # closed: its files are final before they are digested
            cache.seal_folder(
                building, key, opened.count, graphs=graphs, derived=derived, layout=LAYOUT
            )
            cache.commit_folder(building, folder)
        finally:
            if building.exists():
                cache.discard_folder(root, building)
    again = _open(root, folder, key, opened.cap)
    again.built = opened.built
    cache.evict(root / KIND, int(settings.store_cache_mb() * 2**20), keep=folder)
    return again


def _pause_for_tests() -> None:
    """Tests kill a run here (the entry complete and sealed, not yet in place)."""
    signal = settings.store_pause()
    if signal:
        Path(signal).write_text("building\n", encoding="utf-8")
        time.sleep(60)
