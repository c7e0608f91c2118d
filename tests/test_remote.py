"""Push to a real Oxigraph server and ask every competency question remotely."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from zonekg import api
from zonekg.core.errors import ZonekgError
from zonekg.core.questions import expected_rows, questions
from zonekg.core.render import csv_rows
from zonekg.publish import push as remote
from zonekg.safety.screen import screen


def _rows(endpoint: str, text: str) -> list[dict]:
    return csv_rows(api.remote_answer(endpoint, screen(text)))


GRAPH = "https://w3id.org/zonekg/graph/pushed"


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the oxigraph server comes with the test extra (pip oxigraph)"
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _graph_sizes(base: str) -> dict[str, int]:
    rows = _rows(
        base + "/query",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    return {row["g"]: int(row["n"]) for row in rows}


def test_a_graph_named_like_a_source_graph_is_refused_before_anything_is_sent():
    kg = api.load()
    payload = remote.body(kg, with_inferred=False)
    with pytest.raises(ZonekgError, match="named graphs"):
        # port 9 (discard): nothing listens; the refusal must come before any request
        remote.push("http://127.0.0.1:9/store", payload, kg.asserted_graphs[-1])


def _count(base: str) -> int:
    rows = _rows(
        base + "/query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    )
    return int(rows[0]["n"])


@pytest.mark.parametrize("with_inferred", [False, True], ids=["asserted", "with-closure"])
def test_push_replaces_the_graph_and_every_question_answers_remotely(server, with_inferred):
    """Questions without inference against the asserted push, the others against the closure."""
    kg = api.load()
    payload = remote.body(kg, with_inferred=with_inferred)
    count = payload.triples
    first = remote.push(server + "/store", payload, GRAPH)
    assert first.status in (200, 201, 204)
    assert _count(server) == count
    assert first.graphs == len(kg.asserted_graphs) == 23  # the ontology and 22 sources
    sources = _graph_sizes(server)
    assert {g: sources[g] for g in kg.asserted_graphs} == {
        g: len({q.triple for q in kg.quads([g])}) for g in kg.asserted_graphs
    }
    again = remote.push(server + "/store", payload, GRAPH)  # PUT replaces, never appends
    assert again.status in (200, 201, 204) and _count(server) == count
    assert _graph_sizes(server) == sources
    found = [q for q in questions() if q.needs_reasoning == with_inferred]
    assert found
    for cq in found:
        embedded = csv_rows(api.query(kg, cq))
        assert _rows(server + "/query", cq.text) == embedded == expected_rows(cq), cq.name


def test_push_without_closure_misses_what_only_reasoning_gives(server):
    payload = remote.body(api.load(), with_inferred=False)
    remote.push(server + "/store", payload, GRAPH)
    assert _count(server) == payload.triples
    (cq,) = [q for q in questions() if q.name.startswith("cq06")]
    assert len(_rows(server + "/query", cq.text)) < len(expected_rows(cq))


def test_cli_push_and_remote_query(server):
    zonekg = [sys.executable, "-m", "zonekg.cli"]
    done = subprocess.run([*zonekg, "push", "--endpoint", server + "/store", "--graph", GRAPH,
                           "--with-inferred"], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "23 named graphs" in done.stderr
    asked = subprocess.run([*zonekg, "query", "cq04", "--format", "csv", "--endpoint",
                            server + "/query"], capture_output=True, text=True)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "776785714.29" in asked.stdout
    # The source graphs travel: "who says so?" answers remotely as it does locally.
    asked = subprocess.run([*zonekg, "query", "cq22", "--format", "csv", "--endpoint",
                            server + "/query"], capture_output=True, text=True)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "document/afpbb-2020-11-21" in asked.stdout


def test_unreachable_endpoint_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ZonekgError, match="cannot reach"):
        _rows(f"http://127.0.0.1:{port}/query", "ASK {}")
    with pytest.raises(ZonekgError, match="not an http"):
        remote.graph_store_url("file:///etc/passwd", None)
