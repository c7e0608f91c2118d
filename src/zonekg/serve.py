"""Step 5b: serve the graph over HTTP (an ASGI app; ``zonekg serve`` runs it on uvicorn).

What it answers:

- ``/sparql``: the SPARQL 1.1 Protocol (GET, POST form, POST
  ``application/sparql-query``), read-only; with no query, the service description.
- ``/id/{kind}/{slug}`` and ``/def``: each IRI of ours, with content negotiation
  between an HTML page and Turtle, N-Triples, JSON-LD or RDF/XML.
- ``/``, ``/query``: pages people can browse, which work without JavaScript (only
  the YASGUI editor on the query page needs it).
- ``/healthz``.

IRIs and HTTP status: an ``/id/...`` IRI names a thing (a zone, an agreement), not a
document. The server answers it with **200 and the description itself** rather
than a 303 redirect to a separate document: one round trip instead of two, which
the W3C TAG's 2012 revision of httpRange-14 allows, and the response says which
document it is (``Content-Location: /id/kind/slug.ttl``) and where the other
formats are (``Link: <...>; rel="alternate"``). The document IRIs (``.html``,
``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``) answer 200 with that format and no
negotiation.

The public base ``https://w3id.org/zonekg/`` is rewritten to ``--base-url`` in
pages and in the descriptions served at ``/id`` and ``/def``, so that a client can
follow links to this server. The SPARQL endpoint keeps the published IRIs, so
queries (and the competency questions) are written with the IRIs the data is
published under, wherever it is served from.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
import urllib.parse
from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import query as zquery
from .errors import QueryError
from .load import KnowledgeGraph, graph_iri, load
from .namespaces import BASE, ID, KINDS, OA, PREFIXES, SCHEMA, ZK, bind_prefixes, curie
from .reason import INFERRED_GRAPH
from .web.conneg import negotiate, negotiate_language
from .web.sparql import RDF_TYPES, choose_type
from .web.workers import QueryPool, Reply, error_reply, serialize_graph

log = logging.getLogger("zonekg.serve")

WEB = Path(__file__).parent / "web"
VENDOR = WEB / "static" / "vendor"
LANGUAGES = ["en", "zh", "ja"]
HTML = "text/html"
#: Document suffix → media type, for the document IRIs that skip negotiation.
SUFFIXES = {
    "html": HTML,
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
EXTENSION = {media: ext for ext, media in SUFFIXES.items()}
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass
class Settings:
    base_url: str = "http://127.0.0.1:8000/"
    timeout: float = 10.0
    max_rows: int = 10000
    max_body: int = 256 * 1024
    workers: int = 2
    data: list[Path] | None = None

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

    @classmethod
    def build(cls, kg: KnowledgeGraph, base_url: str) -> Site:
        site = cls(kg, kg.asserted(), base_url, ontology=kg.ontology)
        for s, p, o in site.graph:
            site.outgoing[s].append((p, o))
            site.incoming[o].append((s, p))
        return site

    def local(self, iri: str) -> str:
        """The IRI as this server answers it."""
        return self.base_url + iri[len(BASE) :] if iri.startswith(BASE) else iri

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
        """A copy of *graph* with our public base replaced by this server's address."""
        if self.base_url == BASE:
            return bind_prefixes(graph)
        out = Graph()
        out.bind("zk", self.local(str(ZK)))
        for kind in KINDS:
            out.bind(kind, self.local(f"{ID}{kind}/"))
        for prefix, namespace in PREFIXES.items():
            if not namespace.startswith(BASE):
                out.bind(prefix, namespace, override=True, replace=True)

        def term(node):
            if isinstance(node, URIRef) and str(node).startswith(BASE):
                return URIRef(self.local(str(node)))
            return node

        for s, p, o in graph:
            out.add((term(s), term(p), term(o)))
        return out


