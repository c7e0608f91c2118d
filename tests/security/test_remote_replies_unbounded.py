"""Issue 18, class B: remote replies unbounded.

A peer named with ``--endpoint`` could keep the client past ``--timeout`` (an error body or
headers sent one byte at a time), make it read without end (a 1.5 GB error body, a 200 body
that never ends, 40,000 header lines), crash it with exit 3 (a Digest challenge it cannot
answer, deeply nested JSON), and see its secret repeated (``?apikey=…`` in the URL) in every
message. Remote work ran in the CLI process, outside the bounded worker.

``safety/http.py`` (the one HTTP client) now gives each exchange one deadline (connect,
send, headers, body), caps header lines and bytes and the body, reads at most a few KB of an
error body, turns everything a peer can send into exit 2, and prints URLs with their
credentials and query values masked (``safety.http.shown_url``); the CLI runs remote work in
the bounded worker. Each hostile peer below is a small socket server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safety_support import HostilePeer, flat, run_cli

from zonekg.engines import remote
from zonekg.safety.http import RemoteError
from zonekg.safety.screen import screen

MB = 1 << 20
ASK_TRUE = b'{"head": {}, "boolean": true}'
NO_CREDENTIALS = {"NETRC": "/dev/null", "ZONEKG_USER": "", "ZONEKG_PASSWORD": ""}


def _head(status: str, *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers, "", ""])).encode("latin-1")


def _reply(body: bytes, kind: str = "application/sparql-results+json") -> bytes:
    """A 200 reply of *body*, its type and length declared."""
    return _head("200 OK", f"Content-Type: {kind}", f"Content-Length: {len(body)}") + body


def _ask(url: str, *options: str, env: dict | None = None):
    """``zonekg [options] query --text 'ASK {}' --endpoint url``, timed."""
    started = time.monotonic()
    done = run_cli(
        *options,
        "query",
        "--text",
        "ASK {}",
        "--endpoint",
        url,
        env={**NO_CREDENTIALS, **(env or {})},
    )
    return done, time.monotonic() - started


def _no_crash(done) -> str:
    message = flat(done.stderr)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "internal error" not in message and "Traceback" not in message
    return message


# --- one deadline for the whole exchange -------------------------------------------------


def _dribbled_error_body(wire):
    wire.send(
        _head("500 Internal Server Error", "Content-Type: text/plain", "Content-Length: 100000")
    )
    wire.stream(b"x", 240, pause=0.25)


def _dribbled_headers(wire):
    wire.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n")
    wire.stream(b"X", 240, pause=0.25)


@pytest.mark.parametrize(
    "answer", [_dribbled_error_body, _dribbled_headers], ids=["error body", "headers"]
)
def test_a_reply_sent_one_byte_at_a_time_ends_at_the_time_limit(answer):
    with HostilePeer(answer) as peer:
        done, elapsed = _ask(peer.url, "--timeout", "3")
    message = _no_crash(done)
    assert "within 3 s" in message
    assert elapsed < 15  # 60 s of dribbling before


# --- bodies and headers are capped ----------------------------------------------------


def test_a_huge_error_body_is_not_read_whole():
    def answer(wire):
        wire.send(_head("500 Internal Server Error", "Content-Length: 1500000000"))
        wire.stream(b"e" * MB, 256 * MB)

    with HostilePeer(answer) as peer:
        done, _ = _ask(peer.url)
        sent = peer.sent
    message = _no_crash(done)
    assert "HTTP 500" in message
    assert sent < 32 * MB, f"the peer wrote {sent // MB} MB of an error body"


def _without_end(total: int):
    """A 200 reply of SPARQL JSON results without a length: *total* bytes of spaces."""

    def answer(wire):
        wire.send(
            _head("200 OK", "Content-Type: application/sparql-results+json", "Connection: close")
        )
        wire.stream(b" " * MB, total)

    return answer


def test_a_body_without_end_stops_at_the_reply_cap():
    with HostilePeer(_without_end(256 * MB)) as peer:
        done, _ = _ask(peer.url, env={"ZONEKG_MAX_REPLY_MB": "16"})
        sent = peer.sent
    message = _no_crash(done)
    assert "larger than 16 MB" in message and "ZONEKG_MAX_REPLY_MB" in message
    assert sent < 64 * MB, f"the peer wrote {sent // MB} MB"


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    def answer(wire):
        wire.send(
            _head(
                "200 OK",
                "Content-Type: application/sparql-results+json",
                f"Content-Length: {2**40}",
            )
        )
        wire.stream(b" " * MB, 64 * MB)

    with HostilePeer(answer) as peer:
        done, _ = _ask(peer.url)
        sent = peer.sent
    message = _no_crash(done)
    assert "larger than" in message and "ZONEKG_MAX_REPLY_MB" in message
    assert sent < 32 * MB


@pytest.mark.parametrize(
    ("lines", "length"), [(40_000, 1000), (60, 60_000)], ids=["40,000 lines", "60 long lines"]
)
def test_header_lines_are_capped_by_count_and_bytes(lines, length):
    def answer(wire):
        wire.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n")
        for n in range(lines):
            wire.send(f"X-Filler-{n}: ".encode() + b"f" * length + b"\r\n")
        wire.send(f"Content-Length: {len(ASK_TRUE)}\r\n\r\n".encode() + ASK_TRUE)

    with HostilePeer(answer) as peer:
        done, _ = _ask(peer.url)
        sent = peer.sent
    message = _no_crash(done)
    assert "header" in message
    assert sent < 16 * MB


def test_remote_work_runs_in_the_bounded_worker():
    """Under --memory 700 a 1 GB reply (the reply cap raised) stops at the memory limit."""
    with HostilePeer(_without_end(1024 * MB)) as peer:
        done, _ = _ask(peer.url, "--memory", "700", env={"ZONEKG_MAX_REPLY_MB": "4000"})
    message = _no_crash(done)
    assert "memory limit" in message and "--memory" in message


# --- whatever a peer sends is exit 2 ----------------------------------------------------


@pytest.mark.parametrize(
    "challenge",
    [
        'Digest realm="r", nonce="n", algorithm=SHA-512-256',
        'Digest realm="r", nonce="n", qop="auth-int"',
        'Digest realm="r"',
        "Digest ,,,=",
        "Negotiate abc",
    ],
    ids=["unknown algorithm", "auth-int", "no nonce", "garbage", "other scheme"],
)
def test_a_challenge_zonekg_cannot_answer_is_exit_2(challenge):
    def answer(wire):
        wire.send(_head("401 Unauthorized", f"WWW-Authenticate: {challenge}", "Content-Length: 0"))

    credentials = {"ZONEKG_USER": "someone", "ZONEKG_PASSWORD": "pw-not-to-be-shown"}
    with HostilePeer(answer) as peer:
        done, _ = _ask(peer.url, env=credentials)
    message = _no_crash(done)
    assert "pw-not-to-be-shown" not in done.stdout + done.stderr
    assert "authentication" in message


def _nested(depth: int, typed: bool) -> bytes:
    """SPARQL JSON results whose one value is an array nested *depth* levels deep."""
    term = {"type": "typed-literal" if typed else "literal", "value": "VALUE"}
    payload = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": term}]}}
    return json.dumps(payload).replace('"VALUE"', "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("typed", [True, False], ids=["typed-literal", "literal"])
def test_deeply_nested_json_is_exit_2(typed):
    body = _nested(100_000, typed)

    def answer(wire):
        wire.send(_reply(body))

    with HostilePeer(answer) as peer:
        done, _ = _ask(peer.url)
    _no_crash(done)


ENTITY_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">\n'
    + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">\n' for a, b in zip("abcde", "bcdef", strict=True)
    )
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/">\n'
    '<rdf:Description rdf:about="http://example.org/s"><ex:p>&f;</ex:p></rdf:Description>\n'
    "</rdf:RDF>\n"
).encode()


def test_an_rdf_xml_reply_with_entities_is_refused():
    """A 1 KB reply that the RDF/XML parser would expand to a 2 MB literal (and one more
    level to 20 MB, …): refused as the loader refuses such files."""

    def answer(wire):
        if b"application/n-triples" in wire.peer.requests[-1]:
            wire.send(_reply(ENTITY_BOMB, "application/rdf+xml"))
        else:  # the query for the graphs a push left
            wire.send(_reply(b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'))

    with HostilePeer(answer) as peer:
        done = run_cli(
            "query",
            "--text",
            "CONSTRUCT WHERE { ?s ?p ?o }",
            "--endpoint",
            peer.url,
            env=NO_CREDENTIALS,
        )
    message = _no_crash(done)
    assert "DOCTYPE" in message
    assert len(done.stdout) < 10_000


MALFORMED = {
    "closed at once": b"",
    "not HTTP": b"SSH-2.0-OpenSSH\r\n\r\n",
    "HTTP/2 status line": b"HTTP/2 200\r\n\r\n",
    "bad chunk size": _head("200 OK", "Transfer-Encoding: chunked") + b"zz\r\n",
    "huge chunk size": _head("200 OK", "Transfer-Encoding: chunked") + b"ffffffffffffffff\r\nab",
    "short body": _head("200 OK", "Content-Length: 100") + b"{}",
    "endless 100 Continue": b"HTTP/1.1 100 Continue\r\n\r\n" * 200_000,
    "header without colon": b"HTTP/1.1 200 OK\r\nnonsense\r\n\r\n{}",
    "redirect": _head("302 Found", "Location: http://127.0.0.1:9/?token=SECRET-LOCATION"),
    "not JSON": _head(
        "200 OK", "Content-Type: application/sparql-results+json", "Content-Length: 3"
    )
    + b"\xff\xfe\x00",
}


@pytest.mark.parametrize("reply", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_reply_is_exit_2(reply):
    with HostilePeer(lambda wire: wire.send(reply)) as peer:
        done, _ = _ask(peer.url, "--timeout", "10")
    _no_crash(done)
    assert "SECRET-LOCATION" not in done.stderr


# --- secrets in the URL are never printed ----------------------------------------------

SECRETS = ("SECRET-KEY-123", "SECRET-TOKEN-456")


def _with_secrets(url: str) -> str:
    return f"{url}?apikey={SECRETS[0]}&token={SECRETS[1]}"


def _shown(done) -> str:
    text = done.stdout + done.stderr
    assert not any(secret in text for secret in SECRETS), text
    return flat(text)


def test_a_secret_in_the_endpoint_is_not_repeated_in_errors():
    def answer(wire):
        wire.send(_head("500 Internal Server Error", "Content-Length: 4") + b"oops")

    with HostilePeer(answer) as peer:
        done, _ = _ask(_with_secrets(peer.url))
        assert done.returncode == 2
        shown = _shown(done)
        assert "HTTP 500" in shown and f"{peer.url}?apikey=" in shown
    unreachable, _ = _ask(_with_secrets(peer.url))  # the peer is gone
    assert unreachable.returncode == 2 and "cannot reach" in _shown(unreachable)
    refused = run_cli("query", "cq01", "--endpoint", "ftp://127.0.0.1/?apikey=" + SECRETS[0])
    assert refused.returncode == 2 and "not an http(s) URL" in _shown(refused)


def test_a_secret_in_the_endpoint_is_not_repeated_in_notes_and_push():
    def answer(wire):  # a store that takes every graph and holds none of zonekg's
        head = wire.peer.requests[-1]
        if head.startswith(b"POST"):
            wire.send(_reply(b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'))
        else:
            wire.send(_head("204 No Content"))

    with HostilePeer(answer) as peer:
        asked = run_cli("query", "cq01", "--endpoint", _with_secrets(peer.url), env=NO_CREDENTIALS)
        assert asked.returncode == 0, asked.stderr
        assert "holds no" in _shown(asked)
        pushed = run_cli("push", "--endpoint", _with_secrets(peer.url), env=NO_CREDENTIALS)
        assert pushed.returncode == 0, pushed.stderr
        assert "put to" in _shown(pushed)


# --- the client on its own (the Python API runs without the worker) -----------------


@pytest.mark.parametrize(
    "answer", [_dribbled_error_body, _dribbled_headers], ids=["error body", "headers"]
)
def test_the_client_alone_keeps_one_deadline(answer):
    with HostilePeer(answer) as peer:
        started = time.monotonic()
        with pytest.raises(RemoteError, match="within 2 s"):
            remote.query(peer.url, screen("ASK {}"), timeout=2)
        assert time.monotonic() - started < 6


def test_room_for_the_headers_virtuoso_echoes_grows_with_the_graphs_named():
    """Virtuoso sends one header back per graph named: 1,400 graphs are 1,400 headers."""
    graphs = [f"https://w3id.org/zonekg/graph/source/{n:04d}" for n in range(1400)]

    def answer(wire):
        wire.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n")
        for iri in graphs:
            wire.send(f"X-SPARQL-named-graph: {iri}\r\n".encode())
        wire.send(f"Content-Length: {len(ASK_TRUE)}\r\n\r\n".encode() + ASK_TRUE)

    with HostilePeer(answer) as peer:
        assert remote.query(peer.url, screen("ASK {}"), 10, named_graphs=graphs).boolean
        with pytest.raises(RemoteError, match="headers exceed"):
            remote.query(peer.url, screen("ASK {}"), 10, named_graphs=graphs[:10])


STATUS = st.sampled_from(
    [b"HTTP/1.1 200 OK", b"HTTP/1.0 200 OK", b"HTTP/1.1 401 No", b"HTTP/1.1 500 E",
     b"HTTP/1.1 302 Moved", b"HTTP/1.1 100 Continue", b"HTTP/1.1 204 None", b"HTTP/1.1 999 X",
     b"HTTP/1.1 abc", b"HTTP/9 200 OK", b"", b"\x00\xff", b"HTTP/1.1 200 OK\r\nHTTP/1.1 200"]
)  # fmt: skip
HEADER = st.sampled_from(
    [b"Content-Type: application/sparql-results+json", b"Content-Type: text/turtle",
     b"Content-Type: application/n-triples", b"Content-Type: \x1b]52;c;eA==\x07",
     b"Transfer-Encoding: chunked", b"Content-Length: 0", b"Content-Length: 5",
     b"Content-Length: -1", b"Content-Length: 99999999999999", b"Content-Length: x",
     b"Location: http://127.0.0.1:9/?token=SECRET", b"Location: \xff\xfe",
     b'WWW-Authenticate: Digest realm="r", nonce="n", algorithm=X',
     b'WWW-Authenticate: Digest realm="r", nonce="n", qop="auth-int"',
     b"WWW-Authenticate: Digest", b"WWW-Authenticate: Basic realm=r", b"WWW-Authenticate: ",
     b"Connection: close", b"no colon", b" folded", b"X: " + b"y" * 70_000]
)  # fmt: skip
BODY = st.sampled_from(
    [b"", ASK_TRUE, b'{"head": {"vars": []}, "results": {"bindings": [{}]}}',
     b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "typed-literal"}}]}}',
     b'{"results": {"bindings": [1, [2], {"x": 3}]}, "typed-literal": 1}',
     b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": 1}}]}}',
     _nested(5000, True), _nested(5000, False), b"[" * 100_000, b"\xff\xfe\x00\x00",
     b"<a> <b> <c> .\n", b"<a> <b> \"\x1b[2J\" .\n", b"5\r\nabcde\r\n0\r\n\r\n",
     b"zz\r\n", b"ffffffffffffffffff\r\nab", b"\x00" * 5000]
)  # fmt: skip


@settings(max_examples=60, deadline=None, database=None)
@given(
    status=STATUS,
    headers=st.lists(HEADER, max_size=5),
    body=BODY,
    form=st.sampled_from(["ASK {}", "SELECT ?x {}", "CONSTRUCT WHERE { ?s ?p ?o }"]),
)
def test_whatever_a_peer_sends_is_an_answer_or_a_remote_error(status, headers, body, form):
    reply = b"\r\n".join([status, *headers, b"", body])
    environment = {"ZONEKG_USER": "u", "ZONEKG_PASSWORD": "p", "ZONEKG_MAX_REPLY_MB": "1"}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        with HostilePeer(lambda wire: wire.send(reply)) as peer:
            try:
                remote.query(peer.url, screen(form), timeout=3)
            except RemoteError as refused:
                assert "SECRET" not in str(refused)
                assert all(line.isprintable() for line in str(refused).split("\n"))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
