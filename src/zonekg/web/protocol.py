"""The SPARQL 1.1 Protocol's side of a request: screening the query, choosing the format,
and the replies. Shared by the server process and the query workers (which do this
work, so that the server's event loop never parses a query)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import QueryError
from ..safety.screen import ScreenedQuery, screen
from .conneg import negotiate

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
#: Values of the ``format`` parameter, as other SPARQL endpoints spell them.
FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
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


def check_query(text: str, our_graphs: set[str], protocol_graphs: list[str]) -> ScreenedQuery:
    """The one screen, with FROM / FROM NAMED and the protocol's graphs limited to ours."""
    return _check(text, our_graphs, protocol_graphs)[0]


def _check(
    text: str, our_graphs: set[str], protocol_graphs: list[str]
) -> tuple[ScreenedQuery, list[str]]:
    """The screened query, and the graphs its FROM / FROM NAMED clauses name, in order."""
    named_in_from: list[str] = []

    def allowed(iri: str) -> bool:
        named_in_from.append(iri)  # the screen asks once per FROM, in the order written
        return iri in our_graphs

    screened = screen(text, "query", allowed_graph=allowed)
    for iri in protocol_graphs:
        if iri not in our_graphs:
            raise QueryError(
                f"graph <{iri}> is not in this dataset: graphs are never fetched from elsewhere",
                hint="use one of the graphs listed in the service description (GET /sparql)",
            )
    return screened, named_in_from


def from_graphs(screened: ScreenedQuery, named_in_from: list[str]) -> list[str] | None:
    """The graphs a query's FROM clauses merge into its default graph (empty when it has
    only FROM NAMED clauses, SPARQL 1.1 Query §13.2), or None when it has neither.

    The screened text has one token per line, so a FROM keyword is a line of its own,
    followed by a NAMED line for FROM NAMED; *named_in_from* holds their graphs in order.
    """
    lines = screened.text.split("\n")
    clauses = [i for i, line in enumerate(lines) if line.upper() == "FROM"]
    if not clauses:
        return None
    return [
        iri
        for index, iri in zip(clauses, named_in_from, strict=True)
        if lines[index + 1].upper() != "NAMED"
    ]


def status_for(exc: QueryError) -> int:
    refused = ("updates are not allowed", "SERVICE is not allowed", "graph <", "FROM <")
    if exc.message.startswith(refused):
        return 403
    return 400


def explain(exc: QueryError) -> str:
    text = exc.message
    if exc.line is not None:
        text = f"line {exc.line}, column {exc.column}: {text}"
    return f"{text}\nhint: {exc.hint}" if exc.hint else text


def choose_type(accept, fmt, offered: list[str]) -> str | Reply:
    if fmt:
        media = FORMAT_PARAM.get(fmt.lower(), fmt.lower())
        media = RESULT_ALIASES.get(media, media)
        if media in offered:
            return media
        names = sorted(k for k, v in FORMAT_PARAM.items() if v in offered)
        return error_reply(
            400, f"format {fmt!r} is not available here; use one of: {', '.join(names)}"
        )
    aliases = {alias: target for alias, target in RESULT_ALIASES.items() if target in offered}
    media = negotiate(accept, [*offered, *aliases])
    if media is None:
        return error_reply(
            406, "none of the formats for this query is acceptable: " + ", ".join(offered)
        )
    return aliases.get(media, media)


@dataclass(frozen=True)
class Prepared:
    """A screened query, the media type for its result, and the dataset it runs over.

    ``default`` is None for the service's default graph (the asserted graphs);
    ``named`` is None for the named graphs the query's FROM NAMED clauses name (every
    engine keeps those when it is not given a list), or else every graph of ours.
    """

    screened: ScreenedQuery
    media_type: str
    default: list[str] | None = None
    named: list[str] | None = None


def prepare(job: dict) -> Prepared | Reply:
    """What a job asks for, or the Reply that refuses it.

    The dataset (SPARQL 1.1 Protocol §2.1.4): the protocol's default-graph-uri and
    named-graph-uri when given (they override FROM and FROM NAMED), else the query's
    own FROM and FROM NAMED, else the service's.
    """
    try:
        screened, named_in_from = _check(
            job["query"], set(job["graphs"]), [*job["default"], *job["named"]]
        )
    except QueryError as exc:
        return error_reply(status_for(exc), explain(exc))
    media = choose_type(job.get("accept"), job.get("fmt"), offered_for(screened.form))
    if isinstance(media, Reply):
        return media
    default, named = job.get("default") or None, job.get("named") or None
    if default is None and named is None:
        # The engines are always given the default graph, which would override FROM.
        default = from_graphs(screened, named_in_from)
    return Prepared(screened, media, default, named)
