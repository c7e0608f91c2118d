"""The one HTTP client: only the address the user named, no redirects, a total deadline.

Used to query a SPARQL endpoint and to push to a Graph Store. A redirect is
refused (it would lead to an address nobody named); the whole exchange,
including a body sent one byte at a time, must end within the time limit.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request

from ..core.errors import ZonekgError

TIMEOUT = 600.0
CHUNK = 1 << 16
# Virtuoso echoes each named-graph-uri of a query in a header of its own (X-SPARQL-named-graph):
# a question over a push of 1,400 source graphs gets 1,400 headers, past http.client's 100.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1 << 16)


class RemoteError(ZonekgError):
    """The endpoint could not be reached, or refused the request."""

    status: int | None = None  # the HTTP status of a refusal
    challenge: str = ""  # its WWW-Authenticate header, for a 401


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        raise RemoteError(
            f"the endpoint redirects to {newurl}",
            hint="give the final address with --endpoint; zonekg follows no redirects",
        )


def check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(
            f"not an http(s) URL: {url!r}",
            hint="e.g. http://127.0.0.1:7878/query (Oxigraph), http://host:3030/ds/query (Fuseki)",
        )
    if "@" in parts.netloc:
        # the message must not repeat the URL: it holds a password
        raise RemoteError(
            "the URL holds credentials (user:password@host): they would show in process lists "
            "and logs",
            hint="give the URL without them; put them in ~/.netrc or in ZONEKG_USER and "
            "ZONEKG_PASSWORD",
        )


def send(
    request: urllib.request.Request, timeout: float | None = None, handlers=(), read_body=True
) -> tuple[int, bytes, str]:
    """(status, body, content type) of *request*, within *timeout* seconds in all (the body
    left unread, and empty, unless *read_body*)."""
    check_url(request.full_url)
    limit = TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + limit
    opener = urllib.request.build_opener(_NoRedirect, *handlers)
    try:
        with opener.open(request, timeout=limit) as response:
            if not read_body:
                return response.status, b"", response.headers.get("Content-Type", "")
            chunks = []
            while True:
                if time.monotonic() > deadline:
                    raise _too_slow(request, limit)
                chunk = (
                    response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
                )
                if not chunk:
                    break
                chunks.append(chunk)
            return response.status, b"".join(chunks), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:500]
        error = RemoteError(
            f"{request.get_method()} {request.full_url} failed: HTTP {exc.code} {body}",
            hint="check the endpoint URL and that the store accepts this request"
            if exc.code not in (401, 403)
            else "give credentials in ~/.netrc or in ZONEKG_USER and ZONEKG_PASSWORD",
        )
        error.status = exc.code
        error.challenge = (exc.headers or {}).get("WWW-Authenticate", "") or ""
        raise error from None
    except TimeoutError:
        raise _too_slow(request, limit) from None
    except http.client.HTTPException as exc:  # a reply that is not HTTP as the client reads it
        raise RemoteError(
            f"{request.get_method()} {request.full_url}: the answer is not valid HTTP "
            f"({type(exc).__name__}: {exc})",
            hint="check that the address is the store's endpoint",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(
            f"cannot reach {request.full_url}: {reason}",
            hint="is the triplestore running at this address?",
        ) from None


def _too_slow(request, limit: float) -> RemoteError:
    return RemoteError(
        f"{request.full_url} did not answer within {limit:g} s",
        hint="raise the time limit with --timeout, or check the endpoint",
    )
