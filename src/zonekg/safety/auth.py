"""Credentials for a remote store, and requests that answer its challenge.

Where credentials come from, first found wins: the environment (``ZONEKG_USER`` and
``ZONEKG_PASSWORD``), then ``~/.netrc`` (or the file ``NETRC`` names), by the host
of the URL. Never from the command line or the URL itself (``check_url`` refuses
``user:password@host``), and never written to a message or a log.

They are sent only when the server asks (a 401 with ``WWW-Authenticate``), as
Basic or Digest (RFC 7617 / RFC 7616, through the standard library). A request
with a large body is preceded by a body-less GET of the same address that fetches the
challenge, so that the body is sent once, already authorised: some stores
(Virtuoso) close the connection on an unauthorised upload while it is still
being sent.
"""

from __future__ import annotations

import base64
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core import settings
from ..core.settings import DEFAULT_LIMITS, Limits
from ..core.terminal import excerpt
from . import guard
from .http import RemoteError, send, shown_url

#: Bodies larger than this are preceded by a body-less request for the challenge.
PROBE_ABOVE = 1 << 16


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)
    origin: str = ""  # where they were found (for messages; never the values)


def credentials_for(url: str) -> Credentials | None:
    """The credentials for *url*'s host, or None."""
    given = settings.credentials()
    if given is not None:
        return Credentials(*given, f"${settings.USER_ENV}")
    host = urllib.parse.urlsplit(url).hostname or ""
    path = settings.netrc_file()
    if not os.path.isfile(path):
        return None
    guard.allow_path(path)  # the one file outside the project read on the user's behalf
    try:
        found = netrc.netrc(path).authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    if not found or not found[0]:
        return None
    return Credentials(found[0], found[2] or "", path)


def authorization(request: urllib.request.Request, challenge: str, creds: Credentials) -> str:
    """The Authorization header answering *challenge* (Basic or Digest).

    A challenge is the peer's text: one zonekg cannot answer (another scheme, a Digest
    algorithm or ``qop`` the standard library lacks, a missing nonce) is a RemoteError."""
    scheme, _, rest = challenge.strip().partition(" ")
    if scheme.lower() == "basic":
        token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
        return f"Basic {token}"
    reason = ""
    if scheme.lower() == "digest":
        try:
            answer = _digest(request, rest, creds)
        except (ValueError, KeyError, urllib.error.URLError) as exc:
            answer, reason = None, f" ({excerpt(str(getattr(exc, 'reason', exc)), 120)})"
        if answer:
            return f"Digest {answer}"
    raise RemoteError(
        f"{shown_url(request.full_url)} asks for {excerpt(scheme, 40) or 'an unknown'} "
        f"authentication that zonekg cannot answer{reason}",
        hint="zonekg answers Basic, and Digest with MD5 or SHA and qop auth",
    )


def _digest(request: urllib.request.Request, parameters: str, creds: Credentials) -> str | None:
    passwords = urllib.request.HTTPPasswordMgr()
    passwords.add_password(None, request.full_url, creds.user, creds.password)
    handler = urllib.request.HTTPDigestAuthHandler(passwords)
    parsed = urllib.request.parse_keqv_list(urllib.request.parse_http_list(parameters))
    passwords.add_password(parsed.get("realm"), request.full_url, creds.user, creds.password)
    return handler.get_authorization(request, parsed)


#: The last challenge each host sent (within this process): a store that asks only on
#: writes gets the credentials with the next body at once, rather than the body twice.
_CHALLENGES: dict[str, str] = {}


def send_authorised(
    request: urllib.request.Request,
    limits: Limits = DEFAULT_LIMITS,
    echoed: Sequence[str] = (),
) -> tuple[int, bytes, str]:
    """``http.send``, answering a Basic or Digest challenge with the user's credentials."""
    creds = credentials_for(request.full_url)
    if creds is None:
        return send(request, limits, echoed=echoed)
    host = urllib.parse.urlsplit(request.full_url).netloc
    challenge = _CHALLENGES.get(host, "")
    if _body_size(request) > PROBE_ABOVE:
        try:  # a body-less request for the challenge (a read: nothing is written)
            send(urllib.request.Request(request.full_url, method="GET"), limits, read_body=False)
        except RemoteError as refusal:
            if refusal.status == 401 and refusal.challenge:
                challenge = refusal.challenge
    for _attempt in range(2):
        if challenge:
            request.add_unredirected_header(
                "Authorization", authorization(request, challenge, creds)
            )
        if hasattr(request.data, "seek"):
            request.data.seek(0)  # a file body: sent again from its start
        try:
            answer = send(request, limits, echoed=echoed)
            if challenge:
                _CHALLENGES[host] = challenge
            return answer
        except RemoteError as refusal:
            if refusal.status != 401 or not refusal.challenge or challenge == refusal.challenge:
                if refusal.status == 401:
                    refusal.hint = f"the credentials from {creds.origin} were refused"
                raise
            challenge = refusal.challenge
    raise AssertionError("unreachable")


def _body_size(request: urllib.request.Request) -> int:
    """The size of *request*'s body: bytes, or a file whose Content-Length is given."""
    if request.data is None:
        return 0
    if isinstance(request.data, bytes):
        return len(request.data)
    return int(request.get_header("Content-length", "0"))
