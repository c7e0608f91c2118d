"""SHACL validation with pySHACL, its results read back into the common report type."""

from __future__ import annotations

from rdflib import Graph, Node
from rdflib.namespace import RDF, SH

from ...core.errors import LoadError
from ...core.results import ValidationReport, ValidationResult
from ...inputs.shapes import owning_node_shape


def validate(data: Graph, ontology: Graph, shapes: Graph, inference: str) -> ValidationReport:
    """Validate *data* against *shapes*, with *ontology* mixed in as pySHACL does."""
    from pyshacl import validate as shacl_validate  # slow to import; only when validating
    from pyshacl.errors import ReportableRuntimeError

    from ...inputs.shapes import literals_as_written

    shapes = _as_specified(shapes)

    try:
        with literals_as_written():  # as pySHACL's own loader runs it
            conforms, report_graph, _text = shacl_validate(
                data,
                shacl_graph=shapes,
                ont_graph=ontology,
                inference=inference,
                advanced=True,
                allow_warnings=False,
            )
    except ReportableRuntimeError as exc:
        # The shapes graph is ill-formed (SHACL says so: a failure, not a report).
        raise LoadError(
            f"the shapes graph is ill-formed: {_first_line(exc.message)}",
            hint="fix the shapes (SHACL 1.0 says which values each parameter takes)",
        ) from None
    except NotImplementedError as exc:
        raise LoadError(
            f"pySHACL cannot validate these shapes: {_first_line(str(exc))}",
            hint="$shapesGraph and $currentShape are optional in SHACL-SPARQL; avoid them",
        ) from None
    # The report's own results: pySHACL also types the nested sh:detail results of
    # sh:node and the like as sh:ValidationResult, and those are not the report's.
    results = [
        _result(report_graph, shapes, node)
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for node in report_graph.objects(report, SH.result)
    ]
    return ValidationReport(bool(conforms), results, shapes=shapes)


def _as_specified(shapes: Graph) -> Graph:
    """The shapes as SHACL reads them where pySHACL, given a Graph, reads them otherwise:
    only the literal ``true`` switches sh:uniqueLang on ("1"^^xsd:boolean does not)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    on = Literal("true", datatype=XSD.boolean)
    odd = [(s, p, o) for s, p, o in shapes.triples((None, SH.uniqueLang, None)) if o != on]
    if not odd:
        return shapes
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for triple in shapes:
        copy.add(triple)
    for triple in odd:
        copy.remove(triple)
    return copy


def _first_line(text: str) -> str:
    return (str(text).strip().splitlines() or [""])[0]


def _result(report: Graph, shapes: Graph, node: Node) -> ValidationResult:
    source_shape = report.value(node, SH.sourceShape)
    return ValidationResult(
        focus=report.value(node, SH.focusNode),
        path=report.value(node, SH.resultPath),
        message=str(report.value(node, SH.resultMessage) or ""),
        severity=report.value(node, SH.resultSeverity),
        source_shape=source_shape,
        node_shape=owning_node_shape(shapes, source_shape),
        value=report.value(node, SH.value),
        component=report.value(node, SH.sourceConstraintComponent),
    )
