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
import weakref
from collections.abc import Iterator
from contextlib import closing

import pyoxigraph as ox

from ...core.results import ValidationReport, ValidationResult
from ...inputs.shapes import Shapes
from ...safety.limits import in_order
from ..base import Progress

SKOLEM = "https://w3id.org/zonekg/shapes/.well-known/genid/"


def validate(
    store: ox.Store,
    graphs: list | None,
    dataset: dict,
    shapes: Shapes,
    progress: Progress,
    threads: int = 1,
) -> ValidationReport:
    """Validate the union of *graphs* (None: the store's default graph; *dataset*: the
    query options that select it) against *shapes*, running up to *threads* checks at
    once."""
    checks = _compiled(shapes)
    from .shacl import finish, prepare

    prepare(store, graphs, checks)
    try:
        # closed before the scratch graph is dropped: no check is left running on it
        with closing(_answers(store, dataset, checks, threads)) as answers:
            results = _results(answers, shapes, checks, progress)
    finally:
        finish(store)
    return ValidationReport(conforms=not results, results=results, shapes=shapes)


def _answers(store: ox.Store, dataset: dict, checks: list, threads: int) -> Iterator[tuple]:
    """Each check's variables and rows, in the checks' order, *threads* checks at once on as
    many CPUs (the checks only read the store: the scratch graph is filled before them and
    dropped after)."""

    def evaluate(check) -> tuple:
        answer = store.query(check.query, **dataset)
        return answer.variables, list(answer)

    return in_order(evaluate, checks, threads)


#: The checks compiled from the shapes validated last, by Shapes object (its blank nodes
#: are what the checks name, so equal files read twice are two entries): compiling the
#: project's shapes takes longer than validating a small file with them.
_COMPILED: dict[int, tuple[weakref.ref, list | str]] = {}


def _compiled(shapes: Shapes) -> list:
    """The compiled checks of *shapes*, compiled once per Shapes object; ``Unsupported``
    where the compiler is not proven on them."""
    from ..base import Unsupported

    found = _COMPILED.get(id(shapes))
    if found is None or found[0]() is not shapes:
        if len(_COMPILED) >= 8:
            _COMPILED.pop(next(iter(_COMPILED)))
        found = _COMPILED[id(shapes)] = (weakref.ref(shapes), _compile(shapes))
    outcome = found[1]
    if isinstance(outcome, str):
        raise Unsupported(f"the compiled validator is not proven on these shapes ({outcome})")
    return outcome


def _compile(shapes: Shapes) -> list | str:
    """The checks of *shapes*, or why the compiler is not proven on them."""
    from .shacl import Graph, NotCompiled, compile_shapes, unproven

    why = unproven(Graph(shapes.triples))
    if why is not None:
        return why
    try:
        return compile_shapes(Graph(skolemized(shapes.triples)))
    except NotCompiled as exc:
        return str(exc)


def skolemized(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The shapes with each blank node as an IRI (so that a compiled check can name its
    shape in a query); ``unskolemise`` turns it back."""

    def iri(term):
        return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(iri(t.subject), t.predicate, iri(t.object)) for t in triples]


def _results(answers: Iterator[tuple], shapes: Shapes, checks, progress) -> list[ValidationResult]:
    results = []
    for check, (variables, rows) in zip(checks, answers, strict=True):
        names = {v.value for v in variables}  # (not a search of the text: "?value" may be a string)
        for row in rows:
            path = check.path
            if check.sparql and "path" in names and row["path"] is not None:
                path = row["path"]
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
                    focus=row["this"],
                    path=None if path is None else unskolemise(path),
                    message=fill(check.message, bound),
                    severity=check.severity,
                    source_shape=source,
                    node_shape=shapes.node_shape(source),
                    value=value,
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
    """The shapes graph's own node for a skolem IRI made by ``skolemized``."""
    if isinstance(node, ox.NamedNode) and node.value.startswith(SKOLEM):
        return ox.BlankNode(node.value[len(SKOLEM) :])
    return node
