"""Push the graph to a remote triplestore over the SPARQL 1.1 Graph Store Protocol.

A push puts the dataset a local query sees, so that every question answers the
same remotely:

* each asserted graph (the ontology, and one graph per source document, named
  after it) into the named graph of the same name, so that ``GRAPH ?source { … }``
  finds the sources that state a triple;
* the default dataset of a local query, merged (each triple once: the source
  graphs, the ontology and the class hierarchy made explicit, or the OWL-RL
  closure with ``with_inferred``), into the graph the user names or the default
  graph.

Each graph is one HTTP PUT, which the protocol defines as replacing the target
graph: readers see the old graph or the new one, never a half-uploaded one (for
stores that apply a request in one transaction, as Oxigraph, Fuseki and GraphDB
do). The source graphs go first and the merged graph last. Only the URL the user
names is contacted.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import api
from ..core.errors import ZonekgError
from ..safety.http import check_url, send


@dataclass
class Graph:
    """One graph to put: its IRI (None: the target the user names) and N-Triples."""

    iri: str | None
    ntriples: bytes = field(repr=False)
    triples: int


@dataclass
class Payload:
    """What a push sends: the named graphs as they are, then the merged default dataset."""

    named: list[Graph]
    merged: Graph

    @property
    def triples(self) -> int:
        return self.merged.triples


@dataclass
class PushResult:
    url: str
    triples: int
    status: int
    graphs: int = 0  # named graphs put beside the merged graph


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The GSP address of *graph* (``?graph=IRI``) or of the default graph (``?default``)."""
    check_url(endpoint)
    joiner = "&" if "?" in endpoint else "?"
    if graph:
        return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"
    return f"{endpoint}{joiner}default"


def body(kg: api.KnowledgeGraph, with_inferred: bool) -> Payload:
    """The asserted graphs one by one, and the default dataset merged (each triple once)."""
    named = []
    for iri in kg.asserted_graphs:
        triples = {q.triple for q in kg.quads([iri])}
        named.append(Graph(iri, _ntriples(triples), len(triples)))
    default = api.default_dataset(kg, reasoned=with_inferred)
    if with_inferred:
        api.reason(kg)
    else:
        api.entail_types(kg)
    merged = {q.triple for q in kg.quads(default)}
    return Payload(named, Graph(None, _ntriples(merged), len(merged)))


def _ntriples(triples) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def push(endpoint: str, payload: Payload, graph: str | None = None) -> PushResult:
    """Replace each named graph, then *graph* (or the default graph) at *endpoint*.

    A failure part of the way says which graphs were already replaced.
    """
    names = {g.iri for g in payload.named}
    if graph in names:
        raise ZonekgError(
            f"--graph {graph} is the name of one of the graph's own named graphs",
            hint="name another graph for the merged graph, or leave --graph out (default graph)",
        )
    for done, named in enumerate(payload.named):
        try:
            _put(endpoint, named.iri, named.ntriples)
        except ZonekgError as exc:
            if done:
                exc.message = f"{exc.message} (after {done} of {len(payload.named)} named graphs)"
            raise
    url, status = _put(endpoint, graph, payload.merged.ntriples)
    return PushResult(url, payload.merged.triples, status, len(payload.named))


def _put(endpoint: str, graph: str | None, ntriples: bytes) -> tuple[str, int]:
    url = graph_store_url(endpoint, graph)
    request = urllib.request.Request(
        url, data=ntriples, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    status, _, _ = send(request)
    return url, status
