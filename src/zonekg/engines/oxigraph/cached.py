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
open instead. A damaged entry is removed, a note says so, and the inputs are loaded again.

The entries take at most ``$ZONEKG_CACHE_STORES_MB`` (0 by default: none kept) besides the one in
use; the least recently used go first. 0 keeps none (every command loads in memory).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from ...core import paths, settings
from ...core.errors import LoadError, Note
from ...core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, TYPES_GRAPH
from ...inputs import Inputs
from ...safety import cache
from ..base import MAKING_LIBRARIES, Progress

#: The folder of the cache folder the stores are kept in.
KIND = "stores"
#: This layout (one named graph per input graph, their merge as graph/asserted).
LAYOUT = "zonekg-store 2"
_MERGED = ox.NamedNode(ASSERTED_GRAPH)


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
    return 256 * 2**20 + 20 * sum(len(f.data) for f in inputs.files)


#: The derived graphs an entry may hold, and the letter each adds to its name.
_TAGS = {ASSERTED_GRAPH: "a", INFERRED_GRAPH: "i", TYPES_GRAPH: "t"}


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


def open_cached(inputs: Inputs, notes: list[str], progress: Progress) -> Opened | None:
    """The store holding *inputs*: the cached one (with the most derived graphs) if it
    checks out, else one built now and kept. None when the cache keeps no stores or
    cannot be written (then the caller loads in memory)."""
    cap = settings.store_cache_mb() * 2**20
    if cap <= 0:
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
        progress("load", sum(len(f.data) for f in inputs.files))
        return opened
    try:
        built = _build(inputs, root, root / KIND / key[:40], key, progress)
    except OSError as exc:  # a cache folder that cannot be written: load in memory
        notes.append(Note(f"the load could not be kept in {root / KIND} ({exc.strerror or exc})"))
        return None
    except cache.Damaged as damage:  # another process's entry, which does not check out
        notes.append(Note(f"the load could not be kept in {root / KIND}: {damage}"))
        return None
    cache.evict(root / KIND, int(cap), keep=built.folder)
    return built


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
    cache.touch(folder)
    opened = Opened(store, folder, built=False, derived=derived)
    opened.manifest_key, opened.count, opened.cap = key, int(manifest["count"]), cap
    return opened


def _build(inputs: Inputs, root: Path, folder: Path, key: str, progress: Progress) -> Opened:
    building = cache.building_folder(root, KIND)
    try:
        store = ox.Store(str(building))
        counted = [0]
        store.bulk_extend(_quads(inputs, counted, progress))
        store.flush()
        graphs = sum(1 for _ in store.named_graphs())
        merged = int(next(iter(store.query(_COUNT_MERGED)))["n"].value)
        del store  # closed: its files are final before they are digested
        derived = {ASSERTED_GRAPH: merged}
        cache.seal_folder(building, key, counted[0], graphs=graphs, derived=derived, layout=LAYOUT)
        _pause_for_tests()
        cache.commit_folder(building, folder)  # False: another process made it first
    finally:
        if building.exists():  # not committed: a failed build, or another's entry won
            cache.discard_folder(root, building)
    opened = _open(root, folder, key, cap_bytes(inputs))  # what is opened is what is kept
    opened.built = True
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
    for graph in sorted(set(opened.derived) - {ASSERTED_GRAPH}):
        node = ox.NamedNode(graph)
        store.extend(opened.store.quads_for_pattern(None, None, None, node))
    return store


def keep_derived(opened: Opened, store: ox.Store, derived: dict) -> Opened:
    """Keep the entry of *opened* with the derived graphs *derived* (IRI: size) that *store*
    (the load in memory) holds: a copy of the entry (its files linked) with the graphs it
    lacks added in bulk, sealed and renamed into place like any entry. The new entry is
    returned, opened; the older one stays until evicted (other commands may use it)."""
    root = paths.cache_folder()
    key = opened.manifest_key
    tag = "".join(sorted(_TAGS[g] for g in derived))
    folder = root / KIND / f"{key[:40]}-{tag}"
    if not folder.exists():
        building = cache.building_folder(root, KIND)
        try:
            building.rmdir()  # the backup makes the folder itself
            opened.store.backup(str(building))
            copy = ox.Store(str(building))
            for graph in sorted(set(derived) - set(opened.derived)):
                copy.bulk_extend(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
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


_COUNT_MERGED = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_MERGED} {{ ?s ?p ?o }} }}"


def _quads(inputs: Inputs, counted: list[int], progress: Progress) -> Iterator[ox.Quad]:
    """Each file's quads in their graphs (its default graph's in the file's graph) and, once
    more, in graph/asserted: the merge of the asserted graphs, each triple once."""
    for f in inputs.files:
        graph = ox.NamedNode(f.graph)
        try:
            for q in f.parse():
                name = graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
                yield ox.Quad(q.subject, q.predicate, q.object, name)
                yield ox.Quad(q.subject, q.predicate, q.object, _MERGED)
                counted[0] += 1
        except (SyntaxError, ValueError) as exc:
            raise LoadError(f"cannot load: {exc}", hint="check the file", file=f.path) from None
        progress("load", len(f.data))


def _pause_for_tests() -> None:
    """Tests kill a run here (the entry complete and sealed, not yet in place)."""
    signal = settings.store_pause()
    if signal:
        Path(signal).write_text("building\n", encoding="utf-8")
        time.sleep(60)
