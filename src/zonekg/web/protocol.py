"""The SPARQL 1.1 Protocol's side of a request: screening the query, choosing the format,
and the replies. Shared by the server process and the query workers (which do this
work, so that the server's event loop never parses a query)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import QueryError
from ..core.settings import Limits
from ..safety.screen import ScreenedQuery, screen
from .conneg import negotiate

#: The limits a query runs under when the server is given none: 10 s, and a worker
#: ceiling of 3 GB (the rest as for any command).
SERVER_LIMITS = Limits(timeout=10.0, memory_mb=3072)

#: Media type → writer name (core.render), for SELECT/ASK results and for graphs.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
RDF_TYPES = list(GRAPH_TYPES)
#: Values of the ``format`` / ``output`` parameters, as other SPARQL endpoints and clients
#: (SPARQLWrapper, YASGUI, Virtuoso's HTML form) spell them. A name can mean a results
#: format for SELECT/ASK and an RDF syntax for CONSTRUCT/DESCRIBE: ``xml`` is SPARQL XML
#: results for the first and RDF/XML for the second (SPARQLWrapper's default for both).
FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",  # Turtle is N3 (the subset every N3 reader reads)
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
}
#: For CONSTRUCT/DESCRIBE, the names that mean a results format elsewhere.
GRAPH_FORMAT_PARAM = {
    "xml": "application/rdf+xml",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "json": "application/ld+json",
    "application/json": "application/ld+json",
}
#: Plain JSON/XML are accepted as the SPARQL results formats, as clients often ask for them.
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
ASK_TYPES = ["application/sparql-results+json", "application/sparql-results+xml"]


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    rows: int = 0


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def offered_for(form: str) -> list[str]:
    """The media types a query's result can be sent in, in order of preference."""
    return {"SELECT": list(RESULT_TYPES), "ASK": ASK_TYPES}.get(form, RDF_TYPES)


def check_query(
    text: str, our_graphs: set[str], protocol_graphs: list[str], limits: Limits = SERVER_LIMITS
) -> ScreenedQuery:
    """The one screen (within *limits*), with FROM / FROM NAMED and the protocol's graphs
    limited to ours."""
    screened = screen(text, "query", allowed_graph=lambda iri: iri in our_graphs, limits=limits)
    for iri in protocol_graphs:
        if iri not in our_graphs:
            raise QueryError(
                f"graph <{iri}> is not in this dataset: graphs are never fetched from elsewhere",
                hint="use one of the graphs listed in the service description (GET /sparql)",
            )
    return screened


def status_for(exc: QueryError) -> int:
    refused = (
        "updates are not allowed",
        "SERVICE is not allowed",
        "graph <",
        "FROM <",
        "FROM NAMED <",
    )
    if exc.message.startswith(refused):
        return 403
    return 400


def explain(exc: QueryError) -> str:
    text = exc.message
    if exc.line is not None:
        text = f"line {exc.line}, column {exc.column}: {text}"
    return f"{text}\nhint: {exc.hint}" if exc.hint else text


def choose_type(accept, fmt, offered: list[str]) -> str | Reply:
    """The media type to answer in: the first ``format``/``output`` hint (*fmt*: a name, a
    media type, or a list of them, as clients send several) that is offered, else what the
    Accept header prefers. A hint that names nothing offered falls back to Accept, so that a
    client's default (``format=xml`` for a CONSTRUCT) never fails a request that Accept can
    serve."""
    hints = [fmt] if isinstance(fmt, str) else list(fmt or [])
    graph = not any(media in offered for media in RESULT_TYPES)
    for hint in hints:
        name = hint.strip().lower().split(";")[0].strip()
        media = (GRAPH_FORMAT_PARAM.get(name) if graph else None) or FORMAT_PARAM.get(name, name)
        media = RESULT_ALIASES.get(media, media) if not graph else media
        if media in offered:
            return media
    aliases = {alias: target for alias, target in RESULT_ALIASES.items() if target in offered}
    media = negotiate(accept, [*offered, *aliases])
    if media is None:
        names = sorted(k for k, v in FORMAT_PARAM.items() if v in offered and "/" not in k)
        return error_reply(
            406,
            "none of the formats for this query is acceptable: "
            + ", ".join(offered)
            + (f" (format names: {', '.join(names)})" if hints else ""),
        )
    return aliases.get(media, media)


@dataclass(frozen=True)
class Prepared:
    """A screened query, the media type for its result, and the protocol's dataset.

    ``default`` and ``named`` are the protocol's default-graph-uri / named-graph-uri,
    None when not given (then the query's FROM / FROM NAMED apply, else the service's
    default graph: see ``api.answer``).
    """

    screened: ScreenedQuery
    media_type: str
    default: list[str] | None = None
    named: list[str] | None = None


def prepare(job: dict) -> Prepared | Reply:
    """What a job asks for, or the Reply that refuses it."""
    try:
        limits = Limits(**job["limits"]) if job.get("limits") else SERVER_LIMITS
        screened = check_query(
            job["query"], set(job["graphs"]), [*job["default"], *job["named"]], limits
        )
    except QueryError as exc:
        return error_reply(status_for(exc), explain(exc))
    media = choose_type(job.get("accept"), job.get("fmt"), offered_for(screened.form))
    if isinstance(media, Reply):
        return media
    default, named = job.get("default") or None, job.get("named") or None
    if default is not None or named is not None:
        # The protocol's dataset replaces the query's: what it does not give is empty.
        default, named = default or [], named or []
    return Prepared(screened, media, default, named)
