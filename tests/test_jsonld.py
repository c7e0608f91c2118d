"""JSON-LD: the project context, compacted and framed documents, offline expansion."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from zonekg.core import jsonld
from zonekg.core.errors import LoadError
from zonekg.core.vocab import ZK


def _keys(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                found.add(key)
                _keys(value, found)
    elif isinstance(node, list):
        for value in node:
            _keys(value, found)
    return found


def _descriptions(doc) -> Counter:
    """How often each node is described (an object with its id and more, not only a
    reference to it) in *doc*, its context aside."""
    found: Counter = Counter()
    pending = [doc]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if isinstance(value.get("id"), str) and len(value) > 1:
                found[value["id"]] += 1
            pending.extend(v for k, v in value.items() if k != "@context")
    return found


@pytest.fixture(scope="module")
def asserted(kg) -> Graph:
    return kg.rdf.asserted()


def test_context_file_is_json_with_readable_keys():
    doc = json.loads(jsonld.CONTEXT_FILE.read_text(encoding="utf-8"))
    ctx = doc["@context"]
    assert ctx["name"] == {"@id": "rdfs:label", "@container": "@language"}
    assert ctx["partOf"] == {"@id": "zk:partOf", "@type": "@id"}
    assert ctx["totalArea"]["@id"] == "zk:totalArea"
    assert ctx["derivedFrom"]["@id"] == "prov:wasDerivedFrom"
    assert ctx["DemonstrationZone"] == "zk:DemonstrationZone"


#: What JSON-LD 1.1 added to contexts: a context using any of these must say @version 1.1
#: (and JSON-LD 1.0 processors refuse it); one using none must not say it.
JSON_LD_1_1_KEYWORDS = {"@version", "@protected", "@propagate", "@import", "@nest", "@prefix"}


def test_the_context_uses_only_json_ld_1_0_and_says_no_version():
    ctx = json.loads(jsonld.CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert "@version" not in ctx
    for term, definition in ctx.items():
        if not isinstance(definition, dict):
            continue
        assert not JSON_LD_1_1_KEYWORDS & set(definition), term
        assert "@context" not in definition, f"{term}: a scoped context is JSON-LD 1.1"
        assert "@direction" not in definition, term
        container = definition.get("@container")
        # JSON-LD 1.0 containers: @list, @set, @language, @index (one value, no array)
        assert container is None or container in ("@list", "@set", "@language", "@index"), term
        assert definition.get("@type") not in ("@json", "@none"), term


def test_context_has_a_term_for_every_property_of_the_ontology(kg):
    ctx = jsonld.context()
    onto = kg.rdf.ontology
    props = set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(
        onto.subjects(RDF.type, OWL.DatatypeProperty)
    )
    ours = [p for p in props if str(p).startswith(str(ZK))]
    assert ours
    for prop in ours:
        local = str(prop)[len(str(ZK)) :]
        term = ctx.get(local)
        assert term is not None, (
            f"no term for zk:{local}: add one to src/zonekg/core/context.jsonld"
        )
        iri = term["@id"] if isinstance(term, dict) else term
        assert iri == f"zk:{local}"
        if (prop, RDF.type, OWL.ObjectProperty) in onto:
            assert term.get("@type") == "@id", f"zk:{local} values should compact to IRIs"


def test_compacted_document_uses_only_context_terms(asserted):
    doc = jsonld.compacted(asserted)
    assert isinstance(doc["@context"], dict)
    keys = _keys(doc["@graph"])
    assert {"name", "partOf", "derivedFrom", "hasMember"} <= keys
    prefixed = sorted(k for k in keys if ":" in k)
    assert not prefixed, f"no term for {prefixed}: add them to src/zonekg/core/context.jsonld"


def test_compacted_document_expands_to_the_same_graph(asserted, no_network):
    text = jsonld.dumps(jsonld.compacted(asserted))
    assert isomorphic(jsonld.to_graph(json.loads(text)), asserted)


def test_zone_is_the_root_of_its_framed_document(asserted, no_network):
    doc = jsonld.framed(asserted, jsonld.zone_frame())
    assert doc["id"] == "zone:chengdu"
    assert doc["type"] == "DemonstrationZone"
    # Each node is embedded once (@once): Future Science and Technology City is a planned
    # and a functional area of the zone, so it is nested under the first of the two and
    # referred to by its id under the other. Either way each area is nested in the zone.
    nested = {
        node["id"]: node
        for key in ("hasPlannedArea", "hasFunctionalArea")
        for node in doc[key]
        if isinstance(node, dict)
    }
    areas = [area if isinstance(area, dict) else nested[area] for area in doc["hasPlannedArea"]]
    assert len(areas) == 3 and all("en" in area["name"] for area in areas)
    assert {area["id"] for area in areas} == {
        "place:qilong",
        "place:gazelle-valley",
        "place:future-science-and-technology-city",
    }
    assert doc["totalArea"]["numericValue"] == "36.9"
    lists = doc["@reverse"]["concerns"]
    lists = lists if isinstance(lists, list) else [lists]
    cooperation = next(x for x in lists if x.get("type") == "CooperationList")
    assert cooperation["declaredCount"] == 9
    assert len(cooperation["hasMember"]) == 9
    sources = doc["derivedFrom"]
    assert any(isinstance(s, dict) and s.get("type") == "Passage" for s in sources)
    # A source embedded earlier in the document (@once) is referred to by its id here.
    embedded = set(_descriptions(doc))
    # once in the whole document: the @reverse frames described the areas again (3 times)
    assert max(_descriptions(doc).values()) == 1
    assert all(s["id"] in embedded if isinstance(s, dict) else s in embedded for s in sources)
    back = jsonld.to_graph(doc)
    assert len(back) > 100
    assert all(t in asserted for t in back), "the framed document says something the graph does not"


def test_a_framed_document_per_class(plain_release, asserted, no_network):
    """As the release publishes them (framed once per run: the bundle is shared)."""
    folder = plain_release / "jsonld"
    docs = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in folder.glob("*.jsonld")
        if p.stem != "zone-chengdu"
    }
    assert {"DemonstrationZone", "PlannedArea", "Proposal", "AgreementSet"} <= set(docs)
    for term, doc in docs.items():
        items = doc.get("@graph", [doc])
        assert items, term
        for item in items:
            types = item["type"] if isinstance(item["type"], list) else [item["type"]]
            assert term in types
        back = jsonld.to_graph(doc)
        assert all(t in asserted for t in back)
        assert max(_descriptions(doc).values(), default=1) == 1, f"{term}: a node described twice"


def test_a_document_naming_the_project_context_by_address_is_read_offline(asserted, no_network):
    doc = jsonld.compacted(asserted)
    doc["@context"] = jsonld.CONTEXT_IRI
    assert isomorphic(jsonld.to_graph(doc), asserted)


def test_a_remote_context_is_refused_not_fetched(no_network):
    doc = {"@context": "http://127.0.0.1:9/other-context.jsonld", "name": "x"}
    with pytest.raises(LoadError) as caught:
        jsonld.to_graph(doc, "remote.jsonld")
    assert "remote.jsonld" in str(caught.value)
    assert "project context" in str(caught.value)


def test_pyld_is_handed_the_dataset_its_own_reader_makes():
    """pyld's N-Quads reader compares each triple with every one before it (8 s for the
    project's graph); each line is read alone instead, the repeats dropped beforehand."""
    from pyld.nquads import parse_nquads

    lines = [
        '<urn:a> <urn:p> "x"@en .',
        '<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .',
        '_:b <urn:p> "tab\\there \\"quoted\\"" .',
        "<urn:a> <urn:p> _:b .",
        '<urn:a> <urn:p> "x"@en .',  # a repeat
        '<urn:a> <urn:p> "x"@en <urn:g> .',  # the same triple in another graph
    ]
    text = "\n".join(lines) + "\n"
    whole = "".join(sorted(f"{line}\n" for line in lines))
    assert jsonld._dataset(text) == parse_nquads(whole)
    assert {g: len(v) for g, v in jsonld._dataset(text).items()} == {"@default": 3, "urn:g": 2}


