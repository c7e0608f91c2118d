"""Step 2: validate the data against the SHACL shapes with pySHACL.

Results are grouped by the node shape they belong to and carry the file:line
where their focus node is described.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as OneOf

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, SH

from . import paths
from .load import KnowledgeGraph, Location, parse_turtle
from .namespaces import bind_prefixes, curie

Inference = OneOf["none", "rdfs", "owlrl"]
INFERENCE_CHOICES: tuple[str, ...] = ("none", "rdfs", "owlrl")


@dataclass
class ValidationResult:
    focus: Node
    path: Node | None
    message: str
    severity: URIRef
    source_shape: Node
    node_shape: Node
    value: Node | None
    component: str = ""
    locations: list[Location] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "focus": str(self.focus),
            "path": None if self.path is None else str(self.path),
            "message": self.message,
            "severity": curie(str(self.severity)),
            "shape": _name(self.node_shape),
            "value": None if self.value is None else str(self.value),
            "where": [str(loc) for loc in self.locations],
        }


@dataclass
class ValidationReport:
    """The results of either engine; ``graph`` is pySHACL's own report graph, when it ran."""

    conforms: bool
    results: list[ValidationResult]
    graph: Graph | None = None
    text: str = ""

    def report_graph(self) -> Graph:
        """The report as a SHACL validation report graph."""
        if self.graph is not None:
            return self.graph
        graph = bind_prefixes(Graph())
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, r.focus))
            graph.add((node, SH.sourceShape, r.source_shape))
            graph.add((node, SH.resultSeverity, r.severity))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            if r.component:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
            if r.path is not None:
                graph.add((node, SH.resultPath, r.path))
        return graph

    def by_shape(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = {}
        for result in sorted(self.results, key=lambda r: (_name(r.node_shape), str(r.focus))):
            grouped.setdefault(_name(result.node_shape), []).append(result)
        return grouped


def load_shapes(file: Path | None = None) -> Graph:
    from .query import screen_shapes

    graph, _ = parse_turtle(Path(file or paths.SHAPES))
    screen_shapes(graph, str(file or paths.SHAPES))  # pySHACL would run FROM/SERVICE in them
    return bind_prefixes(graph)


def validate(
    kg: KnowledgeGraph,
    inference: Inference = "none",
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate the data of *kg* against the shapes, with the ontology as class hierarchy."""
    from pyshacl import validate as shacl_validate  # slow to import; only when validating

    shapes = shapes if shapes is not None else load_shapes()
    conforms, report_graph, text = shacl_validate(
        kg.data,
        shacl_graph=shapes,
        ont_graph=kg.ontology,
        inference=inference,
        advanced=True,
        allow_warnings=False,
    )
    results = [
        _result(report_graph, shapes, node, kg)
        for node in report_graph.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationReport(bool(conforms), results, report_graph, text)


def owning_node_shape(shapes: Graph, shape: Node) -> Node:
    """The node shape a property shape or SPARQL constraint belongs to (blank or named)."""
    seen = set()
    while shape not in seen:
        seen.add(shape)
        parent = next(shapes.subjects(SH.property, shape), None)
        if parent is None:
            parent = next(shapes.subjects(SH.sparql, shape), None)
        if parent is None:
            break
        shape = parent
    return shape


def _result(report: Graph, shapes: Graph, node: Node, kg: KnowledgeGraph) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    source_shape = report.value(node, SH.sourceShape)
    return ValidationResult(
        focus=focus,
        path=report.value(node, SH.resultPath),
        message=str(report.value(node, SH.resultMessage) or "(no message)"),
        severity=report.value(node, SH.resultSeverity),
        source_shape=source_shape,
        node_shape=owning_node_shape(shapes, source_shape),
        value=report.value(node, SH.value),
        locations=kg.where(focus),
    )


def _name(node: Node) -> str:
    return curie(str(node)) if isinstance(node, URIRef) else f"_:{node}"
