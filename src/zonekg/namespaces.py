"""Every prefix the project uses, bound in one place.

Instance IRIs are slash IRIs ``https://w3id.org/zonekg/id/{kind}/{slug}``; each kind
gets its own prefix so that Turtle can abbreviate them (a local name may not
contain ``/``).
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

BASE = "https://w3id.org/zonekg/"
ZK = Namespace(BASE + "def#")
ZKSH = Namespace(BASE + "shapes#")
ID = BASE + "id/"
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
OA = Namespace("http://www.w3.org/ns/oa#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")
GN = Namespace("https://sws.geonames.org/")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")

#: The kinds of instance this graph describes; each is a path segment under ID.
KINDS = (
    "amount",
    "claim",
    "collection",
    "document",
    "event",
    "organization",
    "passage",
    "place",
    "plan",
    "project",
    "proposal",
    "quantity",
    "sector",
    "zone",
)
KIND = {kind: Namespace(f"{ID}{kind}/") for kind in KINDS}

PREFIXES: dict[str, str] = {
    "zk": str(ZK),
    "zksh": str(ZKSH),
    **{kind: str(ns) for kind, ns in KIND.items()},
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "gn": str(GN),
    "iso639": str(ISO639),
    "oa": str(OA),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "qudt": str(QUDT),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "unit": str(UNIT),
    "void": str(VOID),
    "wd": str(WD),
    "dbr": str(DBR),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on *graph*, replacing rdflib's defaults."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for every project prefix, for queries written without them."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))


def curie(iri: str) -> str:
    """The shortest project CURIE for *iri*, or ``<iri>`` when no prefix fits."""
    candidates = [
        (prefix, iri[len(namespace) :])
        for prefix, namespace in PREFIXES.items()
        if iri.startswith(namespace)
    ]
    candidates = [(p, local) for p, local in candidates if local and not set(local) & set("/#")]
    best = max(candidates, key=lambda c: len(PREFIXES[c[0]]), default=None)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


def expand(text: str) -> str:
    """Expand a CURIE of ours to a full IRI; IRIs (with or without <>) pass through."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return text
