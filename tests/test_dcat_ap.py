"""The release's catalogue against the official DCAT-AP 3.0.1 SHACL shapes (pySHACL).

The shapes are the published files, unmodified (tests/fixtures/dcat-ap-3.0.1, with their
source and licence). They run as the Interoperable Europe testbed's "zero" profiles do,
with no background knowledge: nothing is imported or fetched, so the description must
type every value itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from zonekg.publish import catalog, release

SHAPES = Path(__file__).parent / "fixtures" / "dcat-ap-3.0.1"
SPDX = catalog.SPDX
#: The recommended properties the release leaves out, and why: no source gives a value.
#: (class of the focus node, property) -> reason; anything else recommended is filled.
UNFILLED = {
    # the project is no organisation of any ADMS publisher type (company, NGO, authority…)
    (FOAF.Agent, DCTERMS.type): "publisher type",
    # the project has no homepage address of its own to state
    (DCAT.Catalog, FOAF.homepage): "catalogue homepage",
    # no source gives coordinates of Chengdu; only its GeoNames identifier is verified
    (DCTERMS.Location, DCAT.bbox): "bounding box",
    (DCTERMS.Location, DCAT.centroid): "centroid",
}


def _shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def _results(data: Graph, shapes: Graph) -> list[dict]:
    """The top-level results of a validation (a result's sh:detail is part of it)."""
    _, report, _ = validate(data, shacl_graph=shapes, advanced=True, allow_warnings=True)
    found = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        found.append(
            {
                "severity": report.value(result, SH.resultSeverity),
                "focus": focus,
                "classes": set(data.objects(focus, RDF.type)),
                "path": report.value(result, SH.resultPath),
                "value": report.value(result, SH.value),
                "message": str(report.value(result, SH.resultMessage)),
            }
        )
    return found


def _show(results: list[dict]) -> str:
    return "\n".join(
        f"{r['severity'].rsplit('#', 1)[-1]} {r['focus']} {r['path']} {r['value']}: {r['message']}"
        for r in results
    )


@pytest.fixture(scope="module")
def description(release_bundle) -> Graph:
    return Graph().parse(release_bundle / release.DESCRIPTION_FILE, format="turtle")


def test_the_fixture_holds_the_published_shapes():
    assert sorted(p.name for p in SHAPES.glob("*.ttl")) == [
        "mdr-vocabularies.shape.ttl",
        "range.ttl",
        "shapes.ttl",
        "shapes_recommended.ttl",
    ]
    assert "CC BY 4.0" in (SHAPES / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("shapes", ["shapes.ttl", "range.ttl"])
def test_no_violation_of_the_core_and_range_shapes(description, shapes, no_network):
    results = _results(description, _shapes(shapes))
    assert results == [], _show(results)


def test_a_value_of_the_wrong_class_is_a_range_violation(description):
    # the range shapes are really evaluated: untype the media types and they fail
    broken = Graph()
    for triple in description:
        if triple[1:] != (RDF.type, DCTERMS.MediaType):
            broken.add(triple)
    results = _results(broken, _shapes("range.ttl"))
    assert results
    assert {r["path"] for r in results} == {DCAT.mediaType}


def test_recommended_properties_are_filled_where_a_source_gives_a_value(description, no_network):
    results = _results(description, _shapes("shapes_recommended.ttl"))
    assert all(r["severity"] == SH.Warning for r in results), _show(results)
    unfilled = set()
    for r in results:
        match = {key for key in UNFILLED if key[0] in r["classes"] and key[1] == r["path"]}
        assert match, f"a recommended property is missing: {_show([r])}"
        unfilled |= match
    assert unfilled == set(UNFILLED), "a property listed as unfilled is filled now: update UNFILLED"


def test_controlled_vocabularies_are_used(description, no_network):
    results = _results(description, _shapes("mdr-vocabularies.shape.ttl"))
    violations = [r for r in results if r["severity"] == SH.Violation]
    # the one conflict of that shapes file with DCAT-AP 3.0.1 itself (see the fixture README):
    # it wants https://spdx.org/rdf/terms… where SPDX and DCAT-AP name http://spdx.org/rdf/terms#
    assert violations
    assert all(
        r["path"] == SPDX.algorithm and r["value"] == SPDX.checksumAlgorithm_sha256
        for r in violations
    ), _show(violations)
    assert len(violations) == len(set(description.subjects(RDF.type, SPDX.Checksum)))
    warnings = [r for r in results if r["severity"] == SH.Warning]
    # the publisher is no body of the EU corporate-body table
    assert {(r["path"], r["value"]) for r in warnings} == {(DCTERMS.publisher, catalog.PUBLISHER)}


def test_a_catalogue_lists_the_dataset_and_the_service(description):
    (cat,) = description.subjects(RDF.type, DCAT.Catalog)
    assert set(description.objects(cat, DCAT.dataset)) == {catalog.DATASET}
    assert set(description.objects(cat, DCAT.service)) == {catalog.SERVICE}


def test_the_sources_are_provenance_not_source_datasets(kg, description):
    from rdflib.namespace import PROV

    from zonekg.core.vocab import ZK

    assert not list(description.objects(catalog.DATASET, DCTERMS.source))
    sources = set(kg.rdf.data.subjects(RDF.type, ZK.SourceDocument))
    assert sources and set(description.objects(catalog.DATASET, PROV.wasDerivedFrom)) == sources


def test_every_file_of_the_release_is_described(release_bundle, description):
    base = f"{catalog.BASE}release/{release.version()}/"
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (release_bundle / release.SUMS).read_text(encoding="utf-8").splitlines()
    )
    listed = set(sums) - {release.DESCRIPTION_FILE, ".zonekg-output"}
    assert len(listed) > 40
    distributions = set(description.objects(catalog.DATASET, DCAT.distribution))
    pages = set(description.objects(catalog.DATASET, FOAF.page))
    for name in listed:
        node = URIRef(base + name)
        assert node in distributions or node in pages, f"{name} is not described"
        assert description.value(node, DCTERMS.description) is not None, name
        fmt = description.value(node, DCTERMS.format)
        assert str(fmt).startswith(catalog.EU + "file-type/"), name
        assert (fmt, RDF.type, DCTERMS.MediaTypeOrExtent) in description, name
        (checksum,) = description.objects(node, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == sums[name], name
        digest = hashlib.sha256((release_bundle / name).read_bytes()).hexdigest()
        assert digest == sums[name], name
        if node in distributions:
            media = description.value(node, DCAT.mediaType)
            assert str(media).startswith(catalog.IANA), name
            assert (media, RDF.type, DCTERMS.MediaType) in description, name
            assert description.value(node, catalog.DCATAP.availability) is not None, name
    data = {n for n in listed if catalog.file_type(n).data and n not in catalog.DOCUMENTATION}
    assert {URIRef(base + n) for n in data} == distributions - {URIRef(base + "sparql")}


def test_a_file_of_an_unknown_kind_stops_the_release(kg):
    with pytest.raises(RuntimeError, match="FILE_TYPES"):
        release.describe(kg, {"notes/readme.xyz": 10})
