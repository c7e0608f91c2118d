"""What the pipeline steps return, whichever engine did the work.

* ``QueryResult``: a SELECT, ASK, CONSTRUCT or DESCRIBE answer, with pyoxigraph
  terms (cheap to import and to pickle out of a worker); ``render`` turns it into
  every output format. For Python callers it gives rows of rdflib terms
  (``terms``, ``term_dicts``), of typed Python values (``values``), ASK as a bool
  (``bool(result)``) and CONSTRUCT/DESCRIBE as an rdflib Graph (``graph``).
* ``ValidationReport`` / ``ValidationResult``: SHACL results with rdflib terms,
  because the shapes graph they point into is an rdflib graph (an engine may give
  pyoxigraph terms: they are turned into rdflib's here, blank node labels kept); the
  report graph (``sh:ValidationReport``) is built from them.
* ``Location``: the ``file:line`` where a subject's description starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .namespaces import SH, curie, display_path

SELECT, ASK, CONSTRUCT, DESCRIBE = "SELECT", "ASK", "CONSTRUCT", "DESCRIBE"


@dataclass(frozen=True)
class Location:
    file: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"


@dataclass
class QueryResult:
    """A query's answer: rows of terms (None where unbound), a boolean, or triples."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)

    @property
    def is_graph(self) -> bool:
        return self.kind in (CONSTRUCT, DESCRIBE)

    def __len__(self) -> int:
        if self.kind == ASK:
            return 1
        return len(self.triples) if self.is_graph else len(self.rows)

    def __bool__(self) -> bool:
        """ASK: its answer; SELECT: whether any row came; a graph: whether any triple."""
        if self.kind == ASK:
            return bool(self.boolean)
        return len(self) > 0

    def dicts(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of the bound variables (pyoxigraph terms)."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]

    def terms(self) -> list[tuple[Any, ...]]:
        """SELECT rows of rdflib terms (URIRef, Literal with its language or datatype,
        BNode; None where unbound)."""
        from .terms import to_rdflib

        return [tuple(to_rdflib(t) for t in row) for row in self.rows]

    def term_dicts(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of rdflib terms, by variable (bound variables only)."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.terms()
        ]

    def values(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of Python values, by variable: IRIs as ``str``, numbers as
        ``int`` / ``Decimal`` / ``float``, ``xsd:date`` as ``datetime.date``, booleans as
        ``bool``, text as ``str`` (the language tag is dropped: use ``term_dicts`` to keep
        it; a datatype Python has no type for leaves the lexical form)."""
        from rdflib import Literal

        return [
            {v: t.toPython() if isinstance(t, Literal) else str(t) for v, t in row.items()}
            for row in self.term_dicts()
        ]

    def graph(self):
        """CONSTRUCT/DESCRIBE as an rdflib Graph, with the project's prefixes bound."""
        from rdflib import Graph

        from .terms import triple_to_rdflib
        from .vocab import bind_prefixes

        if not self.is_graph:
            raise TypeError(f"a {self.kind} result has no graph (only CONSTRUCT and DESCRIBE)")
        graph = bind_prefixes(Graph())
        for triple in self.triples:
            graph.add(triple_to_rdflib(triple))
        return graph


@dataclass
class ValidationResult:
    focus: Any
    path: Any
    message: str
    severity: Any
    source_shape: Any
    node_shape: Any
    value: Any = None
    component: Any = None
    locations: list[Location] = field(default_factory=list)

    def __post_init__(self) -> None:
        import pyoxigraph as ox

        from .terms import to_rdflib

        for name in ("focus", "path", "severity", "source_shape", "node_shape", "value"):
            term = getattr(self, name)
            if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
                setattr(self, name, to_rdflib(term))
        if isinstance(self.component, ox.NamedNode):
            self.component = to_rdflib(self.component)

    def as_dict(self) -> dict:
        return {
            "focus": str(self.focus),
            "path": None if self.path is None else str(self.path),
            "message": self.message,
            "severity": curie(str(self.severity)),
            "shape": shape_name(self.node_shape),
            "value": None if self.value is None else str(self.value),
            "where": [str(loc) for loc in self.locations],
        }


@dataclass
class ValidationReport:
    """The results of either engine, and the shapes graph they point into."""

    conforms: bool
    results: list[ValidationResult]
    shapes: Any = None  # the Shapes the results point into (inputs.shapes)
    data_triples: int = 0
    data_files: int = 0
    ill_typed: list = field(default_factory=list)  # ill-typed literals no result reports

    def report_graph(self):
        """The report as a SHACL validation report graph (rdflib).

        Blank-node paths and shapes are copied from the shapes graph, so that
        ``sh:resultPath`` and ``sh:sourceShape`` read as the shapes graph wrote them.
        """
        from rdflib import BNode, Graph, Literal, URIRef
        from rdflib.namespace import RDF

        from .vocab import bind_prefixes

        sh = lambda name: URIRef(SH + name)  # noqa: E731
        graph = bind_prefixes(Graph())
        report = BNode()
        graph.add((report, RDF.type, sh("ValidationReport")))
        graph.add((report, sh("conforms"), Literal(self.conforms)))
        copied: set = set()
        for r in self.results:
            node = BNode()
            graph.add((report, sh("result"), node))
            graph.add((node, RDF.type, sh("ValidationResult")))
            graph.add((node, sh("focusNode"), r.focus))
            graph.add((node, sh("sourceShape"), r.source_shape))
            graph.add((node, sh("resultSeverity"), r.severity))
            if r.message:  # optional in SHACL: a shape without sh:message may give none
                graph.add((node, sh("resultMessage"), Literal(r.message)))
            if r.component is not None:
                graph.add((node, sh("sourceConstraintComponent"), URIRef(str(r.component))))
            if r.path is not None:
                graph.add((node, sh("resultPath"), r.path))
                self._copy_blank(graph, r.path, copied)
            if r.value is not None:
                graph.add((node, sh("value"), r.value))
            self._copy_blank(graph, r.source_shape, copied)
        return graph

    def _copy_blank(self, graph, node, copied: set) -> None:
        from rdflib import BNode

        if self.shapes is None or not isinstance(node, BNode) or node in copied:
            return
        copied.add(node)
        for p, o in self.shapes.graph.predicate_objects(node):
            graph.add((node, p, o))
            self._copy_blank(graph, o, copied)

    def by_shape(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = {}
        for result in sorted(self.results, key=_order):
            grouped.setdefault(shape_name(result.node_shape), []).append(result)
        return grouped


def _order(result: ValidationResult) -> tuple[str, ...]:
    """Shape, focus, then the rest: two results on one focus come in the same order on every
    run (the engines return them in no fixed order)."""
    return tuple(
        str(part)
        for part in (
            shape_name(result.node_shape),
            result.focus,
            result.path,
            result.message,
            result.value,
            result.source_shape,
        )
    )


def shape_name(node) -> str:
    from rdflib import URIRef

    return curie(str(node)) if isinstance(node, URIRef) else f"_:{node}"
