"""Remote triplestores: push over the SPARQL 1.1 Graph Store Protocol, query over the Protocol.

Only the URL the user names is contacted (no redirects to other hosts are
followed). A push is one HTTP PUT of the whole graph, which the Graph Store
Protocol defines as replacing the target graph: readers see the old graph or
the new one, never a half-uploaded one (for stores that apply a request in
one transaction, as Oxigraph, Fuseki and GraphDB do).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .errors import ZonekgError

TIMEOUT = 600


class RemoteError(ZonekgError):
    """The endpoint could not be reached, or refused the request."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        raise RemoteError(
            f"the endpoint redirects to {newurl}",
            hint="give the final address with --endpoint; zonekg follows no redirects",
        )


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class PushResult:
    url: str
    triples: int
    status: int


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(
            f"not an http(s) URL: {url!r}",
            hint="e.g. http://127.0.0.1:7878/store (Oxigraph) or http://host:3030/ds/data (Fuseki)",
        )


def _send(request: urllib.request.Request):
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:500]
        raise RemoteError(
            f"{request.get_method()} {request.full_url} failed: HTTP {exc.code} {body}",
            hint="check the endpoint URL and that the store accepts this request",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(
            f"cannot reach {request.full_url}: {reason}",
            hint="is the triplestore running at this address?",
        ) from None


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The GSP address of *graph* (``?graph=IRI``) or of the default graph (``?default``)."""
    _check_url(endpoint)
    joiner = "&" if "?" in endpoint else "?"
    if graph:
        return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"
    return f"{endpoint}{joiner}default"


def push(endpoint: str, ntriples: bytes, triples: int, graph: str | None = None) -> PushResult:
    """Replace *graph* (or the default graph) at *endpoint* with *ntriples* in one PUT."""
    url = graph_store_url(endpoint, graph)
    request = urllib.request.Request(
        url,
        data=ntriples,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    status, _ = _send(request)
    return PushResult(url, triples, status)


def query(endpoint: str, text: str, accept: str = "text/csv") -> bytes:
    """Run a query at a SPARQL 1.1 Protocol endpoint (POST, form-encoded); return the body."""
    _check_url(endpoint)
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
        },
    )
    _, body = _send(request)
    return body


ACCEPT = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "table": "text/csv",
}


def rows(endpoint: str, text: str) -> list[dict[str, str]]:
    """SELECT rows from the endpoint, as the SPARQL CSV format gives them."""
    import csv
    import io

    body = query(endpoint, text, "text/csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def serialize_graph(graph, with_inferred: bool) -> tuple[bytes, int]:
    """The asserted graphs (and the closure) of an engines.OxGraph as N-Triples."""
    import pyoxigraph as ox

    from .engines import INFERRED

    sources = list(graph.asserted_graphs)
    if with_inferred:
        if not graph.has_inferred():
            from .engines import reason

            reason(graph)
        sources.append(INFERRED)
    triples = set()
    for g in sources:
        for quad in graph.store.quads_for_pattern(None, None, None, g):
            triples.add(quad.triple)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples)
