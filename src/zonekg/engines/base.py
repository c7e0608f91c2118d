"""The engine interface: what every engine does with checked inputs.

An engine loads ``Inputs`` (already found, read and checked by ``zonekg.inputs``)
into its own store, and then validates, reasons and answers screened queries
over it. Results cross the boundary in the types of ``zonekg.core.results``,
with pyoxigraph terms for query answers, quads and validation results. An engine
that cannot do something right raises ``Unsupported`` instead of answering; the
pipeline then hands the work to the engine the first one names as its
``fallback``. What an engine can do is declared here, as class attributes the
pipeline reads (as rdflib's ``Store`` declares ``context_aware``), never found
out by its name: this module is the whole contract, and a new engine is one
package that implements it (and a line in ``engines.ENGINES``).

Engines never import each other, nor each other's libraries: what one engine
needs of another (the fast engine's schema closure, which owlrl makes) passes
through the pipeline and this interface. Counts of the derived graphs are
written by the engine that makes them, and only there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from ..core.errors import ZonekgError
from ..core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, TYPES_GRAPH
from ..core.results import QueryResult, ValidationReport
from ..inputs import Inputs
from ..inputs.shapes import Shapes
from ..safety.screen import ScreenedQuery

Progress = Callable[[str, int], None]
#: The libraries whose versions change what the engines make (kept closures and stores
#: are keyed by them besides the engines' code).
MAKING_LIBRARIES = ("pyoxigraph", "owlrl", "rdflib")
#: ``load(reopen=REOPEN_DERIVED)``: open a kept load only where it holds every graph the
#: questions read, so that none is made (in memory, from the files) after opening it.
REOPEN_DERIVED = "derived"
#: What the OWL-RL closure of a set of schema triples adds (``Engine.close_schema``).
SchemaCloser = Callable[[list[ox.Triple]], list[ox.Triple]]


def no_progress(_step: str, _advance: int) -> None:
    return None


class CountMismatch(ValueError):
    """Triples given for a derived graph are not as many as said (``add_ntriples``)."""


class Unsupported(ZonekgError):
    """This engine cannot do this work right (the message says what); another engine may."""


class Loaded:
    """What an engine made of the inputs; engines subclass it with their own store.

    The sizes of the derived graphs, None until made, are written by the engine alone
    (``made``): the closure (``inferred_count``), the types (``types_count``) and the
    merge of the asserted graphs (``merged_count``).
    """

    #: Whether the store lives on disk and keeps what is derived in it from one run to
    #: the next (then the pipeline keeps no closure of its own for it).
    persistent: bool = False

    @property
    def on_disk(self) -> bool:
        """Whether the load is read from disk now (a store on disk, or one kept by an earlier
        command): reading a graph back then costs more than parsing it as N-Triples."""
        return self.persistent

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.inferred_count: int | None = None
        self.types_count: int | None = None
        self.merged_count: int | None = None
        #: What the reasoner itself found inconsistent, in its words (the pipeline's own
        #: rules name the rest: ``engines.consistency``).
        self.reasoner_errors: list[str] = []
        #: Whether a closure the load came with (kept by an earlier command) has yet to
        #: be checked for consistency in this one.
        self.unchecked = False
        #: What the user should know of the load (a cache entry not used).
        self.notes: list[str] = []
        #: Whether the engine keeps loads like this one and found none kept: the pipeline
        #: then has one made in the background for the next command (``api.keeping``).
        self.entry_wanted = False

    def keep(self) -> None:
        """Keep the derived graphs made so far for the next command, where the engine keeps
        loads (called by the pipeline once a step's graphs are made)."""

    def made(self, graph: str, count: int) -> int:
        """Record the size of the derived graph *graph* just made (for engines)."""
        if graph == INFERRED_GRAPH:
            self.inferred_count = count
        elif graph == TYPES_GRAPH:
            self.types_count = count
        elif graph == ASSERTED_GRAPH:
            self.merged_count = count
        return count

    def all_graphs(self) -> list[str]:
        """The graphs a query may name: the asserted ones and the derived ones made so far."""
        derived = [(TYPES_GRAPH, self.types_count), (INFERRED_GRAPH, self.inferred_count)]
        return [*self.asserted_graphs, *(g for g, n in derived if n is not None)]

    @property
    def asserted_graphs(self) -> list[str]:
        return self.inputs.graphs()

    @property
    def data_graphs(self) -> list[str]:
        return self.inputs.graphs("data")

    @property
    def ontology_graphs(self) -> list[str]:
        return self.inputs.graphs("ontology")


class Engine(ABC):
    """One way of loading, validating, reasoning and querying: the capabilities below say
    what an engine does itself and what the pipeline must arrange."""

    name: ClassVar[str] = ""
    #: The libraries that do its work, as a note names them ("pySHACL", "owlrl").
    validator: ClassVar[str] = ""
    reasoner: ClassVar[str] = ""
    #: The engine that does what this one refuses (``Unsupported``), loaded by the
    #: pipeline with the same inputs; None: a refusal is final.
    fallback: ClassVar[str | None] = None
    #: Whether ``reason`` closes the ontology itself; if not, the pipeline passes it the
    #: ``close_schema`` of its fallback.
    closes_schema: ClassVar[bool] = True
    #: Whether ``query`` may be called from several threads at once on one load, and is
    #: worth it (it waits outside Python's lock while it evaluates).
    concurrent_queries: ClassVar[bool] = False
    #: Whether ``load`` in memory takes ``Inputs.preloaded`` (the files loaded into an
    #: in-memory pyoxigraph store while they were checked) instead of loading them again.
    takes_preloaded: ClassVar[bool] = False

    @abstractmethod
    def load(
        self,
        inputs: Inputs,
        *,
        store: Path | None = None,
        progress: Progress = no_progress,
        reopen: bool | str = True,
    ) -> Loaded:
        """Put every input file into its named graph(s); *store* asks for an on-disk store;
        *reopen* lets an engine that keeps loads open a kept one of the same inputs
        (``REOPEN_DERIVED``: only one holding every graph the questions read)."""

    @abstractmethod
    def validate(
        self,
        loaded: Loaded,
        shapes: Shapes,
        *,
        inference: str = "none",
        extra: Iterable[ox.Triple] = (),
        cap: int | None = None,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
        threads: int = 1,
    ) -> ValidationReport:
        """SHACL validation of ontology + data (+ *extra* triples) against *shapes*, after
        *inference*; an engine that infers OWL-RL with its ``reason`` stops once the closure
        passes *cap* triples and is given *close_schema* as ``reason`` is. An engine may
        run its checks on up to *threads* threads at once."""

    @abstractmethod
    def reason(
        self,
        loaded: Loaded,
        *,
        cap: int,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
    ) -> int:
        """Materialise the OWL-RL closure into INFERRED_GRAPH (stopping with a LimitError
        once it passes *cap* triples); return its size. An engine that does not close
        schemas itself (``closes_schema``) is given *close_schema*."""

    def close_schema(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        """What the OWL-RL closure of a small set of schema *triples* adds to them (none
        with a literal subject)."""
        raise Unsupported(f"the {self.name} engine does not close schemas")

    @abstractmethod
    def add_graph(self, loaded: Loaded, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace the derived graph *graph* (the closure, the types) with *triples*; its size
        (recorded with ``loaded.made``)."""

    def ntriples(self, loaded: Loaded, graph: str) -> bytes:
        """The triples of the graph *graph* as N-Triples, one per line."""
        triples = [q.triple for q in self.quads(loaded, [graph])]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

    def add_ntriples(self, loaded: Loaded, graph: str, data: bytes, count: int) -> int:
        """Replace the derived graph *graph* with the *count* triples of the N-Triples
        *data*, which names no blank node (a store's load names a document's blank nodes
        anew); its size (recorded with ``loaded.made``). SyntaxError where *data* does not
        parse, CountMismatch where it holds another number of triples: then the graph is
        not made."""
        triples = {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
        if len(triples) != count:
            raise CountMismatch(f"it holds {len(triples)} triples")
        return self.add_graph(loaded, graph, triples)

    def add_merge(self, loaded: Loaded, graph: str, sources: list[str]) -> int:
        """Replace the derived graph *graph* with the merge of the graphs *sources* (each
        triple once); its size (recorded with ``loaded.made``)."""
        return self.add_graph(loaded, graph, {q.triple for q in self.quads(loaded, sources)})

    @abstractmethod
    def add_types(self, loaded: Loaded, pairs: list[tuple[str, str]]) -> int:
        """Fill TYPES_GRAPH with ``x a D`` for each asserted ``x a C`` and (C, D) in *pairs*
        (class, superclass) where ``x a D`` is not asserted; return its size (recorded with
        ``loaded.made``)."""

    @abstractmethod
    def query(
        self,
        loaded: Loaded,
        query: ScreenedQuery,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Answer a screened query over the dataset the pipeline gives: the RDF merge of
        *default_graphs* as the default graph, and *named_graphs* for GRAPH patterns. A query
        that is not SPARQL 1.1 is refused (``ScreenedQuery.syntax_error``), never answered."""

    def query_distinct(
        self, loaded: Loaded, query: ScreenedQuery, graphs: list[str]
    ) -> QueryResult:
        """Answer a query whose answer does not depend on how often a triple occurs in the
        merge of *graphs* (SELECT DISTINCT, ASK): an engine may skip building the merge."""
        return self.query(loaded, query, default_graphs=graphs, named_graphs=None)

    @abstractmethod
    def quads(self, loaded: Loaded, graphs: list[str], once: bool = True) -> Iterator[ox.Quad]:
        """Every quad of the named *graphs*: each once, or, not *once*, maybe more than once
        where the files state it twice (for a reader that keeps each once itself, in
        bounded memory)."""

    def count(self, loaded: Loaded, graphs: list[str]) -> int:
        return sum(1 for _ in self.quads(loaded, graphs))

    def inferred(self, loaded: Loaded) -> list[ox.Triple]:
        return [q.triple for q in self.quads(loaded, [INFERRED_GRAPH])]
