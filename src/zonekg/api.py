"""The pipeline as Python functions, mirroring the CLI: load, validate, reason, query.

    from zonekg.api import load, validate, reason, query
    kg = load()                       # or load(["my-data/"])
    report = validate(kg)             # report.conforms, report.results
    inferred = reason(kg)             # an rdflib Graph of inferred triples only
    rows = query(kg, "cq04")          # a competency question, an .rq path or SPARQL text

The validator and reasoner are imported only when called, so that a program
that only queries starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from .load import KnowledgeGraph
from .load import load as _load


def load(data: Sequence[Path | str] | None = None) -> KnowledgeGraph:
    """Load the project's ontology and its data (or the Turtle files/folders in *data*)."""
    return _load([Path(p) for p in data] if data else None)


def validate(kg: KnowledgeGraph, inference: str = "none"):
    """Validate against the project's SHACL shapes; returns a ValidationReport."""
    from .validate import validate as _validate

    return _validate(kg, inference=inference)


def reason(kg: KnowledgeGraph) -> Graph:
    """The OWL-RL closure of *kg*, as the inferred triples only."""
    from .reason import reason as _reason

    return _reason(kg)


def query(kg: KnowledgeGraph, query: str, reasoned: bool | None = None) -> list[dict[str, str]]:
    """Answer a competency question (``cq04``), an ``.rq`` file or SPARQL text.

    Rows come as dicts of strings, as the SPARQL CSV format gives them. A
    competency question runs with inference when its header asks for it;
    *reasoned* overrides that.
    """
    from . import query as q

    text, needs_reasoning, source = query, False, "query"
    if "{" not in query:
        cq = q.find_question(query)
        text, needs_reasoning, source = cq.text, cq.needs_reasoning, cq.name
    use_reasoning = needs_reasoning if reasoned is None else reasoned
    result = q.run(q.graph_for_query(kg, use_reasoning), text, source)
    return q.result_rows(result)