# --- HTML ------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class Pages:
    def __init__(self, site: Site, settings: Settings):
        self.site = site
        self.settings = settings
        self.env = _environment()
        self.questions = zquery.questions()
        self.counts = self._class_counts()
        self.documents = self._documents()

    def render(self, name: str, status: int = 200, headers=None, **context) -> HTMLResponse:
        context.setdefault("base", self.settings.base_url)
        context.setdefault("yasgui", (VENDOR / "yasgui.min.js").is_file())
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def _class_counts(self) -> list[dict]:
        data = self.site.kg.data
        counts: dict = defaultdict(set)
        for s, _, o in data.triples((None, RDF.type, None)):
            counts[o].add(s)
        rows = []
        for cls, members in sorted(counts.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
            text = (
                f"SELECT ?item ?label WHERE {{ ?item a <{cls}> . "
                "OPTIONAL { ?item rdfs:label ?label FILTER(lang(?label) = 'en') } } ORDER BY ?item"
            )
            rows.append(
                {
                    "curie": curie(str(cls)),
                    "label": self.site.label(cls),
                    "href": self.site.local(str(cls)),
                    "count": len(members),
                    "list": "/query?" + urllib.parse.urlencode({"query": text}),
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
                    "href": self.site.local(str(s)),
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
                "href": self.site.local(iri),
                "title": curie(iri),
                "external": not ours,
            }
        if isinstance(node, Literal):
            extra = f"@{node.language}" if node.language else ""
            if node.datatype:
                extra = curie(str(node.datatype))
            return {"text": str(node), "note": extra, "lang": node.language or ""}
        return {"text": f"_:{node}"}

    def resource(self, iri: URIRef, language: str, alternates) -> HTMLResponse:
        site = self.site
        labels = site.labels(iri)
        rows: dict = defaultdict(list)
        for p, o in site.outgoing.get(iri, ()):
            rows[p].append(o)
        outgoing = [
            {
                "property": self.value(p, language),
                "values": [self.value(o, language) for o in sorted(vs)],
            }
            for p, vs in sorted(rows.items(), key=lambda kv: (kv[0] != RDF.type, curie(str(kv[0]))))
        ]
        incoming = [
            {"subject": self.value(s, language), "property": self.value(p, language)}
            for s, p in sorted(site.incoming.get(iri, ()), key=lambda sp: (str(sp[1]), str(sp[0])))
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
            alternates=alternates,
        )


# --- the app -------------------------------------------------------------------------


class ZonekgApp:
    def __init__(self, settings: Settings):
        self.settings = settings
        kg = load(settings.data)
        self.site = Site.build(kg, settings.base_url)
        self.pages = Pages(self.site, settings)
        self.graph_names = [str(graph_iri(f)) for f in [*kg.ontology_files, *kg.data_files]]
        self.our_graphs = {*self.graph_names, str(INFERRED_GRAPH)}
        self.pool = QueryPool(
            settings.workers,
            [str(p) for p in settings.data] if settings.data else None,
            settings.timeout,
            settings.max_rows,
        )
        self.started = time.time()
        self.responses: dict[str, int] = {}  # responses by status class, for /healthz

    # SPARQL ---------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        if request.method == "GET":
            params = _multi(request.query_params.multi_items())
        else:
            body = await _read_body(request, self.settings.max_body)
            if isinstance(body, Response):
                return body
            params = _multi(request.query_params.multi_items())
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = urllib.parse.parse_qsl(
                        body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
                    )
                except UnicodeDecodeError:
                    return error_response(400, "the form body is not UTF-8")
                for key, value in form:
                    params.setdefault(key, []).append(value)
            elif ctype == "application/sparql-query":
                try:
                    params.setdefault("query", []).append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    return error_response(400, "the query is not UTF-8 text")
            elif ctype == "application/sparql-update":
                return error_response(403, READ_ONLY)
            else:
                return error_response(
                    415,
                    f"unsupported Content-Type {ctype or '(none)'!r}: send the query as "
                    "application/x-www-form-urlencoded (query=...) or application/sparql-query",
                )
        if "update" in params:
            return error_response(403, READ_ONLY)
        queries = params.get("query", [])
        if not queries:
            if request.method == "GET":
                return self.service_description(request)
            return error_response(400, "no query: send one in the 'query' parameter")
        if len(queries) > 1:
            return error_response(400, "more than one 'query' parameter; send exactly one")
        reply = await self.run_query(
            queries[0],
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
            accept=request.headers.get("accept"),
            fmt=(params.get("format") or [None])[0],
        )
        return reply_response(reply)

    async def run_query(self, text, default, named, accept=None, fmt=None) -> Reply:
        job = {
            "query": text,
            "default": default,
            "named": named,
            "accept": accept,
            "fmt": fmt,
            "graphs": sorted(self.our_graphs),
        }
        return await self.pool.run(job)

    def service_description(self, request: Request) -> Response:
        media = choose_type(
            request.headers.get("accept"), request.query_params.get("format"), RDF_TYPES
        )
        if isinstance(media, Reply):
            return reply_response(media)
        graph = service_description(self)
        body = serialize_graph(graph, media)
        return Response(body, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})

    # Linked data ----------------------------------------------------------------------

    async def resource(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        slug = request.path_params["slug"]
        suffix = None
        stem, dot, ext = slug.rpartition(".")
        if dot and ext in SUFFIXES and kind in KINDS:
            candidate = URIRef(f"{ID}{kind}/{stem}")
            if self.site.known(candidate):
                slug, suffix = stem, ext
        iri = URIRef(f"{ID}{kind}/{slug}")
        if kind not in KINDS or not self.site.known(iri):
            return self.not_found(request, f"no resource {self.site.local(str(iri))} in this graph")
        path = f"/id/{kind}/{slug}"
        return self.negotiated(request, iri, path, suffix)

    async def ontology(self, request: Request) -> Response:
        suffix = request.path_params.get("ext")
        if suffix is not None and suffix not in SUFFIXES:
            return self.not_found(request, f"no document /def.{suffix}")
        return self.negotiated(request, URIRef(BASE + "def"), "/def", suffix)

    def negotiated(self, request, iri, path, suffix) -> Response:
        offered = [HTML, *RDF_TYPES]
        if suffix:
            media = SUFFIXES[suffix]
        else:
            # text/turtle first: a client that says */* (curl, most libraries) wants data;
            # browsers name text/html explicitly and get the page.
            media = negotiate(request.headers.get("accept"), [*RDF_TYPES, HTML])
        links = ", ".join(f'<{path}.{EXTENSION[m]}>; rel="alternate"; type="{m}"' for m in offered)
        headers = {"Vary": "Accept, Accept-Language", "Link": links}
        if media is None:
            return PlainTextResponse(
                "none of the formats this resource has is acceptable: " + ", ".join(offered) + "\n",
                status_code=406,
                headers=headers,
            )
        if not suffix:
            headers["Content-Location"] = f"{path}.{EXTENSION[media]}"
        language = None
        if media == HTML:
            language = negotiate_language(request.headers.get("accept-language"), LANGUAGES) or "en"
            headers["Content-Language"] = language
        body = self.document(iri, path, media, language)
        return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the app and its graph live as long as the process
    def document(self, iri: URIRef, path: str, media: str, language: str | None) -> bytes:
        """The description of *iri* in *media*; the graph is read-only, so each is made once."""
        if media == HTML:
            alternates = [(EXTENSION[m], f"{path}.{EXTENSION[m]}", m) for m in RDF_TYPES]
            if path == "/def":
                response = self.pages.render(
                    "ontology.html", ontology=ontology_terms(self.site), alternates=alternates
                )
            else:
                response = self.pages.resource(iri, language, alternates)
            return response.body
        description = self.site.ontology if path == "/def" else self.site.describe(iri)
        graph = self.site.rewrite(description)
        return serialize_graph(graph, media)

    def not_found(self, request: Request, message: str) -> Response:
        if negotiate(request.headers.get("accept"), ["text/plain", HTML]) == HTML:
            return self.pages.render("error.html", status=404, title="Not found", message=message)
        return PlainTextResponse(message + "\n", status_code=404)

    # Pages ------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return HTMLResponse(self.home_page())

    @functools.lru_cache(maxsize=1)  # noqa: B019 - one page, made once
    def home_page(self) -> bytes:
        site = self.site
        zone = URIRef(f"{ID}zone/chengdu")
        return self.pages.render(
            "home.html",
            triples=len(site.graph),
            data_triples=len(site.kg.data),
            counts=self.pages.counts,
            documents=self.pages.documents,
            questions=self.pages.questions,
            zone={"href": site.local(str(zone)), "label": site.label(zone)}
            if site.known(zone)
            else None,
        ).body

    async def query_page(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            body = await _read_body(request, self.settings.max_body)
            if isinstance(body, Response):
                return body
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        text = params.get("query", "")
        selected = None
        if params.get("cq"):
            try:
                selected = zquery.find_question(params["cq"])
            except QueryError as exc:
                return self.pages.render(
                    "error.html", status=404, title="Not found", message=exc.message
                )
            text = selected.text
        reasoned = params.get("reason") == "owlrl" or bool(selected and selected.needs_reasoning)
        default = self.reasoned_dataset() if reasoned else []
        result = error = rdf = None
        if text.strip():
            # a table for SELECT and ASK; CONSTRUCT and DESCRIBE are shown as Turtle
            reply = await self.run_query(
                text, default, [], accept="application/sparql-results+json, text/turtle;q=0.9"
            )
            if reply.status != 200:
                error = reply.body.decode("utf-8")
            elif reply.content_type.startswith("text/turtle"):
                rdf = reply.body.decode("utf-8")
            else:
                result = results_table(json.loads(reply.body), self.site)
        questions = [
            {
                "name": q.name,
                "question": q.question,
                "text": q.text,
                "default": self.reasoned_dataset() if q.needs_reasoning else [],
            }
            for q in self.pages.questions
        ]
        return self.pages.render(
            "query.html",
            text=text,
            selected=selected.name if selected else "",
            questions=questions,
            questions_json=json.dumps(questions, ensure_ascii=False).replace("</", "<\\/"),
            default_graphs=default,
            result=result,
            rdf=rdf,
            error=error,
            status=400 if error else 200,
        )

    def reasoned_dataset(self) -> list[str]:
        """Graphs to query for a question that needs OWL-RL: the asserted ones and the closure."""
        return [*self.graph_names, str(INFERRED_GRAPH)]

    async def context(self, request: Request) -> Response:
        """The project's JSON-LD @context, which is published under our base too."""
        from .jsonld import context_text

        return Response(context_text(), media_type="application/ld+json")

    async def healthz(self, request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "triples": len(self.site.graph),
                "workers": self.pool.pids(),
                "workers_killed": self.pool.killed,
                "query_cache_hits": self.pool.cache_hits,
                "responses": dict(sorted(self.responses.items())),
                "timeout": self.settings.timeout,
                "max_rows": self.settings.max_rows,
                "uptime_s": round(time.time() - self.started, 1),
            }
        )


READ_ONLY = (
    "updates are not allowed: this endpoint is read-only; use SELECT, ASK, CONSTRUCT or DESCRIBE"
)


def reply_response(reply: Reply) -> Response:
    headers = {"Vary": "Accept"}
    return Response(
        reply.body, status_code=reply.status, media_type=reply.content_type, headers=headers
    )


def error_response(status: int, message: str) -> Response:
    return reply_response(error_reply(status, message))


async def _read_body(request: Request, cap: int) -> bytes | Response:
    declared = request.headers.get("content-length")
    too_big = error_response(
        413, f"the request body is larger than {cap} bytes, the most this server accepts"
    )
    if declared and declared.isdigit() and int(declared) > cap:
        return too_big
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _multi(items) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in items:
        params.setdefault(key, []).append(value)
    return params


def results_table(data: dict, site: Site) -> dict:
    """SPARQL JSON results as columns and cells for a page (IRIs become links)."""
    if "boolean" in data:
        return {"columns": ["ask"], "rows": [[{"text": str(data["boolean"]).lower()}]]}
    columns = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row = []
        for column in columns:
            cell = binding.get(column)
            if cell is None:
                row.append({"text": ""})
            elif cell["type"] == "uri":
                row.append({"text": curie(cell["value"]), "href": site.local(cell["value"])})
            else:
                row.append({"text": cell["value"]})
        rows.append(row)
    return {"columns": columns, "rows": rows}


def ontology_terms(site: Site) -> list[dict]:
    from rdflib.namespace import SKOS as _SKOS

    terms = []
    for kind, cls in (
        ("Class", OWL.Class),
        ("Object property", OWL.ObjectProperty),
        ("Datatype property", OWL.DatatypeProperty),
    ):
        for term in sorted(set(site.ontology.subjects(RDF.type, cls))):
            if not str(term).startswith(str(ZK)):
                continue
            definition = site.values(term, _SKOS.definition)
            terms.append(
                {
                    "kind": kind,
                    "anchor": str(term)[len(str(ZK)) :],
                    "curie": curie(str(term)),
                    "label": site.label(term),
                    "definition": str(definition[0]) if definition else "",
                }
            )
    return terms


def service_description(app: ZonekgApp) -> Graph:
    from rdflib import Namespace
    from rdflib.namespace import VOID

    sd = Namespace(SD)
    formats = Namespace(FORMATS_NS)
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    graph.bind("void", VOID)
    graph.bind("dct", DCTERMS)
    endpoint = URIRef(app.settings.base_url + "sparql")
    graph.add((endpoint, RDF.type, sd.Service))
    graph.add((endpoint, sd.endpoint, endpoint))
    graph.add((endpoint, sd.supportedLanguage, sd.SPARQL11Query))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((endpoint, sd.resultFormat, formats[name]))
    graph.add(
        (
            endpoint,
            DCTERMS.description,
            Literal(
                "Read-only SPARQL 1.1 endpoint over the zonekg graph. The default graph is "
                "the ontology and the data (asserted triples); each source file and the OWL-RL "
                "closure are named graphs. Updates, SERVICE and graphs from elsewhere are refused; "
                f"each query has {app.settings.timeout:g} s and at most {app.settings.max_rows} "
                "result rows.",
                lang="en",
            ),
        )
    )
    dataset = BNode()
    default = BNode()
    graph.add((endpoint, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    graph.add((default, VOID.triples, Literal(len(app.site.graph))))
    kg = app.site.kg
    sizes = {str(graph_iri(f)): len(kg.graph_for(f)) for f in [*kg.ontology_files, *kg.data_files]}
    for name in sorted(app.our_graphs):
        named, inner = BNode(), BNode()
        graph.add((dataset, sd.namedGraph, named))
        graph.add((named, RDF.type, sd.NamedGraph))
        graph.add((named, sd.name, URIRef(name)))
        graph.add((named, sd.graph, inner))
        graph.add((inner, RDF.type, sd.Graph))
        if name in sizes:  # the closure is computed in the workers, so its size is not known here
            graph.add((inner, VOID.triples, Literal(sizes[name])))
    return graph


class RequestLog:
    """One log line per request: method, path, status and time taken."""

    def __init__(self, app, stats: dict[str, int] | None = None):
        self.app = app
        self.stats = stats if stats is not None else {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_and_note(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            path = scope.get("path", "")
            if scope.get("query_string"):
                path += "?" + scope["query_string"].decode("latin-1")[:200]
            log.info("%s %s %d %.1fms", scope.get("method"), path, status["code"], elapsed)
            bucket = f"{status['code'] // 100}xx"
            self.stats[bucket] = self.stats.get(bucket, 0) + 1


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    app_state = ZonekgApp(settings)

    @asynccontextmanager
    async def lifespan(_app):
        await app_state.pool.start()
        log.info("query workers ready: %s", app_state.pool.pids())
        try:
            yield
        finally:
            app_state.pool.close()

    routes = [
        Route("/", app_state.home),
        Route("/sparql", app_state.sparql, methods=["GET", "POST"]),
        Route("/query", app_state.query_page, methods=["GET", "POST"]),
        Route("/id/{kind}/{slug}", app_state.resource),
        Route("/def", app_state.ontology),
        Route("/def.{ext}", app_state.ontology),
        Route("/context.jsonld", app_state.context),
        Route("/healthz", app_state.healthz),
        Mount("/static", StaticFiles(directory=WEB / "static"), name="static"),
    ]
    middleware = [
        Middleware(RequestLog, stats=app_state.responses),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["Content-Location", "Link", "Vary"],
            max_age=3600,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.zonekg = app_state
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    timeout: float = 10.0,
    max_rows: int = 10000,
    workers: int = 2,
    data: list[Path] | None = None,
) -> None:
    """Run the server until interrupted."""
    import uvicorn

    from . import guard

    guard.install([str(p) for p in data or []])  # no-op under the CLI, which installed it

    if timeout <= 0 or max_rows <= 0 or workers <= 0:
        raise QueryError(
            "--timeout, --max-rows and --workers must be positive",
            hint="e.g. --timeout 10 --max-rows 10000 --workers 2",
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings(
        base_url=base_url or f"http://{_host_for_url(host)}:{port}/",
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        data=data,
    )
    app = create_app(settings)
    log.info("serving %s on http://%s:%d/ (pid %d)", settings.base_url, host, port, os.getpid())
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def _host_for_url(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
