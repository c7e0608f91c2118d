"""Ontology reference pages and the Graphviz diagrams."""

from __future__ import annotations

import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from cli_support import zonekg_in_process
from rdflib import URIRef
from rdflib.namespace import ORG, OWL, RDF, RDFS, SKOS

from zonekg.core.namespaces import curie
from zonekg.core.vocab import SCHEMA, ZK
from zonekg.publish import diagram, docs


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return zonekg_in_process(*args)


@pytest.fixture(scope="module")
def page(kgs, engine) -> str:
    """The reference page made from the graphs *engine* loaded (checked against rdflib's)."""
    return docs.html(kgs[engine].rdf)


def _section(page: str, local: str) -> str:
    match = re.search(rf'<section class="term" id="{re.escape(local)}">(.*?)</section>', page, re.S)
    assert match, f"no section for {local}"
    return unescape(match.group(1))


def _terms(kg):
    onto = kg.rdf.ontology
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    found = {t for k in kinds for t in onto.subjects(RDF.type, k) if str(t).startswith(str(ZK))}
    assert len(found) > 30
    return sorted(found)


def test_every_term_has_label_definition_alignment_and_usage(kg, page):
    onto, data = kg.rdf.ontology, kg.rdf.data
    for term in _terms(kg):
        local = str(term)[len(str(ZK)) :]
        section = _section(page, local)
        assert str(onto.value(term, RDFS.label)) in section
        assert str(onto.value(term, SKOS.definition)) in section
        for prop in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.inverseOf):
            for target in onto.objects(term, prop):
                assert curie(str(target)) in section, (local, target)
        if (term, RDF.type, OWL.Class) in onto:
            usage = len(set(data.subjects(RDF.type, term)))
        else:
            usage = len(list(data.triples((None, term, None))))
        shown = re.search(r'<dd class="usage">([\d,]+)</dd>', section)
        assert shown and int(shown.group(1).replace(",", "")) == usage, local


def _used_terms(kg) -> tuple[set, set]:
    """(classes, properties) the data uses, read from the data itself."""
    data = kg.rdf.data
    classes = {o for o in data.objects(None, RDF.type) if isinstance(o, URIRef)}
    return classes, set(data.predicates())


def _example_is_data(kg, example: str) -> bool:
    """Whether an example (``s p o .`` with the project's prefixes) is a triple of the data;
    a long literal is shown cut, ending in an ellipsis."""
    from rdflib import Graph, Literal

    from zonekg.core.namespaces import PREFIXES

    head = "".join(f"@prefix {p}: <{n}> .\n" for p, n in PREFIXES.items())
    cut = "…" in example
    (s, p, o), *_ = Graph().parse(data=head + example, format="turtle")
    if not cut:
        return (s, p, o) in kg.rdf.data
    prefix = str(o).rstrip("…")
    return any(
        isinstance(v, Literal) and str(v).startswith(prefix) for v in kg.rdf.data.objects(s, p)
    )


def test_every_term_the_data_uses_is_documented_with_usage_and_an_example(kg, page):
    onto, data = kg.rdf.ontology, kg.rdf.data
    classes, properties = _used_terms(kg)
    borrowed = {t for t in classes | properties if not str(t).startswith(str(ZK))}
    assert len(borrowed) > 40 and URIRef("http://schema.org/attendee") in borrowed
    for term in classes | properties:
        anchor = str(term)[len(str(ZK)) :] if str(term).startswith(str(ZK)) else curie(str(term))
        section = _section(page, anchor)
        assert str(onto.value(term, RDFS.label)) in section, anchor
        assert str(onto.value(term, SKOS.definition)) in section, anchor
        assert str(onto.value(term, RDFS.isDefinedBy)) in section, anchor
        if term in properties:
            usage = len(list(data.triples((None, term, None))))
        else:
            usage = len(set(data.subjects(RDF.type, term)))
        shown = re.search(r'<dd class="usage">([\d,]+)</dd>', section)
        assert usage > 0 and shown and int(shown.group(1).replace(",", "")) == usage, anchor
        example = re.search(r'<dd class="example"><code>(.*?)</code></dd>', section, re.S)
        assert example and _example_is_data(kg, example.group(1)), (anchor, example)
        assert curie(str(term)) in example.group(1), anchor


def test_docs_show_the_ontology_version(kg, page):
    version = str(next(kg.rdf.ontology.objects(None, OWL.versionInfo)))
    assert f"<dt>Version</dt><dd>{version}</dd>" in page


