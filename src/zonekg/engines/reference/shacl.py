"""SHACL validation with pySHACL, its results read back into the common report type."""

from __future__ import annotations

from rdflib import Graph, Node
from rdflib.namespace import RDF, SH

from ...core.results import ValidationReport, ValidationResult
from ...inputs.shapes import owning_node_shape


def validate(data: Graph, ontology: Graph, shapes: Graph, inference: str) -> ValidationReport:
    """Validate *data* against *shapes*, with *ontology* mixed in as pySHACL does."""
    from pyshacl import validate as shacl_validate  # slow to import; only when validating

    conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        allow_warnings=False,
    )
    results = [
        _result(report_graph, shapes, node)
        for node in report_graph.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationReport(bool(conforms), results, shapes=shapes)


def _result(report: Graph, shapes: Graph, node: Node) -> ValidationResult:
    source_shape = report.value(node, SH.sourceShape)
    return ValidationResult(
        focus=report.value(node, SH.focusNode),
        path=report.value(node, SH.resultPath),
        message=str(report.value(node, SH.resultMessage) or "(no message)"),
        severity=report.value(node, SH.resultSeverity),
        source_shape=source_shape,
        node_shape=owning_node_shape(shapes, source_shape),
        value=report.value(node, SH.value),
        component=report.value(node, SH.sourceConstraintComponent),
    )
