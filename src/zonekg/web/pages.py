"""What the pages show: the graph with lookups by subject and object, and the HTML renderer."""

from __future__ import annotations

import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from starlette.responses import HTMLResponse

from ..api import KnowledgeGraph
from ..core.namespaces import BASE, ID, KINDS, PREFIXES, curie
from ..core.questions import questions
from ..core.vocab import OA, SCHEMA, ZK, bind_prefixes
from ..safety.screen import sparql_term

WEB = Path(__file__).parent
VENDOR = WEB / "static" / "vendor"
LANGUAGES = ["en", "zh", "ja"]


@dataclass
class Settings:
    base_url: str = "http://127.0.0.1:8000/"
    timeout: float = 10.0
    max_rows: int = 10000
    max_bytes: int = 16 * 1024 * 1024  # the most bytes of one query's response body
    max_body: int = 256 * 1024
    workers: int = 2
    data: list[Path] | None = None
    engine: str | None = None

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            self.base_url += "/"


# --- the graph as the pages see it ----------------------------------------------------


@dataclass
class Site:
    """The asserted graph with lookups by subject and object, built once at start-up."""

    kg: KnowledgeGraph
    graph: Graph
    base_url: str
    outgoing: dict = field(default_factory=lambda: defaultdict(list))
    incoming: dict = field(default_factory=lambda: defaultdict(list))
    ontology: Graph = field(default_factory=Graph)
    #: (s, p, o) -> the data graphs that state it: the source documents they are named after
    stated: dict = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, kg: KnowledgeGraph, base_url: str) -> Site:
        site = cls(kg, kg.rdf.asserted(), base_url, ontology=kg.rdf.ontology)
        for s, p, o in site.graph:
            site.outgoing[s].append((p, o))
            site.incoming[o].append((s, p))
        for name in kg.rdf.data_graphs:
            source = URIRef(name)
            for triple in kg.rdf.graph(name):
                site.stated[triple].add(source)
        return site

    def sources_of(self, s, p, o) -> list[URIRef]:
        """The source documents whose graphs state the triple (``GRAPH ?source { s p o }``)."""
        return sorted(self.stated.get((s, p, o), ()))

    def local(self, iri: str) -> str:
        """The IRI as this server answers it."""
        return self.base_url + iri[len(BASE) :] if iri.startswith(BASE) else iri

    def local_prefixes(self) -> dict[str, str] | None:
        """The instance prefixes as this server answers them (None: the published ones)."""
        if self.base_url == BASE:
            return None
        return {kind: self.local(f"{ID}{kind}/") for kind in KINDS}

    def href(self, iri: str) -> str:
        """A link to *iri* for a page; "" (shown as text, no link) unless it is http(s)."""
        iri = self.local(iri)
        return iri if linkable(iri) else ""

    def known(self, iri: URIRef) -> bool:
        return iri in self.outgoing or iri in self.incoming

    def labels(self, node) -> dict[str, str]:
        found: dict[str, str] = {}
        for p, o in self.outgoing.get(node, ()):
            if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal):
                found.setdefault(o.language or "", str(o))
        return found

    def label(self, node, language: str = "en") -> str:
        labels = self.labels(node)
        for key in (language, "en", ""):
            if key in labels:
                return labels[key]
        if labels:
            return next(iter(labels.values()))
        return curie(str(node)) if isinstance(node, URIRef) else str(node)

    def values(self, node, predicate) -> list:
        return [o for p, o in self.outgoing.get(node, ()) if p == predicate]

    def describe(self, iri: URIRef) -> Graph:
        """Outgoing and incoming links, labels of what it links to, and its source passages."""
        description = Graph()
        seen_bnodes: set = set()

        def add_outgoing(node) -> None:
            for p, o in self.outgoing.get(node, ()):
                description.add((node, p, o))
                if isinstance(o, BNode) and o not in seen_bnodes:
                    seen_bnodes.add(o)
                    add_outgoing(o)

        add_outgoing(iri)
        for s, p in self.incoming.get(iri, ()):
            description.add((s, p, iri))
        neighbours = {o for _, _, o in description if isinstance(o, URIRef)}
        neighbours |= {s for s, _, _ in description if isinstance(s, URIRef)}
        for node in neighbours - {iri}:
            for p, o in self.outgoing.get(node, ()):
                if p in (RDFS.label, SKOS.prefLabel):
                    description.add((node, p, o))
        for source in self.values(iri, PROV.wasDerivedFrom):
            for p, o in self.outgoing.get(source, ()):
                if p in (RDF.type, OA.exact, DCTERMS.isPartOf, RDFS.label):
                    description.add((source, p, o))
        return description

    def rewrite(self, graph: Graph) -> Graph:
        """A copy of *graph* whose instance IRIs (``/id/...``) lead to this server.

        Only the links that must lead back here are rewritten: the instances, which this
        server describes. The vocabulary (``zk:``, the shapes, the graph names) keeps the
        IRIs it is published under, so that a term read here means the same in a query
        at /sparql, in the release and in any other copy of the data.
        """
        if self.base_url == BASE:
            return bind_prefixes(graph)
        out = Graph()
        for kind in KINDS:
            out.bind(kind, self.local(f"{ID}{kind}/"))
        for prefix, namespace in PREFIXES.items():
            if not namespace.startswith(ID):
                out.bind(prefix, namespace, override=True, replace=True)

        def term(node):
            if isinstance(node, URIRef) and str(node).startswith(ID):
                return URIRef(self.local(str(node)))
            return node

        for s, p, o in graph:
            out.add((term(s), term(p), term(o)))
        return out


