"""A SPARQL 1.1 Protocol endpoint as a query engine (``zonekg query --endpoint URL``).

The screened query is sent (POST, form-encoded) to the one address the user
named; answers come back as SPARQL JSON results or N-Triples and are read
into the same ``QueryResult`` every engine returns, so they are printed by
the same writers.
"""

from __future__ import annotations

import urllib.parse
import urllib.request

import pyoxigraph as ox

from ..core.results import ASK, SELECT, QueryResult
from ..safety.http import RemoteError, send
from ..safety.screen import ScreenedQuery

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


def query(endpoint: str, screened: ScreenedQuery, timeout: float | None = None) -> QueryResult:
    graph = screened.form not in (SELECT, ASK)
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": screened.text}).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": NTRIPLES if graph else RESULTS_JSON,
        },
    )
    _, body, _ = send(request, timeout)
    try:
        if graph:
            return QueryResult(
                screened.form,
                triples=[q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)],
            )
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(ASK, boolean=bool(result))
        # read to the end here: the parser is lazy, and a body that is not UTF-8 (an
        # endpoint answering Latin-1) fails only when its rows are read
        rows = [tuple(s) for s in result]
    except (SyntaxError, ValueError, UnicodeError) as exc:
        raise RemoteError(
            f"the endpoint's answer is not {'N-Triples' if graph else 'SPARQL JSON results'}: "
            f"{exc}",
            hint="check that the address is a SPARQL 1.1 Protocol endpoint answering in UTF-8",
        ) from None
    return QueryResult(SELECT, [v.value for v in result.variables], rows)
