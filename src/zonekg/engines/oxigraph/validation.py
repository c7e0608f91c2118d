"""SHACL on Oxigraph: the shapes compiled to SPARQL (see ``shacl``).

Only shapes graphs that use what the compiler is proven on (``shacl.unproven``)
are compiled; any other is refused (``Unsupported``) and the pipeline hands it
to pySHACL. Blank-node shapes are skolemised so that a compiled check can name
its shape in a query; results are mapped back to the shapes graph's own nodes,
so that a report points at the shapes as they were written. Messages are the
shapes' own, with ``{?var}``/``{$var}`` filled in from the result, as pySHACL does.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ...core.results import ValidationReport, ValidationResult
from ...core.terms import to_rdflib
from ...inputs.shapes import Shapes, owning_node_shape

SKOLEM = "https://w3id.org/zonekg/shapes/.well-known/genid/"


def validate(
    store: ox.Store, graphs: list, dataset: dict, shapes: Shapes, progress, data_files, extra=()
):
    """Validate the union of *graphs* (*dataset*: the query options that select it);
    *data_files* and *extra* are unused here (kept for the engine interface)."""
    from ..base import Unsupported
    from .shacl import NotCompiled, compile_shapes, unproven

    why = unproven(shapes.graph)
    if why is None:
        try:
            checks = compile_shapes(shapes.graph.skolemize(basepath=SKOLEM))
        except NotCompiled as exc:
            why = str(exc)
    if why is not None:
        raise Unsupported(f"the compiled validator is not proven on these shapes ({why})")
    return _run_checks(store, graphs, dataset, shapes.graph, checks, progress)


def _run_checks(store, graphs, dataset, shapes, checks, progress) -> ValidationReport:
    from .shacl import finish, prepare

    prepare(store, graphs, checks)
    try:
        results = _results(store, dataset, shapes, checks, progress)
    finally:
        finish(store)
    return ValidationReport(conforms=not results, results=results, shapes=shapes)


def _results(store, dataset, shapes, checks, progress) -> list[ValidationResult]:
    results = []
    for check in checks:
        answer = store.query(check.query, **dataset)
        variables = answer.variables
        names = {v.value for v in variables}  # (not a search of the text: "?value" may be a string)
        for row in answer:
            path = check.path
            if check.sparql and "path" in names and row["path"] is not None:
                path = to_rdflib(row["path"])
            value = row["value"] if "value" in names else None
            if check.sparql and value is None:
                # SHACL 5.3.2: sh:value is ?value where bound, else the value node, which for
                # the node shapes compiled here is the focus node (found by the fuzzing)
                value = row["this"]
            source = unskolemise(check.source_shape)
            bound = {"this": row["this"], "value": value}
            if check.sparql:
                bound = {v.value: row[v] for v in variables if row[v] is not None}
            if path is not None:
                bound["path"] = path
            results.append(
                ValidationResult(
                    focus=to_rdflib(row["this"]),
                    path=None if path is None else unskolemise(path),
                    message=fill(check.message, bound),
                    severity=check.severity,
                    source_shape=source,
                    node_shape=owning_node_shape(shapes, source),
                    value=None if value is None else to_rdflib(value),
                    component=check.component,
                )
            )
        progress("validate", 1)
    return results


_TEMPLATE = re.compile(r"\{[?$](\w+)\}")


def fill(message: str, bound: dict) -> str:
    """A message template with {?var} / {$var} replaced by the term's text (as pySHACL)."""

    def value(found):
        term = bound.get(found.group(1))
        return found.group(0) if term is None else str(getattr(term, "value", term))

    return _TEMPLATE.sub(value, message)


def unskolemise(node):
    """The shapes graph's own node for a skolem IRI made by ``skolemize``."""
    from rdflib import BNode, URIRef

    text = str(node)
    if isinstance(node, URIRef) and text.startswith(SKOLEM):
        return BNode(text[len(SKOLEM) :])
    return node
