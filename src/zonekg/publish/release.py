"""The release bundle: every format, a DCAT + VoID description, docs, pictures, checksums.

The bundle is built in a temporary folder beside the target and only then
moved into place, so a failed release never leaves a half-written bundle and
never touches a good one that is already there.

The version comes from one place, the package metadata (pyproject.toml); the
ontology's owl:versionInfo must agree, and a test checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections import Counter
from importlib import metadata
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, VOID, XSD

from .. import api
from ..api import KnowledgeGraph
from ..core import paths
from ..core.errors import ZonekgError
from ..core.formats import FORMATS, canonical_nquads, serialize
from ..core.namespaces import BASE, ID, curie
from ..core.vocab import ZK, bind_prefixes
from ..safety import targets
from ..safety.atomic import write_atomic

DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT lacks DCAT 3 terms such as dcat:version
DATASET = URIRef(BASE + "dataset")
SERVICE = URIRef(BASE + "dataset/sparql-service")
ARTICLE = URIRef(ID + "document/article-2020-11-19")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DEFAULT_ENDPOINT = "http://127.0.0.1:8000/sparql"
IANA = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
TITLE = "zonekg: the China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
DESCRIPTION = (
    "A sourced knowledge graph of the China-Japan (Chengdu) Regional Development "
    "Cooperation Demonstration Zone: its areas, the cooperation list and its proposals, "
    "the industrial plan, the signing event, the cooperation agreements and projects, the "
    "organisations behind them and the money involved. Every statement is kept in the graph "
    "of the source document that states it (the 2020-11-19 news item or another cited source)."
)
NAME = "zonekg"
SUMS = targets.SUMS
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
#: Who publishes the dataset: the project, under its own namespace (no person, no e-mail
#: address: the project has none it can state; see contact_point).
PUBLISHER = URIRef(BASE)
PUBLISHER_NAME = "zonekg project"
KEYWORDS = (
    "China",
    "Japan",
    "Chengdu",
    "Sichuan",
    "international investment cooperation",
    "demonstration zone",
    "knowledge graph",
    "provenance",
)
#: EU data themes (DCAT-AP): economy and finance, regions and cities, international issues.
THEMES = ("ECON", "REGI", "INTR")
#: The languages of the labels and sources (EU language authority).
LANGUAGES = ("ENG", "ZHO", "JPN")
DESCRIPTION_FILE = "dataset.ttl"


def version() -> str:
    """The package version (from pyproject.toml, through the installed metadata)."""
    try:
        return metadata.version("zonekg")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = paths.ROOT / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def issued_date() -> dt.date:
    """Today (UTC), or SOURCE_DATE_EPOCH's day for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except ValueError:
            raise ZonekgError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds",
                hint="unset it or give seconds since 1970-01-01",
            ) from None
    return dt.datetime.now(dt.UTC).date()


def ontology_version(kg: KnowledgeGraph) -> str | None:
    ontology = kg.rdf.ontology
    node = next(ontology.subjects(RDF.type, OWL.Ontology), None)
    value = ontology.value(node, OWL.versionInfo) if node is not None else None
    return None if value is None else str(value)


