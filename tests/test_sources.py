"""The source texts are in the project verbatim, and every quote occurs in them."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from zonekg.core import paths
from zonekg.core.vocab import OA, ZK

ARTICLE = paths.DATA / "sources" / "chengdu-china-japan-zone-2020-11-19.txt"


def test_article_full_text_in_graph_matches_the_copy_in_data_sources(kg):
    documents = [
        d for d in kg.rdf.data.subjects(ZK.localCopy, None) if (d, ZK.fullText, None) in kg.rdf.data
    ]
    assert documents, "no document with a full text"
    for document in documents:
        copy = paths.ROOT / str(kg.rdf.data.value(document, ZK.localCopy))
        assert str(kg.rdf.data.value(document, ZK.fullText)) == copy.read_text(encoding="utf-8")


def test_every_quote_occurs_verbatim_in_its_document(kg):
    passages = list(kg.rdf.data.subjects(RDF.type, ZK.Passage))
    assert passages, "no passages found"
    for passage in passages:
        document = kg.rdf.data.value(passage, DCTERMS.isPartOf)
        text = str(kg.rdf.data.value(document, ZK.fullText))
        assert str(kg.rdf.data.value(passage, OA.exact)) in text, passage


def test_every_described_entity_is_derived_from_a_passage_or_document(kg):
    data = kg.rdf.data
    sources = set(data.subjects(RDF.type, ZK.SourceDocument)) | set(
        data.subjects(RDF.type, ZK.Passage)
    )
    described = {s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)} - sources
    assert len(described) > 50
    missing = []
    for entity in described:
        supports = set(data.objects(entity, PROV.wasDerivedFrom))
        if not supports or not supports <= sources:
            missing.append(entity)
    assert not missing, missing


def test_every_fact_of_the_article_has_a_passage_that_cites_it(kg):
    """Each passage is used by at least one entity: no quote is left dangling."""
    for passage in kg.rdf.data.subjects(RDF.type, ZK.Passage):
        assert (None, PROV.wasDerivedFrom, passage) in kg.rdf.data, passage
