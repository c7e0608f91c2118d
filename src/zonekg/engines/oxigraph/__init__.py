"""The fast engine: Oxigraph for storage and SPARQL, compiled SHACL and OWL-RL rules.

* Loading: each input file's checked bytes go into its named graph(s) of an
  Oxigraph store: by default one kept in the cache folder under the inputs' digest
  (``cached``: built once, then opened read-only by every later command on the same
  inputs), or on disk where the user says (``store``, reused while the inputs' digest
  and the graph sizes match its manifest), or in memory when the cache keeps no stores.
* Queries: Oxigraph's SPARQL engine runs the screened text.
* Reasoning: ``rules`` (compiled instance rules, run over the store). The schema
  is closed by the engine the pipeline names (``closes_schema`` is False: its
  fallback's ``close_schema``, owlrl in the reference engine); this engine imports
  no library of another's (rdflib, owlrl, pySHACL).
* Validation: ``validation`` (shapes compiled to SPARQL, for the shapes the
  compiler is proven on; any other is refused and the pipeline hands it to
  the fallback engine, pySHACL). OWL-RL inference before validation is
  ``reason``'s closure, made for the run beside the data; RDFS inference is the
  fallback's work.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import LoadError, Note, Setting
from ...core.namespaces import (
    ASSERTED_GRAPH,
    GRAPH,
    INFERRED_GRAPH,
    PREFIXES,
    RDF,
    TYPES_GRAPH,
)
from ...core.results import ASK, QueryResult, ValidationReport
from ...inputs import Inputs
from ...inputs.shapes import Shapes
from ...safety.cache import Damaged
from ...safety.screen import ScreenedQuery, sparql_iri
from ..base import (
    REOPEN_DERIVED,
    CountMismatch,
    Engine,
    Loaded,
    Progress,
    SchemaCloser,
    Unsupported,
    no_progress,
)
from . import cached
from . import store as stores

INFERRED = ox.NamedNode(INFERRED_GRAPH)
DEFAULT = ox.DefaultGraph()
#: The merge of the asserted graphs (made once, when first needed: ``merge_asserted``).
MERGED = ox.NamedNode(ASSERTED_GRAPH)
#: Derived graphs that never overlap the asserted ones, so they can sit beside the merge.
_DISJOINT = {INFERRED_GRAPH, TYPES_GRAPH}
#: Graphs that live only while a validation with inference runs: the triples it adds to the
#: data (the data graphs' descriptions), and the closure it validates with the data.
_CHECKED_EXTRA = ox.NamedNode(GRAPH + "validation/extra")
_CHECKED_CLOSURE = ox.NamedNode(GRAPH + "validation/closure")
_QUERY_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


class OxigraphLoaded(Loaded):
    """A store with one named graph per input graph, and their RDF merge as graph/asserted.

    Two things of Oxigraph shape this. It counts a triple once per graph when several
    graphs make the default graph (listed, or ``use_default_graph_as_union``), where
    SPARQL says their merge holds it once; and a ``named_graphs`` list costs it a scan
    per graph for every GRAPH pattern (with 1,400 source graphs, one question took 28 s
    instead of 0.1 s). So the merge of the asserted graphs is made once, as the published
    graph/asserted, and is the default graph of what reads the asserted graphs (a
    question, the validation); the store's named graphs are exactly the graphs a query
    may name (the asserted ones and the derived ones computed so far), and any other
    dataset a query asks for is copied into a store of its own. (The merge was the
    store's default graph, and graph/asserted a copy of it: 16 ms of a cold question's
    160, 2.9 s of the questions at a million triples.) A store on disk, made once for many
    commands, has its default graph hold graph/asserted and graph/types together once both
    are made (``typed``): what a question reads by default, as one graph.
    """

    def __init__(
        self,
        inputs: Inputs,
        store: ox.Store,
        location: Path | None,
        kept: cached.Opened | None = None,
    ) -> None:
        super().__init__(inputs)
        self.store = store
        self.location = location
        self.reused = False
        self.views: dict[tuple, ox.Store] = {}
        self.merged = False
        #: The cache entry the store was opened from (read-only), if any; once a step
        #: changes the store, the load works in memory (``in_memory``).
        self.kept = kept
        self.in_memory = False
        self._named: set[str] | None = None
        #: The size of the store's default graph when it holds graph/asserted and graph/types
        #: together (on disk: ``stores.fill_default``), else None (empty: in memory, where
        #: making it costs a command about what its questions gain).
        self.typed: int | None = None
        #: Held while a query's dataset is chosen (which may make the merge or a view):
        #: queries run on several threads at once (``concurrent_queries``).
        self.choosing = threading.Lock()

    def writable(self) -> None:
        """Before a change: a store opened from the cache is swapped for the same in memory."""
        if self.kept is not None and not self.in_memory:
            self.store = cached.in_memory(self.kept, self.inputs)
            self.in_memory = True
            self.typed = None  # (not copied)
            self.views.clear()

    def made(self, graph: str, count: int) -> int:
        if graph in (ASSERTED_GRAPH, TYPES_GRAPH) and self.typed is not None:
            # made again: their union, made again when the store is sealed
            self.store.update("DROP SILENT DEFAULT")
            self.typed = None
        return super().made(graph, count)

    def keep(self) -> None:
        """After derived graphs were made in memory: keep them in the cache, as the entry of
        these inputs with those graphs, for the next command (a cache that cannot be
        written is skipped)."""
        if self.kept is None or not self.in_memory:
            return
        derived = {
            g: n
            for g, n in (
                (ASSERTED_GRAPH, self.merged_count),
                (INFERRED_GRAPH, self.inferred_count),
                (TYPES_GRAPH, self.types_count),
            )
            if n is not None
        }
        if set(derived) <= set(self.kept.derived):
            return
        with contextlib.suppress(OSError, Damaged):
            self.kept = cached.keep_derived(self.kept, self.store, derived)

    @property
    def persistent(self) -> bool:  # type: ignore[override]
        return self.location is not None

    @property
    def on_disk(self) -> bool:
        return self.location is not None or (self.kept is not None and not self.in_memory)

    def nodes(self, graphs: Iterable[str]) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in graphs]

    def merge_asserted(self) -> None:
        """Copy the asserted graphs into graph/asserted, each triple once (when first
        needed: reasoning and export read the named graphs and never pay for it)."""
        if self.merged:
            return
        with changing(self):
            self.store.update(f"DROP SILENT GRAPH {MERGED}")
            values = " ".join(sparql_iri(g) for g in self.asserted_graphs)
            if values:
                where = f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                self.store.update(f"INSERT {{ GRAPH {MERGED} {{ ?s ?p ?o }} }} WHERE {where}")
            self.merged = True
            self.made(ASSERTED_GRAPH, _size(self.store, MERGED))

    def named(self) -> set[str]:
        """The store's named graphs (listed once per change: with thousands of graphs on
        disk, a listing per query took seconds)."""
        if self._named is None:
            self._named = {g.value for g in self.store.named_graphs()}
        return set(self._named)

    def dataset(self, default: list[str], named: list[str] | None) -> tuple[ox.Store, dict]:
        """The store and query options for the merge of *default* and the graphs *named*
        (None: every graph of the store)."""
        with self.choosing:
            return self._dataset(default, named)

    def _dataset(self, default: list[str], named: list[str] | None) -> tuple[ox.Store, dict]:
        asserted = set(self.asserted_graphs)
        wanted = set(default)
        present = self.named()
        names_ok = named is None or set(named) == present
        if names_ok and self.typed is not None and wanted == asserted | {TYPES_GRAPH}:
            return self.store, {"default_graph": [DEFAULT]}
        if names_ok and asserted and asserted <= wanted and wanted - asserted <= _DISJOINT:
            self.merge_asserted()
            return self.store, {"default_graph": [MERGED, *self.nodes(sorted(wanted - asserted))]}
        if names_ok and len(wanted) <= 1:
            return self.store, {"default_graph": self.nodes(sorted(wanted))}
        names = present if named is None else set(named)
        # The view's own dataset, named in the options so that it replaces the query's FROM /
        # FROM NAMED (which name graphs of the store, not of the view): else FROM <g> would
        # look for a graph g that the view holds as its default graph, and find nothing.
        options = {"default_graph": [DEFAULT], "named_graphs": self.nodes(sorted(names))}
        return self.view(wanted, names), options

    def view(self, default: set[str], named: set[str]) -> ox.Store:
        """A store of its own holding the merge of *default* and the graphs *named*."""
        key = (frozenset(default), frozenset(named))
        if key not in self.views:
            view = ox.Store()
            for graph in sorted(default):
                view.extend(
                    ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in self._graph(graph)
                )
            for graph in sorted(named):
                view.extend(self._graph(graph))
            if len(self.views) >= 8:
                self.views.pop(next(iter(self.views)))
            self.views[key] = view
        return self.views[key]

    def _graph(self, graph: str):
        return self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))


def _size(store: ox.Store, graph: ox.NamedNode) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(result))["n"].value)


def seal(loaded: OxigraphLoaded) -> None:
    """Flush an on-disk store and write its manifest, last (with the questions' default graph
    made once it can be: ``stores.fill_default``)."""
    if loaded.typed is None and loaded.merged and loaded.types_count is not None:
        loaded.typed = stores.fill_default(loaded.store)
    loaded.store.flush()
    stores.write_manifest(
        loaded.location,
        {
            "inputs": loaded.inputs.digest(),
            "graphs": stores.graph_sizes(loaded.store),
            "inferred": loaded.inferred_count,
            "types": loaded.types_count,
            "merged": loaded.merged,
            "typed": loaded.typed,
            "layout": stores.LAYOUT,
        },
    )


@contextlib.contextmanager
def changing(loaded: OxigraphLoaded) -> Iterator[None]:
    """Around a change to an on-disk store: no manifest while it happens, a new one after."""
    loaded.writable()
    loaded._named = None
    if loaded.location is None:
        try:
            yield
        finally:
            loaded._named = None
        return
    stores.drop_manifest(loaded.location)
    try:
        yield
    finally:
        loaded._named = None
    seal(loaded)


def _keep_now(loaded: OxigraphLoaded) -> None:
    """Keep the load, with its merge, as the cache's entry of its inputs; the command goes on
    in memory (a cache folder that cannot be written keeps nothing, with a note)."""
    loaded.merge_asserted()
    derived = {ASSERTED_GRAPH: loaded.merged_count}
    try:
        loaded.kept = cached.write_entry(loaded.inputs, loaded.store, derived)
    except (OSError, Damaged) as exc:
        loaded.notes.append(Note(f"the load could not be kept in the cache folder: {exc}"))
        return
    loaded.in_memory = True


def _entail(
    loaded: OxigraphLoaded, added: list[ox.Quad], cap: int | None, close_schema: SchemaCloser
) -> None:
    """Add to graph/asserted (the data validated) the OWL-RL closure of the ontology,
    the data and the triples *added* for validation, as ``reason`` makes it (the compiled
    rules): the entailment pySHACL's owlrl gives the reference engine's validation, in a
    second instead of minutes. The closure is made in a graph of its own first, and holds
    no triple graph/asserted holds."""
    from .rules import closure

    loaded.store.extend(ox.Quad(q.subject, q.predicate, q.object, _CHECKED_EXTRA) for q in added)
    closure(
        loaded.store,
        loaded.nodes(loaded.ontology_graphs),
        [*loaded.nodes(loaded.data_graphs), _CHECKED_EXTRA],
        _CHECKED_CLOSURE,
        no_progress,
        close_schema,
        cap=cap,
    )
    where = f"{{ GRAPH {_CHECKED_CLOSURE} {{ ?s ?p ?o }} }}"
    loaded.store.update(f"INSERT {{ GRAPH {MERGED} {{ ?s ?p ?o }} }} WHERE {where}")


class OxigraphEngine(Engine):
    name = "oxigraph"
    validator = "the compiled validator"
    reasoner = "the compiled rules"
    fallback = "reference"
    closes_schema = False
    concurrent_queries = True  # the store is shared; a dataset is chosen under the load's lock
    takes_preloaded = True

    def load(
        self,
        inputs: Inputs,
        *,
        store: Path | None = None,
        progress: Progress = no_progress,
        reopen: bool | str = True,
    ) -> OxigraphLoaded:
        location = Path(store) if store is not None else None
        preloaded = inputs.take_preloaded()  # (let go of at once where a kept store opens)
        plan = ""
        if location is None:
            notes: list[str] = []
            whole = reopen == REOPEN_DERIVED
            kept = cached.open_cached(inputs, notes, progress, whole) if reopen else None
            if kept is not None:
                loaded = OxigraphLoaded(inputs, kept.store, None, kept)
                loaded.reused, loaded.merged = not kept.built, True
                loaded.merged_count = kept.derived.get(ASSERTED_GRAPH)
                loaded.types_count = kept.derived.get(TYPES_GRAPH)
                loaded.inferred_count = kept.derived.get(INFERRED_GRAPH)
                loaded.typed = kept.derived.get(cached.DEFAULT_KEY)
                loaded.notes.extend(notes)
                return loaded
            plan = cached.plan(inputs)
        if location is not None:
            preloaded = None
        oxstore = preloaded if preloaded is not None else stores.open_store(location)
        loaded = OxigraphLoaded(inputs, oxstore, location)
        if location is None:
            loaded.notes.extend(notes)
        if location is not None:
            manifest = stores.trusted(oxstore, location, inputs.digest())
            if manifest is not None:
                loaded.reused = True
                loaded.inferred_count = manifest.get("inferred")
                loaded.unchecked = loaded.inferred_count is not None
                loaded.types_count = manifest.get("types")
                loaded.merged = bool(manifest.get("merged"))
                loaded.typed = manifest.get("typed")
                if loaded.merged:
                    loaded.merged_count = manifest["graphs"].get(ASSERTED_GRAPH, 0)
                progress("load", sum(f.size for f in inputs.files))
                return loaded
            stores.drop_manifest(location)  # from here until the end, the store is not trusted
            oxstore.clear()
            stores.remove_leftovers(location)
        for f in inputs.files:
            try:
                if preloaded is None:  # (else loaded while collect checked it)
                    f.load_into(oxstore, bulk=location is not None)
            except (SyntaxError, OSError, ValueError) as exc:
                raise LoadError(f"cannot load: {exc}", hint="check the file", file=f.path) from None
            progress("load", f.size)
        if location is not None:
            seal(loaded)
        elif plan == "now":
            _keep_now(loaded)
        elif plan == "background":
            loaded.entry_wanted = True
        return loaded

    def validate(
        self,
        loaded: OxigraphLoaded,
        shapes: Shapes,
        *,
        inference: str = "none",
        extra: Iterable[ox.Triple] = (),
        cap: int | None = None,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
        threads: int = 1,
    ) -> ValidationReport:
        from .validation import validate

        if inference == "rdfs" or (inference == "owlrl" and close_schema is None):
            reference = Setting("engine", "reference")
            raise Unsupported(
                f"the fast validator does not infer ({inference}) before validating",
                hint=f"pySHACL does: {reference}",
                settings=(reference,),
            )
        extra = list(extra)
        loaded.merge_asserted()
        # The data is graph/asserted (the merge); the extra triples join it for the run
        # (those it lacks, and only those are taken out again).
        added = [
            ox.Quad(t.subject, t.predicate, t.object, MERGED)
            for t in extra
            if not any(loaded.store.quads_for_pattern(t.subject, t.predicate, t.object, MERGED))
        ]
        data = ([MERGED], {"default_graph": [MERGED]})
        if not added and inference == "none":
            report = validate(loaded.store, *data, shapes, progress, threads)
        else:
            # an on-disk store is not trusted while it holds what the run adds (a killed run
            # leaves it to be loaded again, never taken for the inputs)
            with changing(loaded):
                loaded.store.extend(added)
                try:
                    if inference == "owlrl":
                        _entail(loaded, added, cap, close_schema)
                    report = validate(loaded.store, *data, shapes, progress, threads)
                finally:
                    # the closure holds no triple graph/asserted held before: taking it out
                    # again leaves the merge as it was
                    loaded.store.update(
                        f"DELETE {{ GRAPH {MERGED} {{ ?s ?p ?o }} }} "
                        f"WHERE {{ GRAPH {_CHECKED_CLOSURE} {{ ?s ?p ?o }} }}"
                    )
                    loaded.store.update(f"DROP SILENT GRAPH {_CHECKED_EXTRA}")
                    loaded.store.update(f"DROP SILENT GRAPH {_CHECKED_CLOSURE}")
                    for quad in added:
                        loaded.store.remove(quad)
        report.data_triples = self._data_triples(loaded)
        return report

    def _data_triples(self, loaded: OxigraphLoaded) -> int:
        """The data graphs' triples, each once: the merge's, less those only the ontology
        states (the ontology is small: counting the data graphs' merge again took 0.1 s of a
        validation at 100k triples)."""
        if loaded.merged_count is None or not loaded.merged:
            return self.distinct_count(loaded, loaded.data_graphs)
        if not loaded.ontology_graphs:
            return loaded.merged_count
        onto = " ".join(sparql_iri(g) for g in loaded.ontology_graphs)
        # an ontology triple some data graph states too: found by one look-up in every graph,
        # then the graphs that are not data graphs (few) left out; a VALUES list of the data
        # graphs was a look-up per data graph (1,400 at 100k triples: 0.19 s)
        known = {ASSERTED_GRAPH, TYPES_GRAPH, INFERRED_GRAPH, _CHECKED_EXTRA.value}
        known |= {_CHECKED_CLOSURE.value, *loaded.named()}
        others = sorted(known - set(loaded.data_graphs))
        result = loaded.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"VALUES ?g {{ {onto} }} GRAPH ?g {{ ?s ?p ?o }} "
            "FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } "
            f"FILTER(?h NOT IN ({', '.join(sparql_iri(g) for g in others)})) }} }} }}"
        )
        return loaded.merged_count - int(next(iter(result))["n"].value)

    def reason(
        self,
        loaded: OxigraphLoaded,
        *,
        cap: int,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
    ) -> int:
        from .rules import closure

        if close_schema is None:
            raise Unsupported("the fast reasoner needs the schema closed by another engine")
        with changing(loaded):
            closure(
                loaded.store,
                loaded.nodes(loaded.ontology_graphs),
                loaded.nodes(loaded.data_graphs),
                INFERRED,
                progress,
                close_schema,
                cap=cap,
            )
            count = loaded.made(INFERRED_GRAPH, self.count(loaded, [INFERRED_GRAPH]))
        return count

    def add_graph(self, loaded: OxigraphLoaded, graph: str, triples: Iterable[ox.Triple]) -> int:
        node = ox.NamedNode(graph)
        with changing(loaded):
            loaded.store.update(f"DROP SILENT GRAPH {node}")
            loaded.store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
            count = loaded.made(graph, self.count(loaded, [graph]))
        return count

    def ntriples(self, loaded: OxigraphLoaded, graph: str) -> bytes:
        # written by the store: 0.3 s for the closure at 1M triples, 0.65-0.9 s through Python
        return loaded.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))

    def add_ntriples(self, loaded: OxigraphLoaded, graph: str, data: bytes, count: int) -> int:
        # parsed in the store: 1.5 s for the closure kept at 1M, 2.5 s as Python triples
        node = ox.NamedNode(graph)
        with changing(loaded):
            loaded.store.update(f"DROP SILENT GRAPH {node}")
            loaded.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
            found = self.count(loaded, [graph])
            if found != count:
                loaded.store.update(f"DROP SILENT GRAPH {node}")
                raise CountMismatch(f"it holds {found} triples")
            return loaded.made(graph, found)

    def add_merge(self, loaded: OxigraphLoaded, graph: str, sources: list[str]) -> int:
        # In the store: a million triples through Python took about 15 s, this a few.
        node = ox.NamedNode(graph)
        values = " ".join(str(n) for n in loaded.nodes(sources))
        if node == MERGED and set(sources) == set(loaded.asserted_graphs):
            loaded.merge_asserted()  # the one merge every reader of the asserted graphs uses
            return loaded.merged_count or 0
        with changing(loaded):
            loaded.store.update(f"DROP SILENT GRAPH {node}")
            if node == MERGED:
                loaded.merged = False  # another merge in its place: made again when needed
            if values:
                where = f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                loaded.store.update(f"INSERT {{ GRAPH {node} {{ ?s ?p ?o }} }} WHERE {where}")
            return loaded.made(graph, self.count(loaded, [graph]))

    def add_types(self, loaded: OxigraphLoaded, pairs: list[tuple[str, str]]) -> int:
        # In Python over the store's index: an INSERT ... WHERE with FILTER NOT EXISTS took
        # 7 s at a million triples, this 1.4 s.
        supers: dict[ox.NamedNode, set[ox.NamedNode]] = {}
        for c, d in pairs:
            supers.setdefault(ox.NamedNode(c), set()).add(ox.NamedNode(d))
        rdf_type, types = ox.NamedNode(RDF + "type"), ox.NamedNode(TYPES_GRAPH)
        loaded.merge_asserted()
        asserted: dict = {}
        for q in loaded.store.quads_for_pattern(None, rdf_type, None, MERGED):
            asserted.setdefault(q.subject, set()).add(q.object)
        new = []
        for x, classes in asserted.items():
            implied = set().union(*(supers.get(c, ()) for c in classes)) - classes
            new.extend(ox.Quad(x, rdf_type, d, types) for d in implied)
        with changing(loaded):
            loaded.store.update(f"DROP SILENT GRAPH {types}")
            loaded.store.extend(new)
            count = loaded.made(TYPES_GRAPH, len(new))
        return count

    def query(
        self,
        loaded: OxigraphLoaded,
        query: ScreenedQuery,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        default = default_graphs if default_graphs is not None else loaded.asserted_graphs
        store, options = loaded.dataset(list(default), named_graphs)
        try:
            result = store.query(query.text, prefixes=PREFIXES, **options)
            return _result(result, query)
        except SyntaxError as exc:
            raise _syntax_error(exc, query) from None

    def query_distinct(
        self, loaded: OxigraphLoaded, query: ScreenedQuery, graphs: list[str]
    ) -> QueryResult:
        # The union of the named graphs as the default graph when they are these graphs (and
        # the types and the merge, which the closure and the asserted graphs hold): a
        # triple in two graphs counts twice, which a DISTINCT answer does not see, and no
        # merge is built (reasoning never needs one otherwise).
        named, wanted = loaded.named(), set(graphs)
        if (
            not wanted <= named
            or not named - wanted <= {TYPES_GRAPH, ASSERTED_GRAPH}
            or INFERRED_GRAPH not in wanted
        ):
            return super().query_distinct(loaded, query, graphs)  # (the types are in a closure)
        try:
            result = loaded.store.query(
                query.text, prefixes=PREFIXES, use_default_graph_as_union=True
            )
            return _result(result, query)
        except SyntaxError as exc:
            raise _syntax_error(exc, query) from None

    def quads(
        self, loaded: OxigraphLoaded, graphs: list[str], once: bool = True
    ) -> Iterator[ox.Quad]:
        """The quads of *graphs*: asserted ones as the files write them (the store keeps
        literals in canonical form, "1.50"^^xsd:decimal as "1.5"), the rest from the store."""
        wanted = set(graphs)
        asserted = wanted & set(loaded.asserted_graphs)
        # A graph can be split over files that both state a triple (a source's graph in two
        # data files): a dataset holds each quad once, so each is yielded once.
        seen: set[ox.Quad] = set()
        for f in loaded.inputs.files:
            if f.graphs & asserted:
                default = ox.NamedNode(f.graph)
                for q in f.parse():
                    name = default if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
                    quad = ox.Quad(q.subject, q.predicate, q.object, name)
                    if name.value in asserted and quad not in seen:
                        if once:
                            seen.add(quad)
                        yield quad
        for graph in loaded.nodes(sorted(wanted - asserted)):
            yield from loaded.store.quads_for_pattern(None, None, None, graph)

    def distinct_count(self, loaded: OxigraphLoaded, graphs: list[str]) -> int:
        """Triples in the merge of *graphs* (a triple in two graphs counts once)."""
        if not graphs:
            return 0
        values = " ".join(sparql_iri(g) for g in graphs)
        result = loaded.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
            f"{{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} }}"
        )
        return int(next(iter(result))["n"].value)

    def count(self, loaded: OxigraphLoaded, graphs: list[str]) -> int:
        if not graphs:
            return 0
        values = " ".join(sparql_iri(g) for g in graphs)
        result = loaded.store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(result))["n"].value)


def _result(result, query: ScreenedQuery) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(ASK, boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return QueryResult(query.form, triples=list(result))
    variables = [v.value for v in result.variables]
    return QueryResult("SELECT", variables, [tuple(solution) for solution in result])


def _syntax_error(exc: SyntaxError, query: ScreenedQuery):
    message = str(exc)
    found = _QUERY_ERROR.search(message)
    if found:
        return query.syntax_error(found.group(3), int(found.group(1)))
    return query.syntax_error(message, None)
