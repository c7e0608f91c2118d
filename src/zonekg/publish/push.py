"""Push the graph to a remote triplestore over the SPARQL 1.1 Graph Store Protocol.

A push puts the named graphs of the published dataset (``api.published_dataset``, the
one definition the release and local queries share), so that every question answers the
same remotely (a query at the endpoint names the default graph per question):

* each asserted graph (the ontology, and one graph per source document, named after
  it) into the named graph of the same name, so that ``GRAPH ?source { … }`` finds
  the sources that state a triple;
* ``graph/asserted`` (ASSERTED_GRAPH): those graphs merged, each triple once;
* ``graph/types`` (TYPES_GRAPH): the class hierarchy made explicit, less what is
  asserted: a question without inference is asked over asserted + types;
* ``graph/inferred`` (INFERRED_GRAPH, with ``with_inferred``): the OWL-RL closure
  less what is asserted: a question marked ``Inference: owlrl`` is asked over
  asserted + inferred. Without it, an inferred graph left by an earlier push is
  deleted, so that the store never holds a closure of other data;
* ``graph/pushed`` (PUSHED_GRAPH), last: ``<graph/pushed> dct:hasPart <g>`` for every
  graph above, so that a query that uses GRAPH can name them (``named-graph-uri``), and
  ``<g> a zk:DataGraph`` for each graph of the data (not the ontology's), which
  validation in the store needs (``validate`` adds these triples to the data it checks).

The merged graphs never overlap, because a store that reads ``FROM A FROM B`` (or
two ``default-graph-uri``) counts a triple in both twice. Every graph is named: the
protocol's default graph is a different thing in every store (Virtuoso refuses a
PUT to it, Oxigraph replaces its whole dataset with a PUT that names no graph).

Each graph is one HTTP PUT, which the protocol defines as replacing the target
graph: readers see the old graph or the new one, never a half-uploaded one (for
stores that apply a request in one transaction). The source graphs go first and
the merged graphs last. Only the URL the user names is contacted; credentials
come from the environment or ``~/.netrc`` (``safety.auth``).
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import api
from ..core.namespaces import DERIVED_GRAPHS, INFERRED_GRAPH, PUSHED_GRAPH, RDF, ZK
from ..core.settings import DEFAULT_LIMITS, Limits
from ..safety.auth import send_authorised
from ..safety.http import RemoteError, check_url

DATA_GRAPH = ZK + "DataGraph"


@dataclass
class Graph:
    """One graph to put: its IRI and N-Triples."""

    iri: str
    ntriples: bytes = field(repr=False)
    triples: int


@dataclass
class Payload:
    """What a push sends: the source graphs as they are, then the merged graphs."""

    named: list[Graph]
    merged: list[Graph]
    data_graphs: list[str] = field(default_factory=list)  # the named graphs of the data

    @property
    def triples(self) -> int:
        """The triples of the merged graphs (each triple of the dataset once)."""
        return sum(g.triples for g in self.merged)

    @property
    def with_inferred(self) -> bool:
        return any(g.iri == INFERRED_GRAPH for g in self.merged)


@dataclass
class PushResult:
    endpoint: str
    triples: int
    status: int
    graphs: int = 0  # source graphs put beside the merged graphs
    merged: dict[str, int] = field(default_factory=dict)  # merged graph → triples
    seconds: float = 0.0


def graph_store_url(endpoint: str, graph: str) -> str:
    """The GSP address of *graph* (``?graph=IRI``)."""
    check_url(endpoint)
    joiner = "&" if "?" in endpoint else "?"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def body(kg: api.KnowledgeGraph, with_inferred: bool) -> Payload:
    """The named graphs of the published dataset (``api.published_dataset``): the asserted
    graphs one by one, then the derived graphs (disjoint: each triple once)."""
    dataset = api.published_dataset(kg, with_inferred)
    named, merged = [], []
    for iri in api.published_graphs(kg):
        if iri in dataset:
            graph = Graph(iri, _ntriples(dataset[iri]), len(dataset[iri]))
            (merged if iri in DERIVED_GRAPHS else named).append(graph)
    return Payload(named, merged, [g for g in kg.loaded.data_graphs if g in dataset])


def _manifest(graphs: list[str], data_graphs: list[str]) -> bytes:
    has_part = ox.NamedNode("http://purl.org/dc/terms/hasPart")
    pushed = ox.NamedNode(PUSHED_GRAPH)
    manifest = [ox.Triple(pushed, has_part, ox.NamedNode(g)) for g in graphs]
    # which graphs are the data's (not the ontology's), as validation types them
    rdf_type, data_graph = ox.NamedNode(RDF + "type"), ox.NamedNode(DATA_GRAPH)
    manifest += [ox.Triple(ox.NamedNode(g), rdf_type, data_graph) for g in data_graphs]
    return _ntriples(manifest)


def _ntriples(triples) -> bytes:
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)


def push(endpoint: str, payload: Payload, limits: Limits = DEFAULT_LIMITS) -> PushResult:
    """Replace each source graph, then the merged graphs, at *endpoint* (a Graph Store),
    each request within *limits*.

    A failure part of the way says which graphs were already replaced.
    """
    check_url(endpoint)
    started = time.monotonic()
    graphs = [*payload.named, *payload.merged]
    status = 0
    for done, graph in enumerate(graphs):
        try:
            status = _put(endpoint, graph.iri, graph.ntriples, limits)
        except RemoteError as exc:
            if done:
                exc.message = f"{exc.message} (after {done} of {len(graphs)} graphs)"
            raise
    if not payload.with_inferred:
        _delete(endpoint, INFERRED_GRAPH, limits)
    manifest = _manifest([g.iri for g in graphs], payload.data_graphs)
    status = _put(endpoint, PUSHED_GRAPH, manifest, limits)
    return PushResult(
        endpoint,
        payload.triples,
        status,
        len(payload.named),
        {g.iri: g.triples for g in payload.merged},
        time.monotonic() - started,
    )


def _put(endpoint: str, graph: str, ntriples: bytes, limits: Limits) -> int:
    request = urllib.request.Request(
        graph_store_url(endpoint, graph),
        data=ntriples,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    status, _, _ = send_authorised(request, limits)
    return status


def _delete(endpoint: str, graph: str, limits: Limits) -> None:
    """Delete *graph* if the store has it (a 404 is what a store without it says)."""
    request = urllib.request.Request(graph_store_url(endpoint, graph), method="DELETE")
    try:
        send_authorised(request, limits)
    except RemoteError as exc:
        if exc.status != 404:
            raise