def test_frames_of_the_remembering_processor_are_pyld_s_own(asserted, no_network):
    """The processor that remembers compacted IRIs frames exactly as pyld does alone."""
    from pyld import jsonld as pyld

    whole = jsonld.expanded(asserted)
    processor = jsonld._Processor()
    for term in ("Organization", "Proposal", "Passage"):
        frame = {"@context": jsonld.CONTEXT_IRI, **jsonld.class_frame(term)}
        plain = pyld.frame(whole, dict(frame), jsonld._options(omitGraph=True))
        assert processor.frame(whole, dict(frame), jsonld._options(omitGraph=True)) == plain
        assert plain.get("@graph"), term


@pytest.mark.parametrize("term", ["Sector", "Organization"])
def test_a_class_document_describes_each_node_once(asserted, term, no_network):
    """Framing keeps @embed @once within each top-level node: every claim brought its
    sources' texts again (Claim.jsonld 9.4 MB, 69 descriptions of one document). Each node
    is described once now, and the document states the triples pyld's frame states. The
    sectors reach one another through their scheme: a sector nested in another is only
    referred to, and what pyld described only inside it is described elsewhere."""
    whole = jsonld.expanded(asserted)
    frame = {"@context": jsonld.CONTEXT_IRI, **jsonld.class_frame(term)}
    # pyld's framing, through the processor that remembers compacted IRIs (3x faster; that
    # its frames are pyld's own is test_frames_of_the_remembering_processor_are_pyld_s_own)
    plain = jsonld._Processor().frame(whole, dict(frame), jsonld._options(omitGraph=True))
    doc = jsonld._framed(whole, jsonld.class_frame(term), jsonld._Processor())
    assert max(_descriptions(plain).values()) > 1, "pyld describes no node twice: proves nothing"
    assert max(_descriptions(doc).values()) == 1
    assert [r["id"] for r in doc["@graph"]] == [r["id"] for r in plain["@graph"]]
    assert set(jsonld.to_graph(doc)) == set(jsonld.to_graph(plain))


