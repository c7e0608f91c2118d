"""`zonekg release DIR`: the bundle, its DCAT/VoID description, checksums, atomicity."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, VOID, XSD

from zonekg.core import paths
from zonekg.core.formats import FORMATS
from zonekg.core.questions import questions
from zonekg.inputs.shapes import load_shapes, owning_node_shape
from zonekg.publish import release
from zonekg.safety import targets

DATASET_SHAPES = paths.ROOT / "ontology" / "shapes" / "dataset.shapes.ttl"
EPOCH = "1700000000"  # 2023-11-14


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    target = tmp_path_factory.mktemp("release") / "bundle"
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "release", str(target)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@pytest.fixture(scope="module")
def description(bundle) -> Graph:
    return Graph().parse(bundle / release.DESCRIPTION_FILE, format="turtle")


def _conforms(graph: Graph, shapes: Graph | None = None):
    shapes = shapes if shapes is not None else load_shapes(DATASET_SHAPES).graph
    conforms, report, text = validate(
        graph, shacl_graph=shapes, advanced=True, allow_warnings=False
    )
    return conforms, report, text


def test_bundle_holds_every_format_docs_diagrams_and_context(bundle):
    for fmt in FORMATS.values():
        assert (bundle / f"zonekg{fmt.suffix}").stat().st_size > 1000, fmt.name
    for name in (
        "zonekg.canonical.nq",
        "zonekg-inferred.ttl",
        "context.jsonld",
        "dataset.ttl",
        "SHA256SUMS",
        "docs/index.html",
        "ontology/zonekg.ttl",
        "jsonld/zone-chengdu.jsonld",
        "jsonld/Proposal.jsonld",
        "diagrams/zone.svg",
        "diagrams/zone.png",
        "diagrams/ontology.svg",
        "diagrams/ontology.png",
    ):
        assert (bundle / name).is_file(), name
    found = sorted(p.name for p in (bundle / "queries").glob("cq*.rq"))
    assert found and found == sorted(q.path.name for q in questions())


def test_bundle_formats_hold_the_asserted_graph(kg, bundle):
    assert isomorphic(Graph().parse(bundle / "zonekg.ttl"), kg.rdf.asserted())


def test_checksums_cover_every_file_and_match(bundle):
    listed = {
        line.split("  ", 1)[1]
        for line in (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    }
    present = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    # all but SHA256SUMS and the marker, which names the digest of SHA256SUMS
    assert len(present) > 30 and listed == present - {"SHA256SUMS", ".zonekg-output"}
    assert release.verify(bundle) == []
    done = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=bundle)
    assert done.returncode == 0


def test_checksums_catch_a_changed_file(bundle, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)
    (copy / "zonekg.nt").write_text("tampered\n")
    assert release.verify(copy) == ["zonekg.nt"]


def test_description_validates_against_the_dataset_shapes(description):
    conforms, _, text = _conforms(description)
    assert conforms, text


def test_description_says_what_the_dataset_is(kg, description):
    d = release.DATASET
    value = description.value
    assert (d, RDF.type, DCAT.Dataset) in description and (d, RDF.type, VOID.Dataset) in description
    assert value(d, OWL.versionInfo) == Literal(metadata.version("zonekg"))
    assert value(d, DCTERMS.issued) == Literal("2023-11-14", datatype=XSD.date)
    assert URIRef("https://w3id.org/zonekg/id/document/article-2020-11-19") in set(
        description.objects(d, PROV.wasDerivedFrom)
    )
    assert value(d, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    asserted = kg.rdf.asserted()
    assert int(value(d, VOID.triples)) == len(asserted)
    classes = {value(p, VOID["class"]) for p in description.objects(d, VOID.classPartition)}
    assert classes == set(asserted.objects(None, RDF.type))
    zone_part = next(
        p
        for p in description.objects(d, VOID.classPartition)
        if value(p, VOID["class"]) == URIRef("https://w3id.org/zonekg/def#DemonstrationZone")
    )
    assert int(value(zone_part, VOID.entities)) == 6
    props = {value(p, VOID.property) for p in description.objects(d, VOID.propertyPartition)}
    assert props == set(asserted.predicates())
    assert value(d, VOID.sparqlEndpoint) == URIRef(release.DEFAULT_ENDPOINT)
    examples = list(description.objects(release.SERVICE, RDFS.seeAlso))
    assert len(examples) == len(questions()) > 0
    for example in examples:
        assert (example, RDF.type, SH.SPARQLExecutable) in description
        assert "SELECT" in str(value(example, RDF.value)).upper()


def test_distribution_sizes_match_the_files(bundle, description):
    dists = list(description.subjects(RDF.type, DCAT.Distribution))
    sized = [d for d in dists if description.value(d, DCAT.byteSize) is not None]
    assert len(sized) >= len(FORMATS)
    for dist in sized:
        name = str(dist).rsplit(f"/release/{release.version()}/", 1)[1]
        assert (bundle / name).stat().st_size == int(description.value(dist, DCAT.byteSize))


@pytest.mark.parametrize(
    "remove, shape",
    [
        ((release.DATASET, DCTERMS.license, None), "DatasetShape"),
        ((release.DATASET, VOID.triples, None), "DatasetShape"),
        ((None, DCAT.byteSize, None), "DownloadShape"),
        ((release.SERVICE, RDFS.seeAlso, None), "DataServiceShape"),
        ((release.DATASET, PROV.wasDerivedFrom, None), "DatasetShape"),
        ((release.CATALOG, DCAT.service, None), "CatalogShape"),
        ((None, DCTERMS.format, None), "DistributionShape"),
        ((None, DCTERMS.description, None), "PageShape"),
    ],
)
def test_dataset_shapes_catch_a_missing_field(description, remove, shape):
    broken = Graph()
    for triple in description:
        broken.add(triple)
    broken.remove(remove)
    shapes = load_shapes(DATASET_SHAPES).graph
    conforms, report, _ = _conforms(broken, shapes)
    assert not conforms
    owners = {
        str(owning_node_shape(shapes, source)).rsplit("#", 1)[-1]
        for source in report.objects(None, SH.sourceShape)
    }
    assert shape in owners, owners


def test_package_and_ontology_versions_agree(kgs, engine):
    assert release.version() == metadata.version("zonekg")
    assert release.ontology_version(kgs[engine]) == release.version()


def test_a_failed_release_leaves_the_existing_bundle_untouched(kgs, engine, tmp_path, monkeypatch):
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "zonekg.ttl").write_text("# good earlier release\n")
    targets.mark(target, "release")  # an earlier bundle seals itself

    def broken(*args, **kwargs):
        raise RuntimeError("docs failed")

    monkeypatch.setattr("zonekg.publish.docs.write_docs", broken)
    with pytest.raises(RuntimeError):
        release.build(kgs[engine], target, diagrams=False)
    assert sorted(p.name for p in target.iterdir()) == [
        ".zonekg-output",
        "SHA256SUMS",
        "zonekg.ttl",
    ]
    assert (target / "zonekg.ttl").read_text() == "# good earlier release\n"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"], "a staging folder was left"


def test_a_release_replaces_an_existing_bundle_whole(kg, kgs, engine, tmp_path):
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "stale.txt").write_text("from an older release\n")
    targets.mark(target, "release")  # an earlier bundle seals itself
    release.build(kgs[engine], target, diagrams=False)
    assert not (target / "stale.txt").exists()
    assert release.verify(target) == []
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]
    # whichever engine loaded the graph, the bundle holds it
    assert isomorphic(Graph().parse(target / "zonekg.ttl"), kg.rdf.asserted())