def describe(
    kg: KnowledgeGraph,
    files: dict[str, int],
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | None = None,
    sums: dict[str, str] | None = None,
) -> Graph:
    """The DCAT + VoID description of the dataset; *files* maps bundle paths to sizes and
    *sums* to their SHA-256 digests.

    It carries what DCAT-AP asks for and data portals harvest (CKAN's ckanext-dcat,
    tested with the real parser): licence on the dataset and on each distribution (with
    a title, so a portal recognises it), publisher, contact point, keywords, themes,
    languages, identifier, an access URL beside each download URL, SHA-256 checksums, and
    the SPARQL endpoint as a data service.
    """
    release = version()
    issued = issued or issued_date()
    base = f"{BASE}release/{release}/"
    asserted = kg.rdf.asserted()
    g = bind_prefixes(Graph())
    d = DATASET
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENSE, DCTERMS.title, Literal("Creative Commons Attribution", lang="en")))
    g.add((d, DCTERMS.identifier, Literal(str(d))))
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal(PUBLISHER_NAME, lang="en")))
    contact_point(g, d)
    for keyword in KEYWORDS:
        g.add((d, DCAT.keyword, Literal(keyword, lang="en")))
    for theme in THEMES:
        g.add((d, DCAT.theme, URIRef(f"{EU}data-theme/{theme}")))
    for language in LANGUAGES:
        g.add((d, DCTERMS.language, URIRef(f"{EU}language/{language}")))
    g.add((d, OWL.versionInfo, Literal(release)))
    g.add((d, DCAT3.version, Literal(release)))
    g.add((d, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    g.add((d, DCTERMS.source, ARTICLE))
    g.add((ARTICLE, RDFS.label, asserted.value(ARTICLE, RDFS.label) or Literal("source article")))
    g.add((d, VOID.triples, Literal(len(asserted))))
    g.add(
        (d, VOID.entities, Literal(len({s for s in asserted.subjects() if isinstance(s, URIRef)})))
    )
    g.add((d, VOID.vocabulary, URIRef(str(ZK))))
    g.add((d, VOID.uriSpace, Literal(ID)))
    g.add((d, VOID.exampleResource, URIRef(ID + "zone/chengdu")))
    g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((d, DCAT.landingPage, URIRef(base + "docs/index.html")))

    classes = Counter(o for o in asserted.objects(None, RDF.type) if isinstance(o, URIRef))
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{BASE}dataset/class/{_slug(cls)}")
        g.add((d, VOID.classPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    g.add((d, VOID.classes, Literal(len(classes))))
    properties = Counter(p for p in asserted.predicates())
    for prop, count in sorted(properties.items()):
        part = URIRef(f"{BASE}dataset/property/{_slug(prop)}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))
    g.add((d, VOID.properties, Literal(len(properties))))

    for name, size in sorted(files.items()):
        media = _media_type(name)
        if media is None:
            continue
        dist = URIRef(base + name)
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{name} ({media})", lang="en")))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.accessURL, dist))  # DCAT-AP: every distribution has one
        g.add((dist, DCTERMS.license, LICENSE))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        if sums and name in sums:
            checksum = BNode(f"sha256-{sums[name]}")
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(sums[name], datatype=XSD.hexBinary)))

    g.add((SERVICE, RDF.type, DCAT.DataService))
    g.add((SERVICE, DCTERMS.title, Literal("SPARQL endpoint of `zonekg serve`", lang="en")))
    g.add((SERVICE, DCAT.endpointURL, URIRef(endpoint)))
    g.add((SERVICE, DCAT.servesDataset, d))
    g.add((SERVICE, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((d, DCAT.distribution, URIRef(base + "sparql")))
    g.add((URIRef(base + "sparql"), RDF.type, DCAT.Distribution))
    g.add((URIRef(base + "sparql"), DCAT.accessService, SERVICE))
    g.add((URIRef(base + "sparql"), DCAT.accessURL, URIRef(endpoint)))
    g.add((URIRef(base + "sparql"), DCTERMS.license, LICENSE))
    g.add((URIRef(base + "sparql"), DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    for cq in _questions():
        node = URIRef(f"{BASE}query/{cq.name}")
        g.add((SERVICE, RDFS.seeAlso, node))
        g.add((node, RDF.type, SH.SPARQLExecutable))
        form = _query_form(cq)
        if form is not None:
            g.add((node, RDF.type, form))
        g.add((node, RDFS.label, Literal(cq.question or cq.name, lang="en")))
        g.add((node, RDF.value, Literal(cq.text)))
        g.add((node, RDFS.seeAlso, URIRef(base + f"queries/{cq.path.name}")))
    return g


def contact_point(g: Graph, dataset: URIRef) -> None:
    """DCAT-AP's contact point: the project, by name. The project publishes no e-mail
    address or issue tracker address of its own, so none is given (an invented one would
    be worse than none); a portal shows the name."""
    contact = URIRef(BASE + "dataset/contact")
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(PUBLISHER_NAME, lang="en")))


def endpoint_for(base_url: str | None, endpoint: str | None) -> str:
    """The SPARQL endpoint a release names: ``--endpoint``, else ``--base-url`` + /sparql
    (where ``zonekg serve`` answers), else the local default."""
    if endpoint:
        return endpoint
    if base_url:
        return base_url.rstrip("/") + "/sparql"
    return DEFAULT_ENDPOINT


def build(
    kg: KnowledgeGraph,
    target: Path,
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | None = None,
    diagrams: bool = True,
) -> dict[str, int]:
    """Write the bundle to *target*; return its files (relative path -> bytes)."""
    onto = ontology_version(kg)
    if onto != version():
        raise ZonekgError(
            f"the ontology's owl:versionInfo ({onto}) is not the package version ({version()})",
            hint="set the same version in pyproject.toml and ontology/zonekg.ttl",
            file=paths.ONTOLOGY,
        )
    target = targets.check_folder(
        Path(target), "release", inputs=[*kg.ontology_files, *kg.data_files]
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    targets.recover_folder(target)  # staging folders of killed runs; an old bundle put back
    staging = Path(tempfile.mkdtemp(prefix=targets.staging_name(target), dir=target.parent))
    try:
        files = _write_bundle(kg, staging, endpoint, issued, diagrams)
        os.chmod(staging, 0o755)
        targets.replace_folder(staging, target, "release")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


def _write_bundle(kg, folder: Path, endpoint, issued, diagrams) -> dict[str, int]:
    from ..core import jsonld
    from .docs import write_docs

    written: dict[str, int] = {}

    def put(name: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        write_atomic(folder / name, data)
        written[name] = len(data)

    asserted = list(kg.quads(kg.asserted_graphs))
    for fmt in FORMATS.values():
        put(NAME + fmt.suffix, serialize(asserted, fmt))
    put(f"{NAME}.canonical.nq", canonical_nquads(asserted))
    put(f"{NAME}-inferred.ttl", api.closure_text(kg))
    put("ontology/zonekg.ttl", kg.rdf.ontology.serialize(format="turtle"))
    put("context.jsonld", jsonld.context_text())
    graph = kg.rdf.asserted()
    put("jsonld/zone-chengdu.jsonld", jsonld.dumps(jsonld.framed(graph, jsonld.zone_frame())))
    for term, doc in jsonld.class_documents(graph).items():
        put(f"jsonld/{term}.jsonld", jsonld.dumps(doc))
    for cq in _questions():
        put(f"queries/{cq.path.name}", cq.text)
    written[_relative(write_docs(kg.rdf, folder / "docs"), folder)] = 0
    if diagrams:
        from .diagram import has_zone, write_diagram

        # data about other things than the zone has no zone diagram
        for kind in ("ontology", "zone") if has_zone(kg.rdf) else ("ontology",):
            for suffix in (".svg", ".png"):
                path = write_diagram(kg.rdf, kind, folder / "diagrams" / f"{kind}{suffix}")
                written[_relative(path, folder)] = 0
    for name in written:
        written[name] = (folder / name).stat().st_size
    sums = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in written
        if (folder / name).is_file()
    }
    description = describe(kg, written, endpoint, issued, sums)
    put(DESCRIPTION_FILE, description.serialize(format="turtle"))
    # SHA256SUMS of every file, and the marker tied to it: a later release may replace
    # this folder, as long as nothing in it has been added or changed
    targets.mark(folder, "release")
    written[SUMS] = (folder / SUMS).stat().st_size
    return written


def verify(folder: Path) -> list[str]:
    """The files whose checksum in SHA256SUMS does not match (empty when all do)."""
    bad = []
    for line in (Path(folder) / SUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = Path(folder) / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name)
    return bad


def _questions():
    return api.all_questions()


def _query_form(cq) -> URIRef | None:
    from ..safety.screen import screen

    form = screen(cq.text, str(cq.path)).form
    return {
        "SELECT": SH.SPARQLSelectExecutable,
        "ASK": SH.SPARQLAskExecutable,
        "CONSTRUCT": SH.SPARQLConstructExecutable,
    }.get(form)


def _media_type(name: str) -> str | None:
    if name.endswith(".canonical.nq"):
        return "application/n-quads"
    suffix = Path(name).suffix
    for fmt in FORMATS.values():
        if suffix == fmt.suffix:
            return fmt.media_type
    return None


def _slug(iri: URIRef) -> str:
    return curie(str(iri)).strip("<>").replace(":", "-").replace("/", "-").replace("#", "-")


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()
