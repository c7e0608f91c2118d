"""Questions about the graph itself: the sources behind an entity, and counts."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from .errors import QueryError
from .load import KnowledgeGraph
from .namespaces import expand

_WHY = """
SELECT ?kind ?document ?documentLabel ?quote ?url WHERE {
  ?entity prov:wasDerivedFrom ?support .
  {
    ?support a zk:Passage ; oa:exact ?quote ; dct:isPartOf ?document .
    BIND("quote" AS ?kind)
  } UNION {
    ?support a zk:SourceDocument .
    BIND(?support AS ?document)
    BIND("document" AS ?kind)
  }
  OPTIONAL { ?document rdfs:label ?documentLabel FILTER(lang(?documentLabel) = "en") }
  OPTIONAL { ?document schema:url ?url }
}
ORDER BY ?kind ?document ?quote
"""

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities) WHERE { ?entity a ?class }
GROUP BY ?class ORDER BY DESC(?entities) ?class
"""

_SOURCE_COUNTS = """
SELECT ?document ?label (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  ?document a zk:SourceDocument .
  OPTIONAL { ?document rdfs:label ?label FILTER(lang(?label) = "en") }
  OPTIONAL {
    ?entity prov:wasDerivedFrom ?support .
    FILTER(?support = ?document || EXISTS { ?support dct:isPartOf ?document })
  }
}
GROUP BY ?document ?label ORDER BY DESC(?entities) ?document
"""


@dataclass
class Support:
    kind: str  # "quote" or "document"
    document: str
    document_label: str
    quote: str
    url: str


def why(kg: KnowledgeGraph, entity: str) -> list[Support]:
    """The quoted passages and source documents an entity is derived from."""
    from .query import parse

    iri = URIRef(expand(entity))
    graph = kg.asserted()
    if (iri, None, None) not in graph:
        raise QueryError(
            f"{entity} is not described in the graph",
            hint="give a full IRI or a CURIE such as zone:chengdu (see `zonekg stats`)",
        )
    rows = graph.query(parse(_WHY, "why"), initBindings={"entity": iri})
    return [
        Support(
            kind=str(r.kind),
            document=str(r.document),
            document_label=str(r.documentLabel or ""),
            quote=str(r.quote or ""),
            url=str(r.url or ""),
        )
        for r in rows
    ]


@dataclass
class Stats:
    triples: dict[str, int]
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, int]]


def stats(kg: KnowledgeGraph) -> Stats:
    from .load import display_path
    from .query import parse

    triples = {display_path(f): len(kg.graph_for(f)) for f in [*kg.ontology_files, *kg.data_files]}
    data = kg.data
    classes = [(str(r[0]), int(r[1])) for r in data.query(parse(_CLASS_COUNTS, "stats"))]
    sources = [
        (str(r[0]), str(r[1] or ""), int(r[2])) for r in data.query(parse(_SOURCE_COUNTS, "stats"))
    ]
    return Stats(triples, classes, sources)
