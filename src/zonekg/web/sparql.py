"""Checking a SPARQL request and choosing its response format: shared by the server
process and the query workers, which do this work so the server's event loop never
parses a query."""

from __future__ import annotations

from ..errors import QueryError
from ..query import parse
from .conneg import negotiate
from .workers import GRAPH_SERIALIZERS, RESULT_SERIALIZERS, Reply, error_reply

RDF_TYPES = list(GRAPH_SERIALIZERS)
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


def offered_for(prepared) -> list[str]:
    """The media types a query's result can be sent in, in order of preference."""
    return {
        "SelectQuery": list(RESULT_SERIALIZERS),
        "AskQuery": ASK_TYPES,
    }.get(prepared.algebra.name, RDF_TYPES)


def check_query(text: str, our_graphs: set[str], protocol_graphs: list[str]):
    """zonekg.query.parse, plus: FROM / FROM NAMED and the protocol's graphs must be ours."""
    prepared = parse(text)
    named = [str(d.default or d.named) for d in prepared.algebra.datasetClause or []]
    for iri in [*named, *protocol_graphs]:
        if iri not in our_graphs:
            raise QueryError(
                f"graph <{iri}> is not in this dataset: graphs are never fetched from elsewhere",
                hint="use one of the graphs listed in the service description (GET /sparql)",
            )
    return prepared


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


def prepare(job: dict):
    """(prepared query, media type) for a job, or the Reply that refuses it."""
    try:
        prepared = check_query(job["query"], set(job["graphs"]), [*job["default"], *job["named"]])
    except QueryError as exc:
        return error_reply(status_for(exc), explain(exc))
    media = choose_type(job.get("accept"), job.get("fmt"), offered_for(prepared))
    if isinstance(media, Reply):
        return media
    return prepared, media
