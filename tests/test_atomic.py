"""Nothing lost: writes are atomic, parsed back, locked; loading is all-or-nothing; bindings."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from safety_support import run_cli

from zonekg import api
from zonekg.core.errors import LoadError, QueryError, ZonekgError
from zonekg.safety.atomic import folder_lock, write_atomic


def _unserialisable() -> Graph:
    graph = Graph()
    graph.add((URIRef("http://x/a"), URIRef("http://x/1"), URIRef("http://x/b")))
    return graph  # RDF/XML cannot write a predicate whose local name starts with a digit


def test_a_failed_export_truncates_with_rdflib_but_not_with_write_atomic(tmp_path):
    target = tmp_path / "out.rdf"
    target.write_text("x" * 1000, encoding="utf-8")
    with pytest.raises(ValueError):
        _unserialisable().serialize(destination=target, format="xml")
    assert len(target.read_text(encoding="utf-8")) < 1000, "control: rdflib truncated it"

    target.write_text("x" * 1000, encoding="utf-8")
    with pytest.raises(ValueError):
        write_atomic(target, _unserialisable().serialize(format="xml"), rdf_format="rdfxml")
    assert target.read_text(encoding="utf-8") == "x" * 1000


def test_output_that_does_not_parse_back_never_replaces_the_target(tmp_path):
    target = tmp_path / "closure.ttl"
    target.write_text("<http://x/a> <http://x/b> <http://x/c> .\n", encoding="utf-8")
    with pytest.raises(ZonekgError, match="does not parse back"):
        write_atomic(target, "<http://x/a> <http://x/b> .\n", rdf_format="turtle")
    assert target.read_text(encoding="utf-8") == "<http://x/a> <http://x/b> <http://x/c> .\n"
    assert [p.name for p in tmp_path.iterdir()] == ["closure.ttl"], "temp file left behind"
    write_atomic(target, "<http://x/a> <http://x/b> <http://x/d> .\n", rdf_format="turtle")
    assert "x/d" in target.read_text(encoding="utf-8")


def test_a_writer_waits_for_the_folder_lock(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("old", encoding="utf-8")
    writer = threading.Thread(target=write_atomic, args=(target, "new"))
    with folder_lock(tmp_path):
        writer.start()
        time.sleep(0.5)
        assert writer.is_alive(), "the writer did not wait for the lock"
        assert target.read_text(encoding="utf-8") == "old"
    writer.join(timeout=30)
    assert target.read_text(encoding="utf-8") == "new"


def _write_many(target, marker: str) -> None:
    for _ in range(30):
        write_atomic(target, marker * 200_000)


def test_concurrent_writers_leave_one_complete_content(tmp_path):
    target = tmp_path / "shared.txt"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(target, m)) for m in "abcd"]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
        assert w.exitcode == 0
    content = target.read_text(encoding="utf-8")
    assert content in {m * 200_000 for m in "abcd"}
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_reason_output_is_written_atomically_and_parses(tmp_path):
    out = tmp_path / "closure.ttl"
    result = run_cli("reason", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(out, format="turtle")) > 0


def test_a_failed_parse_leaves_triples_in_rdflib_but_loading_is_all_or_nothing(tmp_path):
    lines = [f"<http://x/s{i}> <http://x/p> {i} .\n" for i in range(1000)]
    bad = tmp_path / "bad.ttl"
    bad.write_text("".join(lines) + "<http://x/s> <http://x/p> \n", encoding="utf-8")
    graph = Graph()
    with pytest.raises(BadSyntax):
        graph.parse(bad, format="turtle")
    assert len(graph) == 1000, "control: rdflib keeps what it read before the error"

    good = tmp_path / "good.ttl"
    good.write_text("<http://x/a> <http://x/b> 1 .\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        api.load([good, bad])
    assert caught.value.file == bad and caught.value.line == 1001


def test_user_values_are_bound_not_spliced():
    kg = api.load()
    refused = "is not described|is not an IRI or a CURIE"
    with pytest.raises(QueryError, match=refused):
        api.why(kg, 'x" || true || "')
    with pytest.raises(QueryError, match=refused):
        api.why(kg, "zone:nothing> } UNION { ?s ?p ?o } #")
    with pytest.raises(QueryError, match="is not described"):
        api.why(kg, "zone:nothing")


def test_an_output_is_synced_to_the_disk_a_cache_entry_is_not(tmp_path, monkeypatch):
    """A cache entry is checked against its manifest when read, so one a power cut cut short
    is computed again; syncing it cost a first validate of 100k triples 39 ms."""
    import os

    from zonekg.safety import cache

    synced = []
    monkeypatch.setattr(os, "fsync", synced.append)
    write_atomic(tmp_path / "out.ttl", "<http://x/a> <http://x/p> 1 .\n", rdf_format="turtle")
    assert len(synced) == 1
    cache.write(tmp_path, tmp_path / "entry.json", "key", b"[1]", 1)
    assert len(synced) == 1, "the entry and its manifest were not synced"
    assert cache.read(tmp_path, tmp_path / "entry.json", "key", 100).data == b"[1]"
