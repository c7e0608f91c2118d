"""Step 5b: serve the graph over HTTP (an ASGI app; ``zonekg serve`` runs it on uvicorn).

What it answers:

- ``/sparql``: the SPARQL 1.1 Protocol (GET, POST form, POST
  ``application/sparql-query``), read-only; with no query, the service description.
- ``/id/{kind}/{slug}`` and ``/def``: each IRI of ours, with content negotiation
  between an HTML page and Turtle, N-Triples, JSON-LD or RDF/XML.
- ``/search?q=``: entities by name (``api.find``), as a page or, by content
  negotiation, as JSON; every page has the search box (a plain form).
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

The instance IRIs (``https://w3id.org/zonekg/id/...``) are rewritten to the base URL
in pages and in the descriptions served at ``/id`` and ``/def``: those are the links
that must lead back to this server, so that a client can follow them. The vocabulary
(``zk:``, the shapes, the graph names) is left as published, so that a term read at
``/id`` is the same term in a query at ``/sparql``. The SPARQL endpoint keeps every
published IRI, so queries (and the competency questions) are written with the IRIs the
data is published under, wherever it is served from. JSON-LD at ``/id`` is compacted
with the project's context (``context.jsonld``: ``id``, ``name``…), as in the release.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import os
import time
import urllib.parse
from contextlib import asynccontextmanager
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import api, engines
from ..core import jsonld
from ..core.errors import InvalidValue, QueryError
from ..core.namespaces import (
    ASSERTED_GRAPH,
    BASE,
    ID,
    INFERRED_GRAPH,
    KINDS,
    TYPES_GRAPH,
    curie,
)
from ..core.questions import known_question
from ..core.settings import Limits
from ..core.terminal import printable
from .conneg import negotiate, negotiate_language
from .pages import LANGUAGES, WEB, Pages, Settings, Site
from .protocol import RDF_TYPES, SERVER_LIMITS, Reply, choose_type, error_reply
from .workers import DEFAULT_MAX_BYTES, QueryPool, serialize_graph
from .zones import zones_page

log = logging.getLogger("zonekg.serve")

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
JSON = "application/json"
#: /search: the longest text it takes, and how many matches it gives by default and at most.
SEARCH_MAX_TEXT = api.FIND_MAX_TEXT
SEARCH_DEFAULT = 20
SEARCH_LIMIT = 50
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


# --- the app -------------------------------------------------------------------------


class ZonekgApp:
    def __init__(self, settings: Settings):
        self.settings = settings
        # The pages read the graph with rdflib; the reference engine loads it that way anyway.
        kg = api.load(settings.data, engine="reference", limits=settings.limits)
        self.site = Site.build(kg, settings.base_url)
        self.labels = api.labels(kg)  # the names to find entities by, folded once
        self.pages = Pages(self.site, settings)
        self.graph_names = list(kg.asserted_graphs)
        # A query may name the graphs of the published dataset: the asserted ones (the
        # ontology, one per source document) and the derived ones the workers make.
        self.our_graphs = set(api.published_graphs(kg))
        self.sizes = {name: kg.count([name]) for name in self.graph_names}
        self.sizes[TYPES_GRAPH] = api.entail_types(kg)
        self.sizes[ASSERTED_GRAPH] = len(self.site.graph)
        # The default graph: the merge of the asserted graphs and the types (disjoint).
        self.default_size = len(self.site.graph) + self.sizes[TYPES_GRAPH]
        self.pool = QueryPool(
            settings.workers,
            [str(p) for p in settings.data] if settings.data else None,
            settings.limits,
            settings.max_rows,
            settings.engine,
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
            fmt=[*params.get("format", []), *params.get("output", []), *params.get("results", [])],
        )
        return reply_response(reply)

    async def run_query(
        self, text, default, named, accept=None, fmt=None, limits: Limits | None = None
    ) -> Reply:
        """Answer a query in a worker, under *limits* (the server's when None)."""
        job = {
            "query": text,
            "default": default,
            "named": named,
            "accept": accept,
            "fmt": fmt,
            "graphs": sorted(self.our_graphs),
            "max_bytes": self.settings.max_bytes,
            "limits": dataclasses.asdict(limits or self.settings.limits),
        }
        return await self.pool.run(job)

    def service_description(self, request: Request) -> Response:
        hints = [
            *request.query_params.getlist("format"),
            *request.query_params.getlist("output"),
        ]
        media = choose_type(request.headers.get("accept"), hints, RDF_TYPES)
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
        if media == "application/ld+json":
            # compacted with the project's context (``name``, ``id``…), as the release is;
            # the instance prefixes name this server's address when it rewrites them
            return jsonld.dumps(jsonld.compacted(graph, self.site.local_prefixes())).encode()
        return serialize_graph(graph, media)

    def not_found(self, request: Request, message: str) -> Response:
        if negotiate(request.headers.get("accept"), ["text/plain", HTML]) == HTML:
            return self.pages.render("error.html", status=404, title="Not found", message=message)
        return PlainTextResponse(message + "\n", status_code=404)

    # Search -----------------------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        """Entities by name: ``q`` (at most ``api.finding.MAX_TEXT`` characters) and
        ``limit`` (1 to ``SEARCH_LIMIT``, default ``SEARCH_DEFAULT``); HTML for browsers,
        JSON for a client that asks for it or for anything (``*/*``)."""
        media = negotiate(request.headers.get("accept"), [JSON, HTML])
        headers = {"Vary": "Accept"}
        if media is None:
            return PlainTextResponse(
                f"none of the formats of /search is acceptable: {JSON}, {HTML}\n",
                status_code=406,
                headers=headers,
            )
        text = request.query_params.get("q", "")
        shown = text[:SEARCH_MAX_TEXT]  # what the box shows again: never more than it holds
        try:
            limit = _search_limit(request.query_params.get("limit"))
            found = self.labels.find(text, limit) if text.strip() else None
        except InvalidValue as exc:
            what = "limit" if exc.parameter == "limit" else "the search text (q)"
            message = f"{what} must be {exc.requirement}"
            if media == JSON:
                return JSONResponse({"error": message}, status_code=400, headers=headers)
            return self.pages.render(
                "search.html", status=400, headers=headers, error=message, search_text=shown
            )
        if found is None:
            if media == JSON:
                return JSONResponse(
                    {"error": "give the text to look for as q (/search?q=chengdu)"},
                    status_code=400,
                    headers=headers,
                )
            return self.pages.render("search.html", headers=headers, text="", search_text="")
        matches = [self.match_view(m) for m in found.matches]
        suggestions = [
            {"text": name, "href": "/search?" + urllib.parse.urlencode({"q": name})}
            for name in found.suggestions
        ]
        if media == JSON:
            return JSONResponse(
                {
                    "q": text,
                    "total": found.total,
                    "matches": matches,
                    "suggestions": [s["text"] for s in suggestions],
                },
                headers=headers,
            )
        return self.pages.render(
            "search.html",
            headers=headers,
            text=text,
            search_text=shown,
            total=found.total,
            matches=matches,
            suggestions=suggestions,
        )

    def match_view(self, match: api.Match) -> dict:
        """A match as the page and the JSON show it: the entity with its link on this
        server, classes, rank, the name that matched and every name."""

        def name(n) -> dict:
            return {"property": curie(n.property), "text": n.text, "language": n.language}

        return {
            "iri": match.entity,
            "curie": curie(match.entity),
            "href": self.site.href(match.entity),
            "label": match.label,
            "kinds": [curie(k) for k in match.kinds],
            "rank": match.rank,
            "matched": name(match.matched),
            "names": [name(n) for n in match.names],
        }

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
            data_triples=len(site.kg.rdf.data),
            counts=self.pages.counts,
            documents=self.pages.documents,
            questions=self.pages.questions,
            zone={"href": site.href(str(zone)), "label": site.label(zone)}
            if site.known(zone)
            else None,
        ).body

    async def zones(self, request: Request) -> Response:
        return HTMLResponse(self.zones_page())

    @functools.lru_cache(maxsize=1)  # noqa: B019 - one page, made once
    def zones_page(self) -> bytes:
        return zones_page(self.pages).body

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
                selected = known_question(params["cq"])
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
        """Graphs to query for a question that needs OWL-RL: the asserted ones and the closure
        (as a client names them: graph/asserted and graph/inferred, which never overlap)."""
        return [ASSERTED_GRAPH, INFERRED_GRAPH]

    async def context(self, request: Request) -> Response:
        """The project's JSON-LD @context, which is published under our base too."""
        from ..core.jsonld import context_text

        return Response(context_text(), media_type="application/ld+json")

    async def healthz(self, request: Request) -> Response:
        details = {
            "status": "ok",
            "engine": self.pool.engine or engines.DEFAULT,
            "triples": len(self.site.graph),
            "workers": len(self.pool.pids()),  # the process ids below, for loopback only
            "workers_killed": self.pool.killed,
            "query_cache_hits": self.pool.cache_hits,
            "responses": dict(sorted(self.responses.items())),
            "timeout": self.settings.timeout,
            "max_rows": self.settings.max_rows,
            "max_bytes": self.settings.max_bytes,
            "uptime_s": round(time.time() - self.started, 1),
        }
        # Process ids only to this machine's own tools, not to a page of any origin (CORS).
        if _from_loopback(request) and "origin" not in request.headers:
            details["workers"] = self.pool.pids()
        return JSONResponse(details)


def _from_loopback(request: Request) -> bool:
    import ipaddress

    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


READ_ONLY = (
    "updates are not allowed: this endpoint is read-only; use SELECT, ASK, CONSTRUCT or DESCRIBE"
)


def reply_response(reply: Reply) -> Response:
    headers = {"Vary": "Accept"}
    return Response(
        reply.body, status_code=reply.status, media_type=reply.content_type, headers=headers
    )


def _search_limit(value: str | None) -> int:
    """The ``limit`` of a search: ``SEARCH_DEFAULT`` when not given; ``InvalidValue``
    unless a whole number from 1 to ``SEARCH_LIMIT``."""
    if value is None or value == "":
        return SEARCH_DEFAULT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= SEARCH_LIMIT:
        raise InvalidValue("limit", value[:20], f"a whole number from 1 to {SEARCH_LIMIT}")
    return int(value)


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
                row.append({"text": curie(cell["value"]), "href": site.href(cell["value"])})
            else:
                row.append({"text": cell["value"]})
        rows.append(row)
    return {"columns": columns, "rows": rows}


def ontology_terms(site: Site) -> list:
    """Every class and property of the ontology page (``api.vocabulary``): the ontology's
    own and those the data borrows, with definition, vocabulary, usage and an example."""
    from .. import api

    classes, properties = api.vocabulary(site.kg.rdf)
    return [*classes, *properties]


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
                "Read-only SPARQL 1.1 endpoint over the zonekg graph, the dataset the "
                "release publishes. The default graph is the RDF merge of the ontology and the "
                "source graphs, with the class hierarchy made explicit (the rdf:type triples "
                f"this adds are the named graph <{TYPES_GRAPH}>). The named graphs are the "
                "ontology's, one per source document (named after the document: GRAPH ?source "
                "{ s p o } with ?source a zk:SourceDocument tells which sources state a "
                f"triple), and the derived graphs: <{ASSERTED_GRAPH}> (the source graphs "
                f"merged), the types and <{INFERRED_GRAPH}> (the OWL-RL closure less what is "
                "asserted); these three never overlap, so FROM <…/graph/asserted> FROM "
                "<…/graph/inferred> is the data with the closure. Updates, SERVICE and graphs "
                "from elsewhere are refused; "
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
    graph.add((default, VOID.triples, Literal(app.default_size)))
    sizes = app.sizes
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


#: What pages may load: only this server's own scripts, styles, images and fonts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """A Content-Security-Policy (and no MIME sniffing) on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
            log.info(
                "%s %s %d %.1fms",
                printable(scope.get("method")),
                printable(path),
                status["code"],
                elapsed,
            )
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
        Route("/search", app_state.search),
        Route("/id/{kind}/{slug}", app_state.resource),
        Route("/zones", app_state.zones),
        Route("/def", app_state.ontology),
        Route("/def.{ext}", app_state.ontology),
        Route("/context.jsonld", app_state.context),
        Route("/healthz", app_state.healthz),
        Mount("/static", StaticFiles(directory=WEB / "static"), name="static"),
    ]
    middleware = [
        Middleware(RequestLog, stats=app_state.responses),
        Middleware(SecurityHeaders),
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


#: The server process's own address-space ceiling (``max_memory_mb``); the query workers
#: set their own.
DEFAULT_SERVER_MEMORY_MB = 4096


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    limits: Limits = SERVER_LIMITS,
    max_rows: int = 10000,
    workers: int = 2,
    data: list[Path] | None = None,
    engine: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_memory_mb: float = DEFAULT_SERVER_MEMORY_MB,
) -> None:
    """Run the server until interrupted; each query runs under *limits* (its time limit,
    its worker's memory, the sizes of the query)."""
    import uvicorn

    from ..safety import guard

    guard.install([str(p) for p in data or []])  # no-op under the CLI, which installed it

    for name, value in (
        ("max_rows", max_rows),
        ("max_bytes", max_bytes),
        ("max_memory_mb", max_memory_mb),
        ("workers", workers),
    ):
        if value <= 0:
            raise InvalidValue(name, value, "positive")
    cap_own_memory(max_memory_mb)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings(
        base_url=base_url or f"http://{_host_for_url(host)}:{port}/",
        limits=limits,
        max_rows=max_rows,
        max_bytes=max_bytes,
        workers=workers,
        data=data,
        engine=engine,
    )
    app = create_app(settings)
    log.info("serving %s on http://%s:%d/ (pid %d)", settings.base_url, host, port, os.getpid())
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def cap_own_memory(megabytes: float) -> None:
    """Cap this process's address space (soft limit: the workers it spawns set their own)."""
    import resource

    limit = int(megabytes * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _host_for_url(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
