"""The engine interface: what every engine does with checked inputs.

An engine loads ``Inputs`` (already found, read and checked by ``zonekg.inputs``)
into its own store, and then validates, reasons and answers screened queries
over it. Results cross the boundary in the types of ``zonekg.core.results``,
with pyoxigraph terms for query answers and quads. An engine that cannot do
something right raises ``Unsupported`` instead of answering; the pipeline
then hands the work to an engine that can. Engines never import each other.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import ZonekgError
from ..core.namespaces import INFERRED_GRAPH, TYPES_GRAPH
from ..core.results import QueryResult, ValidationReport
from ..inputs import Inputs
from ..inputs.shapes import Shapes
from ..safety.screen import ScreenedQuery

Progress = Callable[[str, int], None]


def no_progress(_step: str, _advance: int) -> None:
    return None


class Unsupported(ZonekgError):
    """This engine cannot do this work right (the message says what); another engine may."""


class Loaded:
    """What an engine made of the inputs; engines subclass it with their own store."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.inferred_count: int | None = None
        self.types_count: int | None = None

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
    name: str = ""

    @abstractmethod
    def load(
        self, inputs: Inputs, *, store: Path | None = None, progress: Progress = no_progress
    ) -> Loaded:
        """Put every input file into its named graph(s); *store* asks for an on-disk store."""

    @abstractmethod
    def validate(
        self,
        loaded: Loaded,
        shapes: Shapes,
        *,
        inference: str = "none",
        extra: Iterable[ox.Triple] = (),
        progress: Progress = no_progress,
    ) -> ValidationReport:
        """SHACL validation of ontology + data (+ *extra* triples) against *shapes*."""

    @abstractmethod
    def reason(self, loaded: Loaded, *, cap: int, progress: Progress = no_progress) -> int:
        """Materialise the OWL-RL closure into INFERRED_GRAPH; return its size."""

    @abstractmethod
    def add_graph(self, loaded: Loaded, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace the derived graph *graph* (the closure, the types) with *triples*; its size."""

    def add_merge(self, loaded: Loaded, graph: str, sources: list[str]) -> int:
        """Replace the derived graph *graph* with the merge of the graphs *sources* (each
        triple once); its size."""
        return self.add_graph(loaded, graph, {q.triple for q in self.quads(loaded, sources)})

    @abstractmethod
    def add_types(self, loaded: Loaded, pairs: list[tuple[str, str]]) -> int:
        """Fill TYPES_GRAPH with ``x a D`` for each asserted ``x a C`` and (C, D) in *pairs*
        (class, superclass) where ``x a D`` is not asserted; return its size."""

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
        *default_graphs* as the default graph, and *named_graphs* for GRAPH patterns."""

    def query_distinct(
        self, loaded: Loaded, query: ScreenedQuery, graphs: list[str]
    ) -> QueryResult:
        """Answer a query whose answer does not depend on how often a triple occurs in the
        merge of *graphs* (SELECT DISTINCT, ASK): an engine may skip building the merge."""
        return self.query(loaded, query, default_graphs=graphs, named_graphs=None)

    @abstractmethod
    def quads(self, loaded: Loaded, graphs: list[str]) -> Iterator[ox.Quad]:
        """Every quad of the named *graphs*."""

    def count(self, loaded: Loaded, graphs: list[str]) -> int:
        return sum(1 for _ in self.quads(loaded, graphs))

    def inferred(self, loaded: Loaded) -> list[ox.Triple]:
        return [q.triple for q in self.quads(loaded, [INFERRED_GRAPH])]


def locate(inputs: Inputs, report: ValidationReport) -> None:
    """Attach the file:line where each result's focus node is described."""
    if report.results:
        where = inputs.locate({str(r.focus) for r in report.results})
        for r in report.results:
            r.locations = where.get(str(r.focus), [])
