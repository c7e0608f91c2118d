"""The OWL-RL closure with owlrl, kept apart from the asserted triples.

owlrl expands a graph in place, so it runs on a copy; what it adds is returned
on its own. It stops at a triple-count cap, since a cycle can grow the closure
for minutes.
"""

from __future__ import annotations

import pyoxigraph as ox
from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from ...core.settings import exceeded
from ...core.terms import to_ox, to_rdflib


def closure(asserted: Graph, cap: int, errors: list[str] | None = None) -> Graph:
    """The triples OWL-RL derives from *asserted* that it does not already hold; what owlrl
    finds inconsistent is added to *errors* (its messages)."""
    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    semantics = capped(OWLRL_Semantics, cap)
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    # owlrl writes what it finds inconsistent as `[] a err:ErrorMessage ; err:error "..."`:
    # not knowledge. The pipeline checks every inconsistency rule itself (by rule, the
    # same for both engines: engines.consistency).
    nodes = set(expanded.subjects(RDF.type, ERRNS.ErrorMessage))
    if errors is not None:
        errors.extend(sorted(str(m) for n in nodes for m in expanded.objects(n, ERRNS.error)))
    inferred = Graph()
    for triple in expanded:
        if triple not in asserted and triple[0] not in nodes and not _is_noise(triple):
            inferred.add(triple)
    return inferred


def close_schema(triples: list[ox.Triple]) -> list[ox.Triple]:
    """What the OWL-RL closure of a few schema *triples* adds to them (no axiomatic or
    datatype triples; none with a literal subject, which RDF cannot hold)."""
    schema = Graph()
    for triple in triples:
        schema.add(tuple(to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object)))
    asserted = set(schema)
    DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(schema)
    return [
        ox.Triple(to_ox(s), to_ox(p), to_ox(o))
        for s, p, o in schema
        if (s, p, o) not in asserted and not isinstance(s, Literal) and isinstance(p, URIRef)
    ]


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


def capped(semantics: type, cap: int) -> type:
    """An owlrl semantics class that stops when the closure would pass *cap* triples."""

    class Capped(semantics):
        _zk_base = 0

        def empty_stored_triples(self):
            # once per cycle: the graph only grows between cycles
            self._zk_base = len(self.destination)
            super().empty_stored_triples()

        def store_triple(self, t):
            super().store_triple(t)
            if self._zk_base + len(self.added_triples) > cap:
                raise exceeded(
                    "max_triples",
                    cap,
                    f"reasoning stopped: the closure passed {cap} triples (triple-count cap)",
                )

    Capped.__name__ = f"Capped{semantics.__name__}"
    return Capped
