"""Push the graph to a remote triplestore over the SPARQL 1.1 Graph Store Protocol.

A push is one HTTP PUT of the whole graph, which the protocol defines as
replacing the target graph: readers see the old graph or the new one, never a
half-uploaded one (for stores that apply a request in one transaction, as
Oxigraph, Fuseki and GraphDB do). Only the URL the user names is contacted.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from .. import api
from ..core.namespaces import INFERRED_GRAPH
from ..safety.http import check_url, send


@dataclass
class PushResult:
    url: str
    triples: int
    status: int


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The GSP address of *graph* (``?graph=IRI``) or of the default graph (``?default``)."""
    check_url(endpoint)
    joiner = "&" if "?" in endpoint else "?"
    if graph:
        return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"
    return f"{endpoint}{joiner}default"


def body(kg: api.KnowledgeGraph, with_inferred: bool) -> tuple[bytes, int]:
    """The asserted graphs (and the closure) as N-Triples, each triple once."""
    graphs = list(kg.asserted_graphs)
    if with_inferred:
        api.reason(kg)
        graphs.append(INFERRED_GRAPH)
    triples = {q.triple for q in kg.quads(graphs)}
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples)


def push(endpoint: str, ntriples: bytes, triples: int, graph: str | None = None) -> PushResult:
    """Replace *graph* (or the default graph) at *endpoint* with *ntriples* in one PUT."""
    url = graph_store_url(endpoint, graph)
    request = urllib.request.Request(
        url, data=ntriples, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    status, _, _ = send(request)
    return PushResult(url, triples, status)
