"""A SPARQL 1.1 Protocol endpoint as a query engine (the ``endpoint`` of a query).

The screened query is sent (POST, form-encoded) to the one address the user
named, with the dataset as ``default-graph-uri`` / ``named-graph-uri`` parameters when the caller
gives one; answers come back as SPARQL JSON results or N-Triples (Turtle and
RDF/XML are read too) and are read into the same ``QueryResult`` every engine
returns, so they are printed by the same writers. Credentials, when the
endpoint asks for them, come from ``safety.auth``.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import TypeVar

import pyoxigraph as ox

from ..core.errors import LimitError
from ..core.results import ASK, SELECT, QueryResult
from ..core.settings import DEFAULT_LIMITS, Limits
from ..core.terminal import excerpt
from ..inputs.checks import check_rdfxml
from ..safety.auth import send_authorised
from ..safety.http import RemoteError, read_json
from ..safety.screen import ScreenedQuery

T = TypeVar("T")

#: The most IRIs a query names in one ``VALUES`` or ``IN`` list: Virtuoso 7.2 compiled a
#: check naming a million generated triples' 13,939 graphs into more SQL than it takes. A
#: longer list is sent in parts (``in_parts``) where the answers add up, and is refused
#: where they would not.
MAX_LISTED = 1000
#: The most named graphs a request's dataset names: Virtuoso 7.2 takes 4,000 and refuses
#: 6,000 (a million generated triples are 13,940 graphs).
MAX_NAMED_GRAPHS = 4000


def in_parts(items: list[T]) -> list[list[T]]:
    """*items* in consecutive parts of at most ``MAX_LISTED`` each."""
    return [items[i : i + MAX_LISTED] for i in range(0, len(items), MAX_LISTED)]


RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_SYNTAX = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def query(
    endpoint: str,
    screened: ScreenedQuery,
    limits: Limits = DEFAULT_LIMITS,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> QueryResult:
    """Answer *screened* at *endpoint* (the only address used), within *limits*."""
    graph = screened.form not in (SELECT, ASK)
    fields = [("query", screened.text)]
    fields += [("default-graph-uri", iri) for iri in default_graphs or []]
    fields += [("named-graph-uri", iri) for iri in named_graphs or []]
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode(fields).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": GRAPH_ACCEPT if graph else RESULTS_JSON,
        },
    )
    # Virtuoso echoes each graph named in a header of its own: room for them
    echoed = [*(default_graphs or []), *(named_graphs or [])]
    _, body, content_type = send_authorised(request, limits, echoed)
    media = content_type.split(";")[0].strip().lower()
    try:
        if graph:
            syntax = _SYNTAX.get(media, ox.RdfFormat.N_TRIPLES)
            if syntax == ox.RdfFormat.RDF_XML:
                _no_entities(body)
            return QueryResult(
                screened.form, triples=[q.triple for q in ox.parse(body, format=syntax)]
            )
        result = ox.parse_query_results(
            _standard_json(body, limits), format=ox.QueryResultsFormat.JSON
        )
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(ASK, boolean=bool(result))
        # read to the end here: the parser is lazy, and a body that is not UTF-8 (an
        # endpoint answering Latin-1) fails only when its rows are read
        rows = [tuple(s) for s in result]
    except (SyntaxError, ValueError, UnicodeError, RecursionError) as exc:
        raise RemoteError(
            f"the endpoint's answer is not {'RDF' if graph else 'SPARQL JSON results'}: "
            f"{excerpt(str(exc), 300)}",
            hint="check that the address is a SPARQL 1.1 Protocol endpoint answering in UTF-8",
        ) from None
    if screened.form == ASK:
        # Virtuoso answers some ASKs as a SELECT of one variable (__ASK_RETVAL): no row or
        # 0 is false, 1 is true
        values = [row[0].value for row in rows if row and row[0] is not None]
        return QueryResult(ASK, boolean=any(v not in ("0", "false") for v in values))
    return QueryResult(SELECT, [v.value for v in result.variables], rows)


def update(endpoint: str, text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Run the SPARQL Update *text* at *endpoint*, the update address the user named
    (SPARQL 1.1 Protocol: POST, form-encoded ``update``), within *limits*; what the store
    answers (a status, or Virtuoso's report as a result set) is read within the reply cap
    and not kept."""
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode([("update", text)]).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{RESULTS_JSON}, */*;q=0.1",
        },
    )
    send_authorised(request, limits)


def _no_entities(body: bytes) -> None:
    """Refuse RDF/XML with DOCTYPE or ENTITY declarations, as the loader does: the parser
    expands entities (a 1 KB reply becomes a 200 MB literal)."""
    try:
        check_rdfxml(body, "the endpoint's answer")
    except LimitError as refused:
        raise RemoteError(
            f"the endpoint's answer: {refused.message}",
            hint="ask the store for N-Triples or Turtle; zonekg reads no XML entities",
        ) from None


def _standard_json(body: bytes, limits: Limits) -> bytes:
    """SPARQL JSON results as the W3C format writes them: Virtuoso (and the 2008 draft)
    say ``"type": "typed-literal"`` for a literal with a datatype."""
    if b"typed-literal" not in body:
        return body
    payload = read_json(body, limits=limits)
    results = payload.get("results") if isinstance(payload, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    for binding in bindings if isinstance(bindings, list) else []:
        for term in binding.values() if isinstance(binding, dict) else []:
            if isinstance(term, dict) and term.get("type") == "typed-literal":
                term["type"] = "literal"
    return json.dumps(payload).encode("utf-8")
