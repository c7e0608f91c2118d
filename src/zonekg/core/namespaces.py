"""Every prefix the project uses, and the IRIs of its graphs: the one place they are bound.

Plain strings, so that the query path needs no RDF library to print a CURIE.
Instance IRIs are slash IRIs ``https://w3id.org/zonekg/id/{kind}/{slug}``; each kind
gets its own prefix so that Turtle can abbreviate them (a local name may not
contain ``/``). ``vocab`` turns these into rdflib namespaces for the modules
that work with rdflib graphs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import paths

BASE = "https://w3id.org/zonekg/"
ZK = BASE + "def#"
ZKSH = BASE + "shapes#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
#: The graph the OWL-RL closure is kept in, apart from the asserted graphs: the closure
#: less what is asserted.
INFERRED_GRAPH = GRAPH + "inferred"
#: The class hierarchy made explicit: ``x a C`` for every superclass C of x's classes
#: that is not asserted. Part of the default dataset of queries that run without the closure.
TYPES_GRAPH = GRAPH + "types"
#: Every asserted graph (the ontology's, one per source document) merged, each triple once.
#: A question that needs the closure names its dataset ``FROM <graph/asserted> FROM
#: <graph/inferred>``: the derived graphs never overlap, so every store reads each triple once.
ASSERTED_GRAPH = GRAPH + "asserted"
#: The named graphs derived from the asserted ones, beside them in the published dataset
#: (``api.published_graphs``): none of them is a source, none is a zk:SourceDocument.
DERIVED_GRAPHS = (ASSERTED_GRAPH, TYPES_GRAPH, INFERRED_GRAPH)
#: In a remote store: which graphs the last push wrote (``<PUSHED_GRAPH> dct:hasPart <g>``),
#: so that a query that uses GRAPH can name them (named-graph-uri) without a scan.
PUSHED_GRAPH = GRAPH + "pushed"
#: In a remote store, while ``zonekg reason --endpoint`` works: ``<graph/reasoning>
#: dct:hasPart <g>`` for each graph the closure is being built in (``graph/reasoning/round-N``),
#: so that a run stopped half-way leaves them listed for the next run to drop. No question
#: reads them (graph/pushed never lists them); the last step copies them into graph/inferred.
REASONING_GRAPH = GRAPH + "reasoning"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

#: The kinds of instance this graph describes; each is a path segment under ID.
KINDS = (
    "amount",
    "claim",
    "collection",
    "disagreement",
    "document",
    "event",
    "organization",
    "passage",
    "person",
    "place",
    "plan",
    "project",
    "proposal",
    "quantity",
    "sector",
    "target",
    "zone",
)

PREFIXES: dict[str, str] = {
    "zk": ZK,
    "zksh": ZKSH,
    **{kind: f"{ID}{kind}/" for kind in KINDS},
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "gn": "https://sws.geonames.org/",
    "iso639": "http://id.loc.gov/vocabulary/iso639-1/",
    "marcrel": "http://id.loc.gov/vocabulary/relators/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": OWL,
    "prov": "http://www.w3.org/ns/prov#",
    "qudt": "http://qudt.org/schema/qudt/",
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": "http://schema.org/",
    "sh": SH,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "unit": "http://qudt.org/vocab/unit/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "dbr": "http://dbpedia.org/resource/",
    "xsd": XSD,
}


#: The vocabularies whose terms a query is checked against (``api.undefined_terms``): the
#: ontology's own and every one whose terms the data uses or the ontology documents. A term
#: of these is known when the ontology describes it (its own terms, and the borrowed terms
#: it documents) or the data uses it (as a property or a class): the project's files, never
#: a vocabulary fetched from the web. Not checked: rdf, rdfs, owl, xsd and sh (the
#: languages the graph is written in, whose terms a query may use for what the data never
#: states), zksh (the shapes), and the namespaces of instances, units and identifiers.
CHECKED_VOCABULARIES = (
    "zk",
    "dcat",
    "dct",
    "foaf",
    "geo",
    "marcrel",
    "oa",
    "org",
    "prov",
    "qudt",
    "schema",
    "skos",
    "void",
)


def graph_iri(file: Path) -> str:
    """The named graph a Turtle file's triples are loaded into.

    A file of the project is named by its path in the project; a file outside it by
    ``external/{digest of its path}/{its name}``, so that no graph name (which the
    server shows to anyone) carries where the file lives on this machine.
    """
    import hashlib
    from urllib.parse import quote

    resolved = Path(file).resolve()
    try:
        return GRAPH + resolved.relative_to(paths.ROOT).as_posix()
    except ValueError:
        pass
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:12]
    return f"{GRAPH}external/{digest}/{quote(resolved.name, safe='')}"


def display_path(file: Path) -> str:
    """A path relative to the project when it is inside it, else as given."""
    try:
        return Path(file).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return Path(file).as_posix()


#: The characters a prefixed name's local part may hold only escaped with a backslash
#: (SPARQL and Turtle PN_LOCAL_ESC, less ``_``, ``-`` and ``.``, which may stand unescaped
#: where handled below).
_LOCAL_ESCAPES = frozenset("~!$&'()*+,;=/?#@")
_HEX = frozenset("0123456789abcdefABCDEF")


#: A local name that needs no escape: a table of a million triples' answers shows tens of
#: thousands (a curie took 11-14 us with the character-by-character test alone, 7-9 with this).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_:](?:[A-Za-z0-9_:.-]*[A-Za-z0-9_:-])?")


def local_name(local: str) -> str | None:
    """*local* as the local part of a SPARQL/Turtle prefixed name (``1815286\\/``), or None
    where it cannot be one (a space, a quote, a bare ``%``, an empty name)."""
    # Oxigraph 0.5 refuses a name with two dots between other characters (``a.b.c``, which
    # SPARQL allows) and reads it with the dots escaped: so where there are two, every one is
    dots = local.count(".")
    if dots <= 1 and _PLAIN_LOCAL.fullmatch(local):
        return local
    shown = []
    for i, ch in enumerate(local):
        last = i == len(local) - 1
        dot = ch == "." and i and not last and dots == 1
        if ch.isalnum() or ch in "_:" or (ch == "-" and i) or dot:
            shown.append(ch)
        elif ch in _LOCAL_ESCAPES or ch in "-.":
            shown.append("\\" + ch)
        elif ch == "%" and len(local) > i + 2 and set(local[i + 1 : i + 3]) <= _HEX:
            shown.append(ch)
        else:
            return None
    return "".join(shown) or None


def curie(iri: str) -> str:
    """*iri* as tables, messages and pages show it: the prefixed name of the longest project
    namespace that starts it (characters a local name cannot hold as such escaped, so that
    ``gn:1815286\\/`` can be pasted into a query as it is), or ``<iri>`` when no prefix
    applies. One form for every IRI, whichever namespace it is in."""
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            local = local_name(iri[len(namespace) :])
            if local is not None:
                best = (prefix, namespace, local)
    return f"{best[0]}:{best[2]}" if best else f"<{iri}>"


def expand(text: str) -> str:
    """Expand a CURIE of ours to a full IRI; IRIs (with or without <>) pass through."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + re.sub(r"\\(.)", r"\1", local)  # ``\/`` is ``/``
    return text
