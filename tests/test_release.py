"""`zonekg release DIR`: the bundle, its DCAT/VoID description, checksums, atomicity."""

from __future__ import annotations

import concurrent.futures
import shutil
import subprocess
import threading
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

# Slow: needs a release (about 30 s of CPU).
pytestmark = pytest.mark.slow

DATASET_SHAPES = paths.ROOT / "ontology" / "shapes" / "dataset.shapes.ttl"


@pytest.fixture(scope="module")
def bundle(plain_release):
    """`zonekg release DIR` at SOURCE_DATE_EPOCH=1700000000, 2023-11-14 (conftest.py)."""
    return plain_release


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


_SMALL_GRAPH = """\
@prefix zk: <https://w3id.org/zonekg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/zonekg/id/zone/example> a zk:Zone ; rdfs:label "Example zone"@en ;
    zk:partOf <https://w3id.org/zonekg/id/place/example> .
<https://w3id.org/zonekg/id/place/example> a zk:City ; rdfs:label "Example city"@en .
"""


def test_the_framed_documents_are_kept_and_a_damaged_entry_is_framed_again(tmp_path, monkeypatch):
    """pyld framed the graph once per class in every release (about 100 s of CPU for the
    project's graph): an unchanged graph now reads them back from the cache folder, and
    only an entry that checks out."""
    from zonekg import api
    from zonekg.core import jsonld

    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "cache"))
    kg = api.load()
    graph = Graph().parse(data=_SMALL_GRAPH, format="turtle")
    framed = release._class_documents(kg, graph)
    assert "City" in framed and framed == jsonld.class_documents(graph)
    [kept] = (tmp_path / "cache").glob("jsonld-*[0-9a-f].json")  # (its manifest beside it)

    def not_again(_graph):
        raise AssertionError("framed again")

    with monkeypatch.context() as patched:
        patched.setattr(jsonld, "class_documents", not_again)
        assert release._class_documents(kg, graph) == framed
    assert not kg.notes
    kept.write_bytes(kept.read_bytes().replace(b"Example city", b"Changed city"))
    assert release._class_documents(kg, graph) == framed  # framed again
    assert any("were not used" in note and "SHA-256" in note for note in kg.notes), kg.notes


def test_two_releases_that_miss_the_kept_documents_at_once_frame_the_graph_once(
    tmp_path, monkeypatch
):
    """Two releases (two test workers) started on a cold cache each framed the graph
    (~75 s of CPU each): the second now waits for the first's documents."""
    from zonekg import api
    from zonekg.core import jsonld

    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "cache"))
    kg = api.load()
    graph = Graph().parse(data=_SMALL_GRAPH, format="turtle")
    framings, frame = [], jsonld.class_documents
    monkeypatch.setattr(jsonld, "class_documents", lambda g: framings.append(1) or frame(g))
    both_missed, looked = threading.Barrier(2, timeout=60), threading.local()
    kept = release._kept_documents

    def kept_once_both_looked(*args):
        found = kept(*args)
        if not getattr(looked, "once", False):  # each run's first look: both miss
            looked.once = True
            both_missed.wait()
        return found

    monkeypatch.setattr(release, "_kept_documents", kept_once_both_looked)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: release._class_documents(kg, graph), range(2))
    assert len(framings) == 1
    assert first == second and "City" in first
