"""The source texts are in the project verbatim, and every quote occurs in them."""

from __future__ import annotations

from rdflib import Literal, URIRef
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
    """In the document's full text, or else in the file its words are kept in (zk:localCopy):
    the pages quoted in sibling-zones.md are checked against that file as it is on disk."""
    passages = list(kg.rdf.data.subjects(RDF.type, ZK.Passage))
    assert passages, "no passages found"
    from_copies = 0
    for passage in passages:
        document = kg.rdf.data.value(passage, DCTERMS.isPartOf)
        quote = str(kg.rdf.data.value(passage, OA.exact))
        full_text = kg.rdf.data.value(document, ZK.fullText)
        if full_text is not None:
            assert quote in str(full_text), passage
            continue
        copies = sorted(str(c) for c in kg.rdf.data.objects(document, ZK.localCopy))
        assert copies, f"{passage}: its document has neither a full text nor a local copy"
        texts = [(paths.ROOT / copy).read_text(encoding="utf-8") for copy in copies]
        assert any(quote in text for text in texts), (passage, copies)
        from_copies += 1
    assert from_copies > 100, "the sibling-zones.md quotes were not checked against the file"


def test_sibling_zones_notes_are_held_in_full_and_quoted_from(kg):
    """sibling-zones.md is one document's full text (so SHACL can check the quotes of every page
    that keeps its words there), and the pages that keep their words there are quoted."""
    copy = "data/sources/sibling-zones.md"
    holders = [
        d
        for d in kg.rdf.data.subjects(ZK.localCopy, Literal(copy))
        if (d, ZK.fullText, None) in kg.rdf.data
    ]
    assert len(holders) == 1
    pages = set(kg.rdf.data.subjects(ZK.localCopy, Literal(copy))) - set(holders)
    quoted = {
        kg.rdf.data.value(p, DCTERMS.isPartOf) for p in kg.rdf.data.subjects(RDF.type, ZK.Passage)
    }
    assert len(pages) > 50
    assert pages - quoted == set(), "a page keeps its words in the notes but none is quoted"


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
