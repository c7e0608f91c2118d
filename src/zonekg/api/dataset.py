"""The published dataset: one definition for every way the graph leaves zonekg, so that
they agree by construction. Semi-internal: for the layers that publish (``web``,
``publish``); Python callers use ``query`` and ``export``.

`zonekg query` and `serve`'s /sparql answer over it (``querying.answer``), `export` and
`release` write it (``dataset_quads``), `push` puts its named graphs in a store.

- The default graph: the asserted graphs merged, with the types (``default_dataset``):
  what a question without FROM reads.
- The named graphs (``published_graphs``): each asserted graph under its own name (the
  ontology's, and one per source document: ``GRAPH ?source { … } ?source a
  zk:SourceDocument`` tells which sources state a triple), then the derived graphs, none of
  them a source: graph/asserted (the asserted graphs merged), graph/types and
  graph/inferred (the closure less what is asserted). These three never overlap, so a
  question that needs the closure names ``FROM <graph/asserted> FROM <graph/inferred>``
  and every store reads each triple once (Oxigraph and Virtuoso count a triple twice
  under ``FROM A FROM B`` when A and B share it).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from ..core.namespaces import ASSERTED_GRAPH, DERIVED_GRAPHS, INFERRED_GRAPH, RDFS, TYPES_GRAPH
from ..safety.screen import screen
from .loading import KnowledgeGraph
from .reasoning import reason


def published_graphs(kg: KnowledgeGraph) -> list[str]:
    """The named graphs of the published dataset: the asserted ones, then the derived ones."""
    return [*kg.asserted_graphs, *DERIVED_GRAPHS]


def derive(kg: KnowledgeGraph, graphs: Sequence[str]) -> None:
    """Make the derived graphs among *graphs* (once per load): the types, the closure, the
    merge of the asserted graphs."""
    if TYPES_GRAPH in graphs:
        entail_types(kg)
    if INFERRED_GRAPH in graphs:
        reason(kg)
    if ASSERTED_GRAPH in graphs and kg.loaded.merged_count is None:
        kg.engine.add_merge(kg.loaded, ASSERTED_GRAPH, kg.asserted_graphs)
    kg.loaded.keep()  # for the next command on the same inputs


def published_dataset(kg: KnowledgeGraph, with_inferred: bool = True) -> dict[str | None, set]:
    """The published dataset, graph by graph as sets of triples: ``None`` is the default
    graph, then each named graph of ``published_graphs`` (without graph/inferred when not
    *with_inferred*)."""
    by_graph: dict[str | None, set] = {iri: set() for iri in kg.asserted_graphs}
    for quad in kg.quads(kg.asserted_graphs):  # one pass: a read per graph is a scan each
        by_graph[quad.graph_name.value].add(quad.triple)
    asserted = set().union(*by_graph.values())
    entail_types(kg)
    types = {q.triple for q in kg.quads([TYPES_GRAPH])} - asserted
    by_graph[ASSERTED_GRAPH] = asserted
    by_graph[TYPES_GRAPH] = types
    if with_inferred:
        reason(kg)
        by_graph[INFERRED_GRAPH] = {q.triple for q in kg.quads([INFERRED_GRAPH])} - asserted
    return {None: asserted | types, **by_graph}


def dataset_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    """The published dataset as quads: the default graph's, then each named graph's."""
    quads = []
    for graph, triples in published_dataset(kg).items():
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return quads


def default_dataset(kg: KnowledgeGraph, reasoned: bool = False) -> list[str]:
    """The default graph of a query: the asserted graphs, with the class hierarchy made
    explicit (so that ``?x a zk:Organization`` finds every kind of organisation), or with
    the whole OWL-RL closure when *reasoned*."""
    return [*kg.asserted_graphs, INFERRED_GRAPH if reasoned else TYPES_GRAPH]


def entail_types(kg: KnowledgeGraph) -> int:
    """Make the class hierarchy explicit in TYPES_GRAPH (once per load): ``x a D`` for each
    superclass D (along rdfs:subClassOf) of a class x has, where it is not asserted."""
    if kg.loaded.types_count is not None:
        return kg.loaded.types_count
    pairs = kg.engine.query(
        kg.loaded,
        screen(f"SELECT DISTINCT ?c ?d WHERE {{ ?c <{RDFS}subClassOf> ?d }}", "types"),
        default_graphs=list(kg.asserted_graphs),
        named_graphs=None,
    )
    supers: dict[str, set[str]] = {}
    for c, d in pairs.rows:
        if isinstance(c, ox.NamedNode) and isinstance(d, ox.NamedNode) and c != d:
            supers.setdefault(c.value, set()).add(d.value)
    closed = sorted((c, d) for c in supers for d in _ancestors(c, supers))
    return kg.engine.add_types(kg.loaded, closed)


def _ancestors(cls, supers: dict) -> set:
    found: set = set()
    todo = list(supers.get(cls, ()))
    while todo:
        d = todo.pop()
        if d not in found and d != cls:
            found.add(d)
            todo.extend(supers.get(d, ()))
    return found


def flat_note(fmt) -> list[str]:
    """What a file in a flat format (one graph) says about itself, or nothing for TriG and
    N-Quads: the source graphs are merged away, and which file to take instead."""
    if fmt.keeps_graphs:
        return []
    name = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}.get(fmt.name)
    return [
        f"zonekg: {name or fmt.name} holds one graph, so the named graphs are merged into it:",
        "which source states which triple (the source graphs), the types and the closure",
        "are not told apart. To ask the competency questions, or to load the dataset into",
        "a SPARQL store, take the TriG or N-Quads file (zonekg.trig, zonekg.nq in a release;",
        "zonekg export -o FILE.trig or FILE.nq): its default graph is what the questions read.",
    ]
