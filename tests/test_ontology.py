"""Ontology metadata is kept in step with the package."""

from __future__ import annotations

import tomllib

from rdflib import URIRef
from rdflib.namespace import OWL, RDF

from zonekg.core import paths


def test_version_info_and_version_iri_follow_pyproject(kg):
    version = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]["version"]
    ontology = kg.rdf.ontology
    (node,) = list(ontology.subjects(RDF.type, OWL.Ontology))
    assert str(ontology.value(node, OWL.versionInfo)) == version
    assert ontology.value(node, OWL.versionIRI) == URIRef(f"{node}/{version}")
