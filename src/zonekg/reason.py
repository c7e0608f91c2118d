"""Step 3: the OWL-RL closure, kept apart from the asserted triples.

owlrl expands a graph in place, so it runs on a copy of ontology + data; what
it adds is returned as a separate graph and stored as its own named graph.
The asserted graphs, and the files under data/, are never touched.
"""

from __future__ import annotations

from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

from .limits import capped
from .load import KnowledgeGraph
from .namespaces import GRAPH, bind_prefixes

INFERRED_GRAPH = GRAPH["inferred"]


def reason(kg: KnowledgeGraph) -> Graph:
    """Compute the OWL-RL closure of *kg* and return only the inferred triples.

    The inferred graph is also stored in ``kg.dataset`` under INFERRED_GRAPH.
    """
    asserted = kg.asserted()
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    semantics = capped(OWLRL_Semantics)  # a cycle can grow the closure for minutes
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = kg.dataset.graph(INFERRED_GRAPH)
    inferred.remove((None, None, None))
    for triple in closure:
        if triple not in asserted and not _is_noise(triple):
            inferred.add(triple)
    return bind_prefixes(_copy(inferred))


def _is_noise(triple) -> bool:
    """Triples owlrl derives that are no knowledge, or not RDF at all.

    Reflexive owl:sameAs (x sameAs x) is true of everything and says nothing;
    a literal in subject position (``"3"^^xsd:integer a xsd:decimal``) is a
    generalised triple that no RDF syntax can write.
    """
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return True
    return p == OWL.sameAs and s == o


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy
