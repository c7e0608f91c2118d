"""The release's catalogue description (``dataset.ttl``): DCAT-AP 3.0.1 with VoID statistics.

What a data portal harvests: a ``dcat:Catalog`` that lists the dataset and the SPARQL
service; the dataset with its licence, publisher, contact point, keywords, themes,
languages, spatial and temporal coverage, the source documents it is derived from
(``prov:wasDerivedFrom``), counts and partitions (VoID); and every file the release
writes, described from the list of files itself: a data file is a ``dcat:Distribution``
(media type, format, description, availability, licence, size, SHA-256), anything else a
page of documentation (``foaf:page``). A new file in the bundle is described without a
change here; one whose suffix has no entry in FILE_TYPES stops the release.

Every value DCAT-AP wants of a class is typed in the description itself (the IANA media
type a ``dct:MediaType``, the EU file type a ``dct:MediaTypeOrExtent``, a language a
``dct:LinguisticSystem``, ...), so that it meets the official shapes with no background
knowledge loaded ("Base Zero", "Ranges Zero"; tests/test_dcat_ap.py). Where DCAT-AP
recommends a value that no source gives (an e-mail address, a homepage, the publisher's
type, a bounding box) nothing is invented: docs/export.md says which and why.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
)

from ..core.formats import FORMATS
from ..core.namespaces import BASE, ID, curie, expand
from ..core.vocab import ZK, bind_prefixes

DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT lacks DCAT 3 terms such as dcat:version
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "dataset")
SERVICE = URIRef(BASE + "dataset/sparql-service")
ONTOLOGY = URIRef(BASE + "def")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: CC BY is an attribution licence (ADMS licence type vocabulary).
LICENSE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
LICENSE_TYPES = URIRef("http://purl.org/adms/licencetype/1.0")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
DEFAULT_ENDPOINT = "http://127.0.0.1:8000/sparql"
TITLE = "zonekg: the China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
DESCRIPTION = (
    "A sourced knowledge graph of the China-Japan (Chengdu) Regional Development "
    "Cooperation Demonstration Zone: its areas, the cooperation list and its proposals, "
    "the industrial plan, the signing event, the cooperation agreements and projects, the "
    "organisations behind them and the money involved. Every statement is kept in the graph "
    "of the source document that states it (the 2020-11-19 news item or another cited source)."
)
CATALOG_TITLE = "zonekg releases"
CATALOG_DESCRIPTION = (
    "The catalogue of the zonekg release: the knowledge graph of the China-Japan (Chengdu) "
    "Regional Development Cooperation Demonstration Zone and the SPARQL service that answers "
    "questions about it."
)
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
#: EU data themes (code, the EU vocabulary's English label): economy and finance, regions
#: and cities, international issues.
THEMES = {
    "ECON": "Economy and finance",
    "REGI": "Regions and cities",
    "INTR": "International issues",
}
#: The languages of the labels and sources (EU language authority), with its English labels.
LANGUAGES = {"ENG": "English", "ZHO": "Chinese", "JPN": "Japanese"}
#: EU planned availability: nothing in this project promises to host a release for years
#: (it is at version 0.x), and the default endpoint is a server on the publisher's own machine.
AVAILABILITY_FILES = "EXPERIMENTAL"
AVAILABILITY_LOCAL_ENDPOINT = "TEMPORARY"


@dataclass(frozen=True)
class FileType:
    """How the description types a file: IANA media type, EU file type, a name for people,
    and whether it is data (a distribution of the dataset) or documentation (a page)."""

    media_type: str
    eu_file_type: str
    label: str
    data: bool


_RDF_FILE_TYPES = {
    "turtle": ("RDF_TURTLE", "Turtle"),
    "ntriples": ("RDF_N_TRIPLES", "N-Triples"),
    "nquads": ("RDF_N_QUADS", "N-Quads"),
    "trig": ("RDF_TRIG", "TriG"),
    "jsonld": ("JSON_LD", "JSON-LD"),
    "rdfxml": ("RDF_XML", "RDF/XML"),
}
#: By suffix: the RDF formats the project writes (media types from core.formats), and the
#: other kinds of file a release holds.
FILE_TYPES: dict[str, FileType] = {
    **{
        fmt.suffix: FileType(fmt.media_type, *_RDF_FILE_TYPES[fmt.name], data=True)
        for fmt in FORMATS.values()
    },
    ".rq": FileType("application/sparql-query", "SPARQLQ", "SPARQL query", data=False),
    ".html": FileType("text/html", "HTML", "HTML", data=False),
    ".svg": FileType("image/svg+xml", "SVG", "SVG", data=False),
    ".png": FileType("image/png", "PNG", "PNG", data=False),
    ".csv": FileType("text/csv", "CSV", "CSV", data=True),
    ".txt": FileType("text/plain", "TXT", "plain text", data=False),
}
#: Files that are not the dataset in another form though their syntax is RDF.
DOCUMENTATION = {"context.jsonld"}


def file_type(name: str) -> FileType:
    suffix = PurePosixPath(name).suffix
    if suffix not in FILE_TYPES:
        # a bug of the release, not of its input: every file it writes must be described
        raise RuntimeError(
            f"the release writes {name}, whose kind of file the description does not know: "
            "add its suffix to FILE_TYPES in zonekg/publish/catalog.py"
        )
    return FILE_TYPES[suffix]


def describe(
    kg,
    files: dict[str, int],
    endpoint: str,
    issued: dt.date,
    release: str,
    sums: dict[str, str] | None = None,
    local_endpoint: bool = False,
    endpoint_description: bool = True,
) -> Graph:
    """The DCAT-AP + VoID description of the release *release*: *files* maps the paths of
    the files the release writes to their sizes, *sums* to their SHA-256 digests.

    *local_endpoint* says the endpoint is a server on the publisher's machine (so its
    availability is temporary); *endpoint_description* that it is a ``zonekg serve``, whose
    endpoint address also answers with its SPARQL service description.
    """
    rdf = kg.rdf
    asserted = rdf.asserted()
    base = f"{BASE}release/{release}/"
    g = bind_prefixes(Graph())
    g.bind("dcatap", DCATAP)
    g.bind("spdx", SPDX)
    g.bind("vcard", VCARD)
    date = Literal(issued.isoformat(), datatype=XSD.date)
    landing = URIRef(base + "docs/index.html")

    _catalog(g, date)
    d = DATASET
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    _license(g, d)
    g.add((d, DCTERMS.identifier, Literal(str(d))))
    _publisher(g, d)
    contact_point(g, d)
    for keyword in KEYWORDS:
        g.add((d, DCAT.keyword, Literal(keyword, lang="en")))
    _themes(g, d)
    for language in _languages(g):
        g.add((d, DCTERMS.language, language))
    g.add((d, OWL.versionInfo, Literal(release)))
    g.add((d, DCAT3.version, Literal(release)))
    g.add((d, DCTERMS.issued, date))
    for standard, label in (
        (ONTOLOGY, "the zonekg ontology"),
        (URIRef(BASE + "shapes"), "the zonekg SHACL shapes"),
    ):
        g.add((d, DCTERMS.conformsTo, standard))
        _standard(g, standard, label)
    for place in _spatial(asserted):
        g.add((d, DCTERMS.spatial, place))
        g.add((CATALOG, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
    _temporal(g, d, rdf.data)
    for source in sorted(asserted.subjects(RDF.type, ZK.SourceDocument)):
        g.add((d, PROV.wasDerivedFrom, source))
        g.add((source, RDF.type, PROV.Entity))
        label = _english(asserted, source, RDFS.label) or _english(asserted, source, DCTERMS.title)
        if label is not None:
            g.add((source, RDFS.label, label))
    g.add((d, VOID.triples, Literal(len(asserted))))
    g.add(
        (d, VOID.entities, Literal(len({s for s in asserted.subjects() if isinstance(s, URIRef)})))
    )
    g.add((d, VOID.vocabulary, URIRef(str(ZK))))
    g.add((d, VOID.uriSpace, Literal(ID)))
    g.add((d, VOID.exampleResource, URIRef(ID + "zone/chengdu")))
    g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((d, DCAT.landingPage, landing))
    g.add((landing, RDF.type, FOAF.Document))
    _partitions(g, d, asserted)

    questions = {f"queries/{cq.path.name}": cq for cq in _questions()}
    for name, size in sorted(files.items()):
        if PurePosixPath(name).name.startswith("."):
            continue  # the bundle's marker file, not content
        kind = file_type(name)
        node = URIRef(base + name)
        if kind.data and name not in DOCUMENTATION:
            g.add((d, DCAT.distribution, node))
            g.add((node, RDF.type, DCAT.Distribution))
            g.add((node, DCAT.downloadURL, node))
            g.add((node, DCAT.accessURL, node))  # DCAT-AP: every distribution has one
            g.add((node, DCTERMS.license, LICENSE))
            g.add((node, DCAT.mediaType, _media_type(g, kind.media_type)))
            g.add((node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
            _availability(g, node, AVAILABILITY_FILES)
        else:
            g.add((d, FOAF.page, node))
            g.add((node, RDF.type, FOAF.Document))
        g.add((node, DCTERMS.title, Literal(f"{name} ({kind.media_type})", lang="en")))
        about = _about(name, kind, rdf, questions.get(name))
        g.add((node, DCTERMS.description, Literal(about, lang="en")))
        g.add((node, DCTERMS.format, _file_format(g, kind)))
        if sums and name in sums:
            _checksum(g, node, sums[name])

    _service(g, d, endpoint, local_endpoint, endpoint_description, base)
    for cq in questions.values():
        example = URIRef(f"{BASE}query/{cq.name}")
        g.add((SERVICE, RDFS.seeAlso, example))
        g.add((example, RDF.type, SH.SPARQLExecutable))
        form = _query_form(cq)
        if form is not None:
            g.add((example, RDF.type, form))
        g.add((example, RDFS.label, Literal(cq.question or cq.name, lang="en")))
        g.add((example, RDF.value, Literal(cq.text)))
        g.add((example, RDFS.seeAlso, URIRef(base + f"queries/{cq.path.name}")))
    return g


def contact_point(g: Graph, resource: URIRef) -> None:
    """DCAT-AP's contact point: the project, by name. The project publishes no e-mail
    address or issue tracker address of its own, so none is given (an invented one would
    be worse than none); a portal shows the name."""
    contact = URIRef(BASE + "dataset/contact")
    g.add((resource, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(PUBLISHER_NAME, lang="en")))


def _catalog(g: Graph, date: Literal) -> None:
    c = CATALOG
    g.add((c, RDF.type, DCAT.Catalog))
    g.add((c, DCTERMS.title, Literal(CATALOG_TITLE, lang="en")))
    g.add((c, DCTERMS.description, Literal(CATALOG_DESCRIPTION, lang="en")))
    g.add((c, DCAT.dataset, DATASET))
    g.add((c, DCAT.service, SERVICE))
    g.add((c, DCTERMS.issued, date))
    g.add((c, DCTERMS.modified, date))  # the catalogue is made afresh with each release
    _license(g, c)
    _publisher(g, c)
    for language in _languages(g):
        g.add((c, DCTERMS.language, language))
    g.add((c, DCAT.themeTaxonomy, _theme_scheme(g)))


def _publisher(g: Graph, resource: URIRef) -> None:
    g.add((resource, DCTERMS.publisher, PUBLISHER))
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal(PUBLISHER_NAME, lang="en")))


def _license(g: Graph, resource: URIRef) -> None:
    g.add((resource, DCTERMS.license, LICENSE))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    # the title CKAN's licence register knows (it maps "cc-by" by this title, not the IRI)
    g.add((LICENSE, DCTERMS.title, Literal("Creative Commons Attribution", lang="en")))
    g.add((LICENSE, DCTERMS.type, LICENSE_TYPE))
    _concept(g, LICENSE_TYPE, "Attribution", LICENSE_TYPES, "ADMS licence type vocabulary")


def _themes(g: Graph, resource: URIRef) -> None:
    scheme = _theme_scheme(g)
    for code, label in THEMES.items():
        theme = URIRef(f"{EU}data-theme/{code}")
        g.add((resource, DCAT.theme, theme))
        _concept(g, theme, label, scheme, "Data theme")


def _theme_scheme(g: Graph) -> URIRef:
    scheme = URIRef(f"{EU}data-theme")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    return scheme


def _languages(g: Graph) -> list[URIRef]:
    found = []
    for code, label in LANGUAGES.items():
        language = URIRef(f"{EU}language/{code}")
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
        _concept(g, language, label, URIRef(f"{EU}language"), "Language")
        found.append(language)
    return found


def _concept(g: Graph, concept: URIRef, label: str, scheme: URIRef, scheme_title: str) -> None:
    """A term of a published controlled vocabulary, typed and labelled as that vocabulary
    does, with the scheme it belongs to (what DCAT-AP's shapes check of a concept)."""
    g.add((concept, RDF.type, SKOS.Concept))
    g.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
    g.add((concept, SKOS.inScheme, scheme))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal(scheme_title, lang="en")))


def _standard(g: Graph, standard: URIRef, label: str) -> None:
    g.add((standard, RDF.type, DCTERMS.Standard))
    g.add((standard, RDFS.label, Literal(label, lang="en")))


def _media_type(g: Graph, media_type: str) -> URIRef:
    node = URIRef(IANA + media_type)
    g.add((node, RDF.type, DCTERMS.MediaType))
    return node


def _file_format(g: Graph, kind: FileType) -> URIRef:
    node = URIRef(f"{EU}file-type/{kind.eu_file_type}")
    g.add((node, RDF.type, DCTERMS.MediaTypeOrExtent))
    _concept(g, node, kind.label, URIRef(f"{EU}file-type"), "File type")
    return node


def _availability(g: Graph, node: URIRef, code: str) -> None:
    availability = URIRef(f"{EU}planned-availability/{code}")
    g.add((node, DCATAP.availability, availability))
    _concept(
        g,
        availability,
        code.capitalize(),
        URIRef(f"{EU}planned-availability"),
        "Planned availability",
    )


def _checksum(g: Graph, node: URIRef, digest: str) -> None:
    checksum = BNode(f"sha256-{digest}")
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    g.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))


def _service(g, d, endpoint, local_endpoint, endpoint_description, base) -> None:
    s = SERVICE
    g.add((s, RDF.type, DCAT.DataService))
    g.add((s, DCTERMS.title, Literal("SPARQL endpoint of `zonekg serve`", lang="en")))
    g.add(
        (
            s,
            DCTERMS.description,
            Literal(
                "A SPARQL 1.1 Protocol endpoint over the dataset (read-only): the asserted "
                "graphs, one per source document, and the ontology.",
                lang="en",
            ),
        )
    )
    g.add((s, DCAT.endpointURL, URIRef(endpoint)))
    if endpoint_description:
        # `zonekg serve` answers a request without a query with its service description
        g.add((s, DCAT.endpointDescription, URIRef(endpoint)))
    g.add((s, DCAT.servesDataset, d))
    g.add((s, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    _standard(g, SPARQL_PROTOCOL, "SPARQL 1.1 Protocol")
    _license(g, s)
    _publisher(g, s)
    contact_point(g, s)
    _themes(g, s)
    for keyword in KEYWORDS:
        g.add((s, DCAT.keyword, Literal(keyword, lang="en")))
    dist = URIRef(base + "sparql")
    g.add((d, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.accessService, s))
    g.add((dist, DCAT.accessURL, URIRef(endpoint)))
    g.add((dist, DCTERMS.license, LICENSE))
    g.add((dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add(
        (
            dist,
            DCTERMS.description,
            Literal(
                "The dataset through its SPARQL endpoint: send SPARQL 1.1 queries "
                "(results as SPARQL JSON, XML, CSV or TSV; graphs as Turtle, N-Triples, "
                "JSON-LD or RDF/XML).",
                lang="en",
            ),
        )
    )
    sparql = FileType("application/sparql-query", "SPARQLQ", "SPARQL query", data=False)
    g.add((dist, DCTERMS.format, _file_format(g, sparql)))
    _availability(g, dist, AVAILABILITY_LOCAL_ENDPOINT if local_endpoint else AVAILABILITY_FILES)


def _spatial(asserted: Graph) -> list[URIRef]:
    """The GeoNames features of the cities the zones lie in (zk:partOf, transitively),
    where the data links a city to one (skos:exactMatch): a place the data states."""
    rows = asserted.query(
        """SELECT DISTINCT ?feature WHERE {
             ?zone a zk:DemonstrationZone ; zk:partOf+ ?city .
             ?city a zk:City ; skos:exactMatch ?feature .
             FILTER(STRSTARTS(STR(?feature), "https://sws.geonames.org/"))
           } ORDER BY ?feature""",
        initNs={"zk": ZK, "skos": SKOS},
    )
    return [row[0] for row in rows]


_DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)


def _temporal(g: Graph, d: URIRef, data: Graph) -> None:
    """The period the data's dates span (every date, month or year a source gives, as
    written), as DCAT's temporal coverage."""
    dates = [o for o in data.objects() if isinstance(o, Literal) and o.datatype in _DATE_TYPES]
    if not dates:
        return
    period = URIRef(BASE + "dataset/period")
    g.add((d, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT3.startDate, min(dates, key=lambda o: _bounds(o)[0])))
    g.add((period, DCAT3.endDate, max(dates, key=lambda o: _bounds(o)[1])))


def _bounds(value: Literal) -> tuple[str, str]:
    """The first and last day a date, month or year covers, as sortable text."""
    text = str(value)
    if value.datatype == XSD.gYear:
        return f"{text}-01-01", f"{text}-12-31"
    if value.datatype == XSD.gYearMonth:
        return f"{text}-01", f"{text}-31"
    return text, text


def _partitions(g: Graph, d: URIRef, asserted: Graph) -> None:
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


def _about(name: str, kind: FileType, rdf, question) -> str:
    """What a file of the release holds, in a sentence (DCAT-AP's dct:description)."""
    path = PurePosixPath(name)
    if question is not None:
        return f"Competency question {question.name}: {question.question}"
    if name == "context.jsonld":
        return (
            "The JSON-LD context of the JSON-LD files (each carries it inline as well): "
            "readable keys for the ontology's terms and the project's prefixes."
        )
    if name == "ontology/zonekg.ttl":
        return (
            "The zonekg ontology (OWL 2 RL) as Turtle, with the label, definition and "
            "vocabulary of every class and property the data uses, its own or borrowed."
        )
    if name == "zonekg-inferred.ttl":
        return (
            "The OWL 2 RL closure: what the reasoner infers from the ontology and the data, "
            "less what is asserted, as Turtle."
        )
    if name == "zonekg.canonical.nq":
        return (
            "The published dataset (as zonekg.nq) as RDFC-1.0 canonical N-Quads: the same "
            "graphs give the same bytes."
        )
    if path.parent.name == "" and path.stem == "zonekg":
        if kind.eu_file_type in ("RDF_N_QUADS", "RDF_TRIG"):
            return (
                f"The published dataset as {kind.label}, what the competency questions read in "
                "any SPARQL 1.1 store: the default graph holds the asserted graphs merged with "
                "the class hierarchy made explicit; the named graphs are one per source "
                "document (so that GRAPH ?source { ... } says which sources state a triple) "
                "and one for the ontology, then graph/asserted (the merge), graph/types and "
                "graph/inferred (the OWL 2 RL closure less what is asserted)."
            )
        return (
            f"The asserted graph as {kind.label}: the ontology and every source graph merged, "
            "each triple once. A flat format keeps no source graphs: take zonekg.trig or "
            "zonekg.nq to know which source states a triple."
        )
    if path.parent.name == "jsonld" and path.stem.startswith("zone-"):
        return (
            f"The zone {path.stem[len('zone-') :]} as the root of one framed JSON-LD document: "
            "its areas and sources nested, and the lists, plans and events about it under "
            "@reverse."
        )
    if path.parent.name == "jsonld":
        from ..core.jsonld import context

        term = URIRef(expand(str(context().get(path.stem, f"zk:{path.stem}"))))
        label = _english(rdf.ontology, term, RDFS.label)
        what = f"{curie(str(term))} ({label})" if label is not None else curie(str(term))
        return (
            f"Every {what} in the graph, framed as one JSON-LD document with what each links "
            "to nested once."
        )
    if name == "docs/index.html":
        return (
            "The ontology's reference pages: every class and property the data uses, with "
            "its label, definition, vocabulary, usage count and an example from the data."
        )
    if name == "pages/zones.html":
        return (
            "The six China-Japan zones side by side, each figure with its sources, and a "
            "timeline of their dates drawn in SVG: a static copy of the server's /zones page."
        )
    if path.parent.name == "diagrams":
        return f"A diagram of the {path.stem} ({kind.label})."
    return f"{name}: a {kind.label} file of the release."


def _english(graph: Graph, subject, prop) -> Literal | None:
    values = sorted(graph.objects(subject, prop))
    for value in values:
        if isinstance(value, Literal) and value.language == "en":
            return value
    return values[0] if values else None


def _questions():
    from .. import api

    return api.all_questions()


def _query_form(cq) -> URIRef | None:
    from ..safety.screen import screen

    form = screen(cq.text, str(cq.path)).form
    return {
        "SELECT": SH.SPARQLSelectExecutable,
        "ASK": SH.SPARQLAskExecutable,
        "CONSTRUCT": SH.SPARQLConstructExecutable,
    }.get(form)


def _slug(iri: URIRef) -> str:
    shown = curie(str(iri)).strip("<>").replace("\\", "")  # a CURIE's escapes are not in a path
    return shown.replace(":", "-").replace("/", "-").replace("#", "-")
