"""SHACL validation with pySHACL, its results read back into the common report type."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar

from rdflib import Graph, Node
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

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
        with literals_as_written(), _each_query_prepared_once():  # as pySHACL's loader reads
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
    return ValidationReport(bool(conforms), results)  # the engine attaches its Shapes


class PreparedOnce(SPARQLProcessor):
    """rdflib's SPARQL processor, each query text parsed and translated once while
    ``_each_query_prepared_once`` holds (a prepared query run with its bindings, rdflib's
    own way to run one text many times)."""

    prepared: ClassVar[dict[tuple, Query]] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in self.prepared:
                self.prepared[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = self.prepared[key]
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@contextlib.contextmanager
def _each_query_prepared_once() -> Iterator[None]:
    """pySHACL hands rdflib a SPARQL constraint's text again for every focus node, and
    rdflib parsed it every time: 200 of the 262 s of an OWL-RL validation of the project
    (5,311 times 9 texts). While this holds, rdflib's "sparql" processor is PreparedOnce."""
    from rdflib import plugin
    from rdflib.query import Processor

    before = plugin.get("sparql", Processor)  # rdflib's own, or what a caller registered
    PreparedOnce.prepared = {}
    plugin.register("sparql", Processor, __name__, "PreparedOnce")
    try:
        yield
    finally:
        plugin.register("sparql", Processor, before.__module__, before.__qualname__)
        PreparedOnce.prepared = {}


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
