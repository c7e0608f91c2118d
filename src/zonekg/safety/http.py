"""The one HTTP client: only the address the user named, no redirects, every reply bounded.

Used to query a SPARQL endpoint and to push to a Graph Store. Whatever the peer sends
ends in an answer or a ``RemoteError`` (exit 2) within the limits, never in a crash:

* one deadline for the whole exchange (connecting, sending, the status line and headers,
  the body): every read and write gets only the time that is left, so a reply sent one
  byte at a time ends at the time limit;
* header lines capped by count and bytes (``HEADER_LINES``, ``HEADER_BYTES``), plus room
  for what the request makes the peer echo: Virtuoso sends one header back per
  ``default-graph-uri`` and ``named-graph-uri`` (*echoed*);
* the body capped (``max_reply_mb`` of the limits), a declared length over the cap refused before
  reading; of an error body only the first ``ERROR_BODY`` bytes are read;
* a redirect is refused (it would lead to an address nobody named);
* a URL is printed only through ``shown_url``: credentials and query values masked, since
  an endpoint may carry its key (``?apikey=…``); what a peer sends is printed only as a
  short, escaped excerpt.

Built on ``http.client`` rather than ``urllib``'s opener, so that the socket under the
response is ours to time and to count; ``urllib.request.Request`` still carries the
request (``safety.auth`` answers Digest challenges with it).
"""

from __future__ import annotations

import functools
import http.client
import io
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence

from ..core.errors import Setting, ZonekgError
from ..core.settings import DEFAULT_LIMITS, Limits
from ..core.terminal import excerpt
from . import jsonread, limits

CHUNK = 1 << 16
MB = 1 << 20
#: Header lines and bytes any reply may have (the count is http.client's own default),
#: before the room made for what a request makes the peer echo.
HEADER_LINES = 100
HEADER_BYTES = 64 * 1024
#: Room per echoed value: the header's name and framing, and the value percent-encoded.
ECHO_BYTES = 96
#: Of an error body, what is read (and at most 500 characters of it shown).
ERROR_BODY = 8 * 1024
#: Seconds before a bounded worker is stopped at which an exchange gives up on its own,
#: so that the message names the endpoint.
WORKER_MARGIN = 0.5
#: Query parameters shown as they are: the Graph Store Protocol's graph, which zonekg
#: sets itself. Every other query value is masked.
SHOWN_PARAMETERS = frozenset({"graph"})

# http.client refuses more than 100 header lines of its own, process-wide; the cap that
# holds is the per-exchange one below, which makes room for what a request asks to echo.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1 << 16)


class RemoteError(ZonekgError):
    """The endpoint could not be reached, or refused the request, or sent what cannot be
    read within the limits."""

    status: int | None = None  # the HTTP status of a refusal
    challenge: str = ""  # its WWW-Authenticate header, for a 401


