"""Ontology metadata is kept in step with the package."""

from __future__ import annotations

import tomllib

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from zonekg.core import paths


def test_version_info_and_version_iri_follow_pyproject(kg):
    version = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]["version"]
    ontology = kg.rdf.ontology
    (node,) = list(ontology.subjects(RDF.type, OWL.Ontology))
    assert str(ontology.value(node, OWL.versionInfo)) == version
    assert ontology.value(node, OWL.versionIRI) == URIRef(f"{node}/{version}")


def test_documenting_terms_changes_nothing_reasoning_concludes(engine, tmp_path):
    # The documentation of borrowed terms (label, definition, vocabulary) and every term's
    # rdfs:isDefinedBy are annotations only: the closure is the same without them.
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from zonekg import api
    from zonekg.core.terms import triple_to_rdflib
    from zonekg.core.vocab import ZK

    ontology = Graph().parse(paths.ONTOLOGY)
    annotations = {
        (s, p, o)
        for p in (RDFS.label, SKOS.definition, RDFS.isDefinedBy)
        for s, o in ontology.subject_objects(p)
        if p == RDFS.isDefinedBy or not str(s).startswith(str(ZK).rstrip("#"))
    }
    assert len({s for s, _, _ in annotations if not str(s).startswith(str(ZK))}) > 40
    for triple in annotations:
        ontology.remove(triple)
    bare = tmp_path / "ontology-without-annotations.ttl"
    ontology.serialize(bare, format="turtle")

    def closure(*ontologies) -> set:
        kg = api.load(ontology=list(ontologies) or None, engine=engine)
        return {triple_to_rdflib(t) for t in api.inferred(kg)}

    documented = closure()
    assert documented and documented == closure(bare)