def test_a_release_s_frames_compact_each_iri_once(asserted, monkeypatch, no_network):
    """pyld scanned the context's 220 terms for a prefix at each occurrence of an IRI:
    framing every class took 47 s, 15 s now that each IRI is compacted once."""
    from collections import Counter

    from pyld.jsonld import JsonLdProcessor

    compacted = Counter()
    pyld_compact_iri = JsonLdProcessor._compact_iri

    def counting(self, active_ctx, iri, value=None, vocab=False, base=None, reverse=False):
        if value is None:
            compacted[active_ctx.get("_uuid"), iri, vocab, base, reverse] += 1
        return pyld_compact_iri(self, active_ctx, iri, value, vocab, base, reverse)

    monkeypatch.setattr(JsonLdProcessor, "_compact_iri", counting)
    subset = Graph()
    for s in asserted.subjects(RDF.type, ZK.Proposal):
        for p, o in asserted.predicate_objects(s):
            subset.add((s, p, o))
    docs = jsonld.class_documents(subset)
    assert docs.get("Proposal"), "no Proposal document was framed"
    assert len(compacted) > 20
    assert max(compacted.values()) == 1, compacted.most_common(3)


def test_no_term_hides_a_project_prefix():
    # A term named like a prefix (say "unit") would stop "unit:KiloM2" from compacting.
    from zonekg.core.namespaces import PREFIXES

    ctx = jsonld.context()
    for prefix, namespace in PREFIXES.items():
        assert ctx.get(prefix) == namespace, prefix


def test_iris_compact_to_project_curies(asserted):
    doc = jsonld.framed(asserted, jsonld.zone_frame())
    assert doc["totalArea"]["hasUnit"] == "unit:KiloM2"
    body = jsonld.dumps({k: v for k, v in doc.items() if k != "@context"})
    assert "https://w3id.org/zonekg/id/" not in body


def test_every_context_term_names_a_term_the_data_uses_or_the_ontology_documents():
    """The key hasUnit read as qudt:hasUnit to a user, while the data uses qudt:unit: each
    key's IRI must be one the data uses (property or class) or the ontology describes or
    uses (skos:broader, skos:narrower, rdfs:seeAlso and schema:maxValue were used by
    neither, and are gone)."""
    from rdflib import RDF, Dataset, Graph

    from zonekg.core import paths
    from zonekg.core.namespaces import PREFIXES

    files = sorted(paths.DATA.glob("*.trig"))
    assert files
    data = Dataset()
    for file in files:
        data.parse(file, format="trig")
    known = {str(p) for _s, p, _o, _g in data.quads((None, None, None, None))}
    known |= {str(o) for _s, _p, o, _g in data.quads((None, RDF.type, None, None))}
    ontology = Graph().parse(paths.ONTOLOGY, format="turtle")
    known |= {str(s) for s in ontology.subjects()} | {str(p) for p in ontology.predicates()}
    known |= {str(o) for o in ontology.objects(None, RDF.type)}
    ctx = jsonld.context()
    terms = {k: (v["@id"] if isinstance(v, dict) else v) for k, v in ctx.items()}
    checked = 0
    for key, iri in terms.items():
        if key in PREFIXES or key.startswith("@") or iri.startswith("@"):
            continue
        prefix, _, local = iri.partition(":")
        full = PREFIXES[prefix] + local if prefix in PREFIXES else iri
        assert full in known, f"context key {key!r} names {iri}, which nothing uses"
        checked += 1
    assert checked > 50
    assert terms["hasUnit"] == "qudt:unit"  # the data's term, not qudt:hasUnit