def test_zone_diagram_draws_the_zone_and_what_belongs_to_it(kg, kgs, engine):
    dot = diagram.zone_dot(kgs[engine].rdf.asserted())
    data = kg.rdf.data
    zone = URIRef("https://w3id.org/zonekg/id/zone/chengdu")
    expected = set(data.objects(zone, ZK.hasPlannedArea))
    expected |= set(data.objects(zone, ZK.hasFunctionalArea))
    expected |= {
        member
        for collection in data.subjects(ZK.concerns, zone)
        for member in data.objects(collection, ZK.hasMember)
    }
    # the zone's events, the sets of agreements and projects signed at them (and their classes),
    # their projects and the joint venture carrying one out, and the amounts of all these
    events = set(data.subjects(ZK.about, zone))
    sets = {s for e in events for s in data.subjects(ZK.occasion, e)}
    sets |= {
        s for s in data.subjects(ZK.subsetOf, None) if set(data.objects(s, ZK.subsetOf)) & sets
    }
    projects = {m for s in sets for m in data.objects(s, ZK.hasMember)}
    ventures = {v for p in projects for v in data.subjects(ZK.carriesOut, p)}
    expected |= {s for s in sets if (s, RDF.type, ZK.AgreementSet) in data}
    expected |= {a for x in sets | ventures for a in data.objects(x, ZK.plannedInvestment)}
    expected |= {
        a for c in data.objects(zone, ZK.hostCity) for a in data.objects(c, ZK.tradeVolume)
    }
    expected |= set(data.objects(zone, ZK.totalArea))
    expected |= set(data.objects(zone, ZK.firstPhaseArea))
    # The companies of the zone: behind its projects, sets and joint venture, the joint venture
    # itself, at or organising its events (the Zhaotai Group co-organised the signing event,
    # by its own account), and their group companies. People's Daily reports the Rohto
    # regenerative-medicine agreement, but no source ties it to the zone, so Rohto is not drawn.
    links = (ZK.ledBy, ZK.signatory, SCHEMA.founder)
    firms = {f for x in sets | projects | ventures for p in links for f in data.objects(x, p)}
    firms |= ventures
    firms |= {
        f for e in events for p in (SCHEMA.attendee, SCHEMA.organizer) for f in data.objects(e, p)
    }
    firms |= {g for f in firms for g in data.objects(f, ORG.subOrganizationOf)}
    companies = {f for f in firms if (f, RDF.type, ZK.Company) in data}
    assert len(companies) >= 10
    expected |= companies
    listed = set(data.objects(None, ZK.hasMember))
    loose = {p for p in data.subjects(RDF.type, ZK.Project) if p not in listed}
    unattached = {URIRef("https://w3id.org/zonekg/id/organization/rohto-investment-china")}
    assert unattached & companies == set()
    assert len(expected) > 30
    for node in expected:
        assert f'"{node}" [label=' in dot, node
    for node in unattached | loose:
        assert f'"{node}"' not in dot, node
    # nothing that belongs to one of the other five zones (the third edition's data) is drawn
    others = {z for z in data.subjects(RDF.type, ZK.DemonstrationZone) if z != zone}
    assert len(others) == 5
    ties = (ZK.about, ZK.concerns, ZK.relatedPlace, ZK.partOf, ZK.hostCity, ZK.officeIn)
    theirs = {x for z in others for p in ties for x in data.subjects(p, z)}
    assert len(theirs) > 30
    for node in theirs | others:
        assert f'"{node}" [label=' not in dot, node
    assert '"https://w3id.org/zonekg/id/organization/itochu"' not in dot
    for left_out in (ZK.Passage, ZK.SourceDocument):
        for node in data.subjects(RDF.type, left_out):
            assert f'"{node}"' not in dot
    assert "36.9 km²" in dot
    assert "21,750,000,000 CNY" in dot
    assert "5 named of 9 declared" in dot or "9 named of 9 declared" in dot


def test_ontology_diagram_draws_classes_and_alignments(kg, kgs, engine):
    dot = diagram.ontology_dot(kgs[engine].rdf.ontology)
    for cls in kg.rdf.ontology.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(str(ZK)):
            assert f'"{cls}" [label=' in dot
    assert f'"{ZK.Place}" -> "http://www.opengis.net/ont/geosparql#Feature"' in dot
    assert "label=<partOf<br/>" in dot and "geo:sfWithin" in dot


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("kind", diagram.KINDS)
def test_diagrams_render_to_svg_and_png(kind, tmp_path):
    svg, png = tmp_path / f"{kind}.svg", tmp_path / f"{kind}.png"
    for target in (svg, png):
        result = zonekg("diagram", kind, "-o", str(target))
        assert result.returncode == 0, result.stderr
    root = ET.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert ("Qilong" if kind == "zone" else "DemonstrationZone") in texts
    width, height = _png_size(png.read_bytes())
    assert width > 800 and height > 300


def test_diagram_refuses_an_unknown_suffix(tmp_path):
    result = zonekg("diagram", "zone", "-o", str(tmp_path / "zone.jpeg"))
    assert result.returncode == 2 and ".svg" in result.stderr
    assert not (tmp_path / "zone.jpeg").exists()


def test_the_term_index_wraps_and_counts_are_grouped(page):
    # the index links are written without spaces between them: only a wrapping flex
    # container keeps them from one line wider than the window
    assert "nav { display: flex; flex-wrap: wrap;" in page
    assert not re.search(r'<dd class="usage">\d{4,}</dd>', page)


def _other_data(tmp_path):
    data = tmp_path / "other.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n", encoding="utf-8")
    return data


def test_zone_diagram_of_data_without_the_zone_is_a_clear_error(tmp_path):
    # Graphviz used to fail on an empty <font> in the zone's label ("dot failed: syntax error")
    done = zonekg(
        "diagram", "zone", "-o", str(tmp_path / "z.svg"), "--data", str(_other_data(tmp_path))
    )
    assert done.returncode == 2, done.stderr
    assert "does not describe the zone" in done.stderr
    assert not (tmp_path / "z.svg").exists()


def test_release_of_data_without_the_zone_has_no_zone_diagram(tmp_path):
    target = tmp_path / "bundle"
    done = zonekg("release", str(target), "--data", str(_other_data(tmp_path)))
    assert done.returncode == 0, done.stderr
    drawn = sorted(p.name for p in (target / "diagrams").iterdir())
    assert drawn == ["ontology.png", "ontology.svg"]