def linkable(iri: str) -> bool:
    """Whether *iri* may become a live link: http(s) only, no spaces or control characters.

    An IRI in the data or in a query's results may be ``javascript:…`` or ``data:…``;
    such IRIs are shown as text, never as an ``href``.
    """
    lowered = iri.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return False
    return not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in iri)


# --- HTML ------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["grouped"] = grouped
    return env


def grouped(number) -> str:
    """A count with its thousands grouped (12,345), as people read them."""
    try:
        return f"{int(number):,}"
    except (TypeError, ValueError):
        return str(number)


class Pages:
    def __init__(self, site: Site, settings: Settings):
        self.site = site
        self.settings = settings
        self.env = _environment()
        self.questions = questions()
        self.counts = self._class_counts()
        self.documents = self._documents()

    def render(self, name: str, status: int = 200, headers=None, **context) -> HTMLResponse:
        context.setdefault("base", self.settings.base_url)
        context.setdefault("yasgui", (VENDOR / "yasgui.min.js").is_file())
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def _class_counts(self) -> list[dict]:
        data = self.site.kg.rdf.data
        counts: dict = defaultdict(set)
        for s, _, o in data.triples((None, RDF.type, None)):
            counts[o].add(s)
        rows = []
        for cls, members in sorted(counts.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
            try:
                term = sparql_term(cls)  # a class from the data goes in as a checked term
            except ValueError:  # (a blank node, or not an IRI a query can name: no list)
                term = None
            text = (
                f"SELECT ?item ?label WHERE {{ ?item a {term} . "
                "OPTIONAL { ?item rdfs:label ?label FILTER(lang(?label) = 'en') } } ORDER BY ?item"
            )
            rows.append(
                {
                    "curie": curie(str(cls)),
                    "label": self.site.label(cls),
                    "href": self.site.href(str(cls)),
                    "count": len(members),
                    "list": "/query?" + urllib.parse.urlencode({"query": text}) if term else "",
                }
            )
        return rows

    def _documents(self) -> list[dict]:
        docs = []
        for s in sorted(set(self.site.graph.subjects(RDF.type, ZK.SourceDocument))):
            url = self.site.values(s, SCHEMA.url)
            issued = self.site.values(s, DCTERMS.issued)
            docs.append(
                {
                    "href": self.site.href(str(s)),
                    "label": self.site.label(s),
                    "url": str(url[0]) if url else "",
                    "issued": str(issued[0]) if issued else "",
                }
            )
        return docs

    def value(self, node, language: str) -> dict:
        """How a node is shown on a page: text, and a link where there is one."""
        if isinstance(node, URIRef):
            iri = str(node)
            ours = iri.startswith(BASE)
            return {
                "text": self.site.label(node, language) if self.site.labels(node) else curie(iri),
                "href": self.site.href(iri),
                "title": curie(iri),
                "external": not ours,
            }
        if isinstance(node, Literal):
            extra = f"@{node.language}" if node.language else ""
            if node.datatype:
                extra = curie(str(node.datatype))
            return {"text": str(node), "note": extra, "lang": node.language or ""}
        return {"text": f"_:{node}"}

    def cited(self, triples, language: str) -> tuple[dict, list[dict]]:
        """Numbers for the sources that state *triples* (in date order), and the list of them."""
        found = {source for s, p, o in triples for source in self.site.sources_of(s, p, o)}

        def issued(source) -> str:
            dates = self.site.values(source, DCTERMS.issued)
            return str(dates[0]) if dates else "~"

        ordered = sorted(found, key=lambda d: (issued(d), str(d)))
        numbers = {source: n for n, source in enumerate(ordered, start=1)}
        listed = []
        for source in ordered:
            publisher = self.site.values(source, DCTERMS.publisher)
            listed.append(
                {
                    "n": numbers[source],
                    "source": self.value(source, language),
                    "publisher": self.site.label(publisher[0], language) if publisher else "",
                    "issued": "" if issued(source) == "~" else issued(source),
                }
            )
        return numbers, listed

    def cites(self, numbers: dict, s, p, o, language: str) -> list[dict]:
        """The sources of one triple, as numbered links to their pages."""
        return [
            {
                "n": numbers[source],
                "href": self.site.href(str(source)),
                "title": self.site.label(source, language),
            }
            for source in sorted(self.site.sources_of(s, p, o), key=lambda d: numbers[d])
        ]

    def resource(self, iri: URIRef, language: str, alternates) -> HTMLResponse:
        site = self.site
        labels = site.labels(iri)
        rows: dict = defaultdict(list)
        for p, o in site.outgoing.get(iri, ()):
            rows[p].append(o)
        links = site.incoming.get(iri, ())
        numbers, sources = self.cited(
            [(iri, p, o) for p, o in site.outgoing.get(iri, ())] + [(s, p, iri) for s, p in links],
            language,
        )
        outgoing = [
            {
                "property": self.value(p, language),
                "values": [
                    {**self.value(o, language), "cites": self.cites(numbers, iri, p, o, language)}
                    for o in sorted(vs)
                ],
            }
            for p, vs in sorted(rows.items(), key=lambda kv: (kv[0] != RDF.type, curie(str(kv[0]))))
        ]
        incoming = [
            {
                "subject": self.value(s, language),
                "property": self.value(p, language),
                "cites": self.cites(numbers, s, p, iri, language),
            }
            for s, p in sorted(links, key=lambda sp: (str(sp[1]), str(sp[0])))
        ]
        passages = []
        for source in sorted(site.values(iri, PROV.wasDerivedFrom)):
            exact = site.values(source, OA.exact)
            if exact:
                documents = site.values(source, DCTERMS.isPartOf)
                passages.append(
                    {
                        "text": str(exact[0]),
                        "lang": exact[0].language or "",
                        "passage": self.value(source, language),
                        "documents": [self.value(d, language) for d in documents],
                    }
                )
        return self.render(
            "resource.html",
            headers=None,
            iri=site.local(str(iri)),
            public_iri=str(iri),
            curie=curie(str(iri)),
            title=site.label(iri, language),
            language=language,
            labels=[(lang, labels[lang]) for lang in LANGUAGES if lang in labels],
            outgoing=outgoing,
            incoming=incoming,
            passages=passages,
            sources=sources,
            alternates=alternates,
        )
