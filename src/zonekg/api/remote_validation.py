"""Validate inside a remote store: the shapes run as SPARQL at a SPARQL 1.1 Protocol
endpoint the user named, over what ``zonekg push`` wrote there, without the data leaving
the store.

The data validated is what a local ``validate`` checks: the merge of the asserted graphs
(graph/asserted), with ``G a zk:DataGraph`` for each graph of the data when the shapes
check them (the push lists those graphs in graph/pushed). The report is the embedded
validator's: verdict, results, focus nodes, paths, values, source shapes, messages.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InvalidChoice, ZonekgError
from ..core.namespaces import ASSERTED_GRAPH, PUSHED_GRAPH, RDF
from ..core.results import ValidationReport
from ..core.settings import Limits
from ..engines.base import Progress, no_progress
from ..inputs.shapes import Shapes, load_shapes
from ..safety.screen import screen, sparql_iri
from .remote import remote_graphs
from .validation import DATA_GRAPH, INFERENCE_CHOICES


def validate_remote(
    endpoint: str,
    shapes: Shapes | Path | None = None,
    inference: str = "none",
    limits: Limits | None = None,
    progress: Progress = no_progress,
) -> ValidationReport:
    """SHACL validation of the dataset ``zonekg push`` wrote at *endpoint* (a SPARQL 1.1
    query endpoint, the only address used), inside the store, against the shapes (the
    project's by default). Only ``inference="none"``: the store holds no entailment of
    its own that validation could use (refused otherwise)."""
    from ..engines import remote_shacl
    from ..safety.http import shown_url

    limits = Limits.from_env() if limits is None else limits
    if inference not in INFERENCE_CHOICES:
        raise InvalidChoice("inference", inference, INFERENCE_CHOICES)
    if inference != "none":
        raise ZonekgError(
            f"validation inside a store does not infer ({inference}) before validating",
            hint="validate here (without the endpoint) to infer first",
        )
    if not isinstance(shapes, Shapes):
        shapes = load_shapes(shapes, limits)
    remote_shacl.check_shapes(shapes)  # before any request
    pushed = remote_graphs(endpoint, limits)
    if ASSERTED_GRAPH not in pushed:
        raise ZonekgError(
            f"{shown_url(endpoint)} holds no <{ASSERTED_GRAPH}>: nothing that `zonekg push` "
            "wrote to validate",
            hint="push the graph to the store first (zonekg push)",
        )
    members: dict[str, list[str]] = {}
    data_graphs = _data_graphs(endpoint, limits)
    if _mentions(shapes, DATA_GRAPH):
        if not data_graphs:
            raise ZonekgError(
                f"the shapes check the graphs of the data (zk:DataGraph), but the push at "
                f"{shown_url(endpoint)} does not list them (an older zonekg, or no data)",
                hint="push the graph again with this zonekg",
            )
        members[DATA_GRAPH] = data_graphs
    report = remote_shacl.validate(
        endpoint,
        shapes,
        [ASSERTED_GRAPH],
        members,
        limits,
        progress,
    )
    report.data_files = len(data_graphs)
    report.data_triples = _distinct_count(endpoint, limits) if data_graphs else 0
    return report


def _mentions(shapes: Shapes, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(t.object == node for t in shapes.triples)


def _select(endpoint: str, text: str, what: str, limits: Limits, default=None):
    from ..engines import remote

    return remote.query(endpoint, screen(text, what, limits=limits), limits, default).rows


def _data_graphs(endpoint: str, limits: Limits) -> list[str]:
    """The graphs of the data the last push listed (``<g> a zk:DataGraph`` in graph/pushed)."""
    text = (
        f"SELECT ?g WHERE {{ GRAPH {sparql_iri(PUSHED_GRAPH)} "
        f"{{ ?g {sparql_iri(RDF + 'type')} {sparql_iri(DATA_GRAPH)} }} }}"
    )
    rows = _select(endpoint, text, "the pushed data graphs", limits)
    return sorted({row[0].value for row in rows if row and row[0] is not None})


def _distinct_count(endpoint: str, limits: Limits) -> int:
    """Triples in the merge of the data graphs the push listed (a triple in two graphs
    counts once), found through the list itself: the graphs named in the query took more
    than a store compiles at a million triples (13,939 graphs)."""
    text = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"GRAPH {sparql_iri(PUSHED_GRAPH)} {{ ?g {sparql_iri(RDF + 'type')} "
        f"{sparql_iri(DATA_GRAPH)} }} GRAPH ?g {{ ?s ?p ?o }} }} }}"
    )
    rows = _select(endpoint, text, "data triples", limits)
    return int(rows[0][0].value) if rows and rows[0] and rows[0][0] is not None else 0
