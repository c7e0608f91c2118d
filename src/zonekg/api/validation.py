"""Validate: SHACL on the ontology and data, results mapped back to file:line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .. import engines
from ..core.errors import InvalidChoice
from ..core.namespaces import RDF, ZK
from ..core.results import ValidationReport
from ..engines.base import Progress, no_progress
from ..inputs.shapes import Shapes, load_shapes
from .loading import KnowledgeGraph
from .reasoning import schema_closer

#: What ``validate`` may infer before validating (``inference=``).
INFERENCE_CHOICES = ("none", "rdfs", "owlrl")
DATA_GRAPH = ZK + "DataGraph"


def validate(
    kg: KnowledgeGraph,
    shapes: Shapes | Path | None = None,
    inference: str = "none",
    progress: Progress = no_progress,
) -> ValidationReport:
    """SHACL validation of the ontology and data against the shapes (the project's by
    default), after *inference* (one of ``INFERENCE_CHOICES``); each result carries the
    file:line where its focus node is described."""
    if inference not in INFERENCE_CHOICES:
        raise InvalidChoice("inference", inference, INFERENCE_CHOICES)
    if not isinstance(shapes, Shapes):
        shapes = load_shapes(shapes, kg.limits)
    extra = graph_descriptions(kg, shapes)
    # OWL-RL inference is reasoning: the same cap and schema closer as `reason`
    given = {
        "cap": kg.limits.max_triples,
        "close_schema": schema_closer(kg),
        "threads": kg.limits.usable_threads,
    }
    try:
        report = kg.engine.validate(
            kg.loaded, shapes, inference=inference, extra=extra, progress=progress, **given
        )
    except engines.Unsupported as refusal:
        engine, loaded = kg.fallback(refusal)
        kg.handed_over(refusal, "validated")
        report = engine.validate(
            loaded, shapes, inference=inference, extra=extra, progress=progress, **given
        )
    locate(kg, report)
    report.data_files = len(kg.data_files)
    flagged = {(str(r.focus), str(r.value)) for r in report.results if r.value is not None}
    report.ill_typed = [
        problem
        for problem in kg.inputs.ill_typed
        if (problem.subject.value, problem.literal.value) not in flagged
    ]
    return report


def locate(kg: KnowledgeGraph, report: ValidationReport) -> None:
    """Attach the file:line where each result's focus node is described."""
    if report.results:
        where = kg.inputs.locate({str(r.focus) for r in report.results})
        for r in report.results:
            r.locations = where.get(str(r.focus), [])


def graph_descriptions(kg: KnowledgeGraph, shapes: Shapes) -> list[ox.Triple]:
    """``G a zk:DataGraph`` for each named graph of the data, when the shapes check them.

    A data graph is named after the source document that states its triples; a shape on
    zk:DataGraph checks that, so that every statement has a source. Shapes that never
    mention zk:DataGraph (a user's own) get no such triples.
    """
    rdf_type, data_graph = ox.NamedNode(RDF + "type"), ox.NamedNode(DATA_GRAPH)
    if not any(t.object == data_graph for t in shapes.triples):
        return []
    return [ox.Triple(ox.NamedNode(g), rdf_type, data_graph) for g in kg.loaded.data_graphs]