def shown_url(url: str) -> str:
    """*url* as it may be printed: user and password masked, every query value masked
    (``?apikey=***``) but the graph zonekg names, the fragment left out."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(a URL that cannot be read)"
    host = parts.netloc
    if "@" in host:
        host = "***@" + host.rpartition("@")[2]
    query = "&".join(_masked(pair) for pair in parts.query.split("&")) if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, query, ""))


def _masked(pair: str) -> str:
    name, equals, _ = pair.partition("=")
    if not equals:
        return "***" if name else ""
    return pair if urllib.parse.unquote_plus(name) in SHOWN_PARAMETERS else f"{name}=***"


def check_url(url: str) -> None:
    """Refuse anything but a plain http(s) URL without credentials (before any work)."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number in range
    except ValueError as exc:
        raise RemoteError(
            f"not a URL: {shown_url(url)} ({exc})",
            hint="e.g. http://127.0.0.1:7878/query (Oxigraph), http://host:3030/ds/query (Fuseki)",
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(
            f"not an http(s) URL: {shown_url(url)}",
            hint="e.g. http://127.0.0.1:7878/query (Oxigraph), http://host:3030/ds/query (Fuseki)",
        )
    if "@" in parts.netloc:
        raise RemoteError(
            "the URL holds credentials (user:password@host): they would show in process lists "
            "and logs",
            hint="give the URL without them; put them in ~/.netrc or in ZONEKG_USER and "
            "ZONEKG_PASSWORD",
        )
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise RemoteError(
            f"the URL holds spaces or control characters: {shown_url(url)}",
            hint="percent-encode them (%20)",
        )


def read_json(
    body: bytes | str, what: str = "the endpoint's answer", limits: Limits = DEFAULT_LIMITS
):
    """JSON a peer sent, as Python values; bad or too deeply nested JSON is a RemoteError."""
    return jsonread.read_json(body, what=what, error=RemoteError, limits=limits)


#: The setting that names the address of a store or an endpoint, for a hint.
ENDPOINT = Setting("endpoint")


def send(
    request: urllib.request.Request,
    limits: Limits = DEFAULT_LIMITS,
    read_body: bool = True,
    echoed: Sequence[str] = (),
) -> tuple[int, bytes, str]:
    """(status, body, content type) of *request*, within the time limit in all and the
    reply cap of *limits*; the body left unread, and empty, unless *read_body*. *echoed*:
    values the peer may send back in a header each."""
    url = request.full_url
    check_url(url)
    exchange = _Exchange(request, limits, echoed)
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "https"
    kind = _HTTPSConnection if secure else _HTTPConnection
    # the port given, so that http.client does not read one out of an IPv6 address
    connection = kind(parts.hostname, parts.port or (443 if secure else 80), exchange)
    headers = {"User-Agent": "zonekg", "Connection": "close", **dict(request.header_items())}
    try:
        response = _exchange(connection, request, headers)
        status = response.status
        content_type = response.headers.get("Content-Type", "")
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            raise RemoteError(
                f"{exchange.shown} redirects (HTTP {status}) to {excerpt(shown_url(location))}",
                hint=f"give the final address ({ENDPOINT}); zonekg follows no redirects",
                settings=(ENDPOINT,),
            )
        if not 200 <= status < 300:
            raise _refusal(exchange, response)
        if not read_body:
            return status, b"", content_type
        return status, _body(exchange, response), content_type
    except RemoteError:
        raise
    except TimeoutError:
        raise exchange.too_slow() from None
    except http.client.HTTPException as exc:  # a reply that is not HTTP as the client reads it
        raise RemoteError(
            f"{exchange.shown}: the answer is not valid HTTP "
            f"({type(exc).__name__}: {excerpt(str(exc), 200)})",
            hint="check that the address is the store's endpoint",
        ) from None
    except OSError as exc:
        raise RemoteError(
            f"cannot reach {exchange.shown}: {excerpt(str(exc), 200)}",
            hint="is the triplestore running at this address?",
        ) from None
    finally:
        connection.close()


def _exchange(
    connection: http.client.HTTPConnection, request: urllib.request.Request, headers: dict
) -> http.client.HTTPResponse:
    """Send *request* and take the reply: also a refusal the peer sent before it had read
    the whole body and closed (a store refusing a write answers 401 at once), but never a
    success so sent: the body was cut, whatever the peer says."""
    try:
        connection.request(request.get_method(), request.selector, request.data, headers)
    except (BrokenPipeError, ConnectionResetError) as cut:
        try:
            early = connection.getresponse()
        except (OSError, http.client.HTTPException):
            raise cut from None
        if 200 <= early.status < 300:
            raise cut from None
        return early
    return connection.getresponse()


#: What to do when Virtuoso refuses a write larger than the log of one transaction holds.
_VIRTUOSO_LOG_FULL = (
    "Virtuoso bounds what one request may write: raise TransactionAfterImageLimit in the "
    "[Parameters] of its virtuoso.ini (50000000 bytes unless set), restart it, and run again"
)


def _refusal(exchange: _Exchange, response: http.client.HTTPResponse) -> RemoteError:
    """The error for a status that is not a success, with the start of the body."""
    status = response.status
    try:
        body = response.read(ERROR_BODY).decode("utf-8", "replace")
    except http.client.IncompleteRead as short:
        body = short.partial.decode("utf-8", "replace")
    error = RemoteError(
        f"{exchange.shown} failed: HTTP {status} {excerpt(body)}".rstrip(),
        hint="give credentials in ~/.netrc or in ZONEKG_USER and ZONEKG_PASSWORD"
        if status in (401, 403)
        else _VIRTUOSO_LOG_FULL
        if "SR325" in body  # (a push or a reasoning inside it at 10M triples met this)
        else "check the endpoint URL and that the store accepts this request",
    )
    error.status = status
    error.challenge = response.headers.get("WWW-Authenticate", "") or ""
    return error


def _body(exchange: _Exchange, response: http.client.HTTPResponse) -> bytes:
    """The body, read up to the reply cap."""
    cap = exchange.body_cap
    if response.length is not None and response.length > cap:
        raise exchange.too_large()
    chunks, size = [], 0
    while True:
        chunk = response.read(min(CHUNK, cap + 1 - size))
        if not chunk:
            if response.length:  # http.client ends a short body without an error
                raise http.client.IncompleteRead(b"", response.length)
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise exchange.too_large()
        chunks.append(chunk)


class _Exchange:
    """One request and its reply: the deadline and the caps, and what was received."""

    def __init__(self, request: urllib.request.Request, given: Limits, echoed: Sequence[str]):
        self.shown = f"{request.get_method()} {shown_url(request.full_url)}"
        self.limits = given
        self.limit = given.timeout
        self.deadline = time.monotonic() + self.limit
        stopped = limits.deadline()  # in a bounded worker: end, and say why, before it is
        if stopped is not None:
            self.deadline = min(self.deadline, stopped - WORKER_MARGIN)
        self.header_lines = HEADER_LINES + len(echoed)
        self.header_bytes = HEADER_BYTES + sum(3 * len(v) + ECHO_BYTES for v in echoed)
        self.body_cap = int(given.max_reply_mb * MB)
        self.in_headers = True
        self.lines = self.header_size = self.received = 0

    def remaining(self) -> float:
        """Seconds left for this exchange; past the deadline, the error."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.too_slow()
        return left

    def header_line(self, line: bytes) -> None:
        if not self.in_headers:
            return
        self.lines += 1
        self.header_size += len(line)
        if self.lines > self.header_lines or self.header_size > self.header_bytes:
            raise RemoteError(
                f"{self.shown}: the reply's headers exceed {self.header_lines} lines or "
                f"{self.header_bytes // 1024} KB",
                hint="check that the address is the store's endpoint",
            )

    def count(self, size: int) -> None:
        """Every byte read from the socket (a backstop: the body is also counted as read)."""
        self.received += size
        if self.received > self.header_bytes + self.body_cap + 2 * CHUNK:
            raise self.too_large()

    def too_slow(self) -> RemoteError:
        error = self.limits.exceeded(
            "timeout",
            f"{self.shown} did not answer within {self.limit:g} s (the time limit)",
            kind=RemoteError,
        )
        error.hint += ", or check the endpoint"
        return error

    def too_large(self) -> RemoteError:
        return self.limits.exceeded(
            "max_reply_mb",
            f"the answer to {self.shown} is larger than "
            f"{self.limits.max_reply_mb:g} MB (the reply limit)",
            kind=RemoteError,
        )


class _Timed(io.RawIOBase):
    """The socket under a response: each read gets the time left, each byte is counted."""

    def __init__(self, raw, sock, exchange: _Exchange):
        self.raw, self.sock, self.exchange = raw, sock, exchange

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.sock.settimeout(self.exchange.remaining())
        size = self.raw.readinto(buffer)
        if size:
            self.exchange.count(size)
        return size

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Reader(io.BufferedReader):
    """Buffered reads of ``_Timed`` that count the header lines as they are read."""

    def __init__(self, raw: _Timed, exchange: _Exchange):
        super().__init__(raw, CHUNK)
        self.exchange = exchange

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.exchange.header_line(line)
        return line


class _Response(http.client.HTTPResponse):
    def __init__(self, sock, *args, exchange: _Exchange, **kwargs):
        super().__init__(sock, *args, **kwargs)
        self.fp = _Reader(_Timed(self.fp.detach(), sock, exchange), exchange)
        self.exchange = exchange

    def begin(self) -> None:
        super().begin()
        self.exchange.in_headers = False


class _Bounded:
    """Connecting and sending within the exchange's deadline; the response is ours."""

    exchange: _Exchange

    def _bound(self, exchange: _Exchange) -> None:
        self.exchange = exchange
        self.response_class = functools.partial(_Response, exchange=exchange)

    def connect(self) -> None:
        self.timeout = self.exchange.remaining()
        super().connect()  # type: ignore[misc]

    def send(self, data) -> None:
        if self.sock is None:  # type: ignore[attr-defined]
            self.connect()
        self.sock.settimeout(self.exchange.remaining())  # type: ignore[attr-defined]
        super().send(data)  # type: ignore[misc]


class _HTTPConnection(_Bounded, http.client.HTTPConnection):
    def __init__(self, host: str, port: int, exchange: _Exchange):
        super().__init__(host, port, timeout=exchange.remaining())
        self._bound(exchange)


class _HTTPSConnection(_Bounded, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, exchange: _Exchange):
        super().__init__(host, port, timeout=exchange.remaining())
        self._bound(exchange)
