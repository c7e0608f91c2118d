"""What `zonekg push` puts, before any store sees it: the spool holds each graph of the
published dataset (``api.published_dataset``, the one definition of what leaves zonekg),
each triple of a graph once, so that the push need not hold the dataset in memory. The
stores' side (every question answers remotely as here) is in test_remote.py."""

from __future__ import annotations

import socket
import sqlite3
import tempfile
import threading

import pyoxigraph as ox
import pytest

from zonekg import api
from zonekg.core.errors import EnvironmentProblem
from zonekg.core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from zonekg.core.settings import Limits
from zonekg.publish import push as pushing
from zonekg.safety.http import RemoteError


def _spooled(kg, with_inferred, folder) -> dict[str, bytes]:
    spool = pushing.Spool(kg, with_inferred, folder)
    # the spool is unnamed while it works: a push killed part of the way leaves nothing
    assert list(folder.iterdir()) == []
    try:
        texts = {}
        with tempfile.TemporaryFile() as body:
            for iri in spool.graphs:
                count = spool.write(iri, body)
                texts[iri] = body.read()
                assert count == texts[iri].count(b"\n")
        return texts
    finally:
        spool.close()


def _triples(text: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


@pytest.mark.parametrize("with_inferred", [False, True])
def test_the_spool_holds_each_graph_of_the_published_dataset(with_inferred, tmp_path):
    kg = api.load()
    spooled = _spooled(kg, with_inferred, tmp_path)
    published = api.published_dataset(kg, with_inferred)
    assert list(spooled) == [g for g in api.published_graphs(kg) if g in published]
    assert (INFERRED_GRAPH in spooled) == with_inferred
    assert len(spooled) > 70  # the ontology's graph and one per source, then the merged
    for iri, text in spooled.items():
        triples = _triples(text)
        assert len(triples) == len(set(triples)), iri  # each once
        assert set(triples) == published[iri], iri
        lines = text.splitlines()
        assert lines == sorted(lines), iri  # a stable order: a push is the same each time


def test_a_triple_two_files_state_in_one_graph_is_pushed_once(tmp_path):
    doc = "https://w3id.org/zonekg/document/example"
    stated = f'<{doc}> {{ <https://example.org/a> <https://example.org/p> "x" . }}\n'
    files = []
    for name, extra in [("a.trig", ""), ("b.trig", stated)]:
        path = tmp_path / name
        path.write_text(stated + extra)  # b states it twice over
        files.append(path)
    kg = api.load(files)
    folder = tmp_path / "spool"
    folder.mkdir()
    spooled = _spooled(kg, False, folder)  # (not beside the data files)
    assert len(_triples(spooled[doc])) == 1
    merged = _triples(spooled[ASSERTED_GRAPH])  # with the ontology's
    assert len(merged) == len(set(merged)) == len(_triples(spooled[kg.asserted_graphs[0]])) + 1


def _answer_on_the_head(server: socket.socket, status: bytes) -> None:
    """Answer the first request with *status* as soon as its head is in, then hang up
    with its body unread."""
    conn, _ = server.accept()
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        conn.sendall(
            b"HTTP/1.1 " + status + b'\r\nWWW-Authenticate: Basic realm="store"\r\n'
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )


def _put_to_a_peer_answering(status: bytes, tmp_path) -> RemoteError:
    body = tmp_path / "graph.nt"
    body.write_bytes(b'<urn:s> <urn:p> "o" .\n' * 400_000)  # more than the sockets buffer
    with socket.create_server(("127.0.0.1", 0)) as server:
        peer = threading.Thread(target=_answer_on_the_head, args=(server, status), daemon=True)
        peer.start()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/store"
        with body.open("rb") as sent, pytest.raises(RemoteError) as failed:
            pushing._put(url, "urn:g", sent, Limits(timeout=30))
        peer.join(30)
    return failed.value


def test_a_write_refused_before_its_body_is_read_says_401_not_broken_pipe(tmp_path):
    # Virtuoso answers an unauthorised PUT at once and closes: the client, still sending
    # the graph from its file, met a broken pipe and said "cannot reach" the store.
    refused = _put_to_a_peer_answering(b"401 Unauthorized", tmp_path)
    assert refused.status == 401, refused.message


def test_a_success_answered_before_the_body_is_read_is_not_taken_for_one(tmp_path):
    # the store cannot have the whole graph: the body was cut, whatever it says
    cut = _put_to_a_peer_answering(b"201 Created", tmp_path)
    assert cut.status is None and "cannot reach" in cut.message, cut.message


def test_a_spool_the_disk_cannot_hold_is_a_clear_error_naming_the_folder(tmp_path, monkeypatch):
    # sqlite's "database or disk is full" reached the user as an internal error (exit 3)
    connect = sqlite3.connect

    def small(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 8")  # a disk that fills at 32 KiB
        return db

    monkeypatch.setattr(sqlite3, "connect", small)
    with pytest.raises(EnvironmentProblem) as full:
        pushing.Spool(api.load(), False, tmp_path)
    assert str(tmp_path) in full.value.message and "full" in full.value.message
    assert "TMPDIR" in full.value.hint
    assert list(tmp_path.iterdir()) == []


def test_the_spool_is_filled_in_one_transaction(tmp_path, monkeypatch):
    # in autocommit each row was a transaction of its own: filling took 12 times as long
    # (4.4 of a 100k push's 7.2 s of spooling)
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(sqlite3, "connect", traced)
    pushing.Spool(api.load(), False, tmp_path).close()
    inserts = [n for n, s in enumerate(statements) if s.startswith("INSERT")]
    assert len(inserts) > 1000  # a row each: the project's graph
    begins = [n for n, s in enumerate(statements) if s == "BEGIN"]
    commits = [n for n, s in enumerate(statements) if s == "COMMIT"]
    assert len(begins) == len(commits) == 1, (begins, commits)
    assert begins[0] < inserts[0] and inserts[-1] < commits[0]
