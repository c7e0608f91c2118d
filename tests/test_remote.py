"""Push to real triplestores and ask every competency question there: an Oxigraph server
(behind a Basic-auth proxy, since Oxigraph has none) and Debian's Virtuoso 7 (Digest), each
started by the test on 127.0.0.1 with a throw-away database and credentials it sets."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from remote_support import BasicAuthProxy, oxigraph_server, virtuoso_server

from zonekg import api
from zonekg.core.errors import ZonekgError
from zonekg.core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, TYPES_GRAPH
from zonekg.core.questions import expected_rows, questions
from zonekg.core.render import csv_rows
from zonekg.publish import push as remote
from zonekg.safety.http import RemoteError
from zonekg.safety.screen import screen

ZONEKG = [sys.executable, "-m", "zonekg.cli"]
USER, PASSWORD = "pusher", "s3cret-Pw-for-the-test"


def _run(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ZONEKG_USER")}
    environment.pop("ZONEKG_PASSWORD", None)
    environment["NETRC"] = os.devnull  # the developer's own ~/.netrc never takes part
    environment.update(env or {})
    return subprocess.run(
        [*ZONEKG, *args], capture_output=True, text=True, env=environment, timeout=900
    )


CREDENTIALS = {"ZONEKG_USER": USER, "ZONEKG_PASSWORD": PASSWORD}


def _sorted(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(row.items()) for row in rows)


def _every_question_matches(endpoint: str) -> None:
    pushed = api.remote_graphs(endpoint)
    assert {ASSERTED_GRAPH, TYPES_GRAPH, INFERRED_GRAPH} <= pushed and len(pushed) == 22 + 3
    found = questions()
    assert len(found) >= 17
    wrong = []
    for cq in found:
        notes: list[str] = []
        result = api.remote_answer(endpoint, screen(cq.text), cq.needs_reasoning, pushed, notes)
        assert not notes
        if _sorted(csv_rows(result)) != _sorted(expected_rows(cq)):
            wrong.append(cq.name)
    assert not wrong, f"{len(wrong)} of {len(found)} questions differ: {wrong}"


# --- Oxigraph ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oxigraph")
    with oxigraph_server(folder) as base, BasicAuthProxy(base, USER, PASSWORD) as proxy:
        yield proxy


def test_credentials_in_the_url_are_refused_without_repeating_them():
    with pytest.raises(RemoteError, match="holds credentials") as refused:
        remote.graph_store_url(f"http://{USER}:{PASSWORD}@127.0.0.1:9/store", "urn:x")
    assert PASSWORD not in str(refused.value.message) + refused.value.hint
    done = _run("push", "--endpoint", f"http://{USER}:{PASSWORD}@127.0.0.1:9/store")
    assert done.returncode == 2 and PASSWORD not in done.stderr + done.stdout


def test_a_push_without_credentials_is_refused_and_writes_nothing(oxigraph):
    before = len(oxigraph.log)
    done = _run("push", "--endpoint", oxigraph.url + "/store")
    assert done.returncode != 0
    assert "HTTP 401" in done.stderr and "ZONEKG_USER" in done.stderr
    puts = [entry for entry in oxigraph.log[before:] if entry[0] == "PUT"]
    assert puts and not any(given for _, _, given in puts)
    assert not api.remote_graphs(oxigraph.url + "/query")


def test_push_with_credentials_and_every_question_answers_remotely(oxigraph):
    before = len(oxigraph.log)
    done = _run("push", "--endpoint", oxigraph.url + "/store", "--with-inferred", env=CREDENTIALS)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stderr + done.stdout
    assert "22 named graphs" in done.stderr and ASSERTED_GRAPH in done.stderr
    writes = [entry for entry in oxigraph.log[before:] if entry[0] == "PUT"]
    # the proxy asks only on writes: the first PUT learns the challenge, the rest carry it
    assert sum(given for _, _, given in writes) == 22 + 4 and len(writes) <= 22 + 4 + 1
    _every_question_matches(oxigraph.url + "/query")
    # the merged graphs do not overlap: FROM A FROM B would count a shared triple twice
    kg = api.load()
    payload = remote.body(kg, with_inferred=True)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}"
    rows = csv_rows(api.remote_answer(oxigraph.url + "/query", screen(count)))
    assert int(rows[0]["n"]) == payload.merged[0].triples
    # the source graphs travel: "who says so?" answers remotely as it does locally
    asked = _run("query", "cq22", "--format", "csv", "--endpoint", oxigraph.url + "/query")
    assert asked.returncode == 0, asked.stderr
    assert "document/afpbb-2020-11-21" in asked.stdout


def test_a_push_without_closure_removes_the_old_one_and_questions_say_so(oxigraph, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    done = _run("push", "--endpoint", oxigraph.url + "/store", env={"NETRC": str(netrc)})
    assert done.returncode == 0, done.stderr
    pushed = api.remote_graphs(oxigraph.url + "/query")
    assert ASSERTED_GRAPH in pushed and INFERRED_GRAPH not in pushed
    ask = screen(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    assert api.remote_answer(oxigraph.url + "/query", ask).boolean is False
    (cq06,) = [q for q in questions() if q.name.startswith("cq06")]
    asked = _run("query", cq06.name, "--format", "csv", "--endpoint", oxigraph.url + "/query")
    assert asked.returncode == 0, asked.stderr
    assert "needs OWL-RL inference" in asked.stderr and "--with-inferred" in asked.stderr
    plain = _run("query", "cq04", "--format", "csv", "--endpoint", oxigraph.url + "/query")
    assert plain.returncode == 0 and "warning" not in plain.stderr
    assert "776785714.29" in plain.stdout


def test_unreachable_endpoint_is_a_clear_error():
    from remote_support import free_port

    with pytest.raises(ZonekgError, match="cannot reach"):
        api.remote_answer(f"http://127.0.0.1:{free_port()}/query", screen("ASK {}"))
    with pytest.raises(ZonekgError, match="not an http"):
        remote.graph_store_url("file:///etc/passwd", "urn:x")


# --- Virtuoso ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as found:
        yield found


def _anonymous_put(url: str) -> int:
    request = urllib.request.Request(
        url, data=b"<urn:x:s> <urn:x:p> <urn:x:o> .\n", method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refusal:
        return refusal.code


def test_virtuoso_refuses_anonymous_writes(virtuoso):
    base, _, _ = virtuoso
    graph = urllib.parse.quote("urn:x:anonymous", safe="")
    assert _anonymous_put(f"{base}/sparql-graph-crud-auth?graph={graph}") == 401
    assert _anonymous_put(f"{base}/sparql-graph-crud?graph={graph}") >= 400
    ask = screen("ASK { GRAPH <urn:x:anonymous> { ?s ?p ?o } }")
    assert api.remote_answer(base + "/sparql", ask).boolean is False


def test_virtuoso_push_with_digest_and_every_question_answers(virtuoso):
    base, user, password = virtuoso
    store = base + "/sparql-graph-crud-auth"
    refused = _run("push", "--endpoint", store)
    assert refused.returncode != 0 and "HTTP 401" in refused.stderr
    credentials = {"ZONEKG_USER": user, "ZONEKG_PASSWORD": password}
    done = _run("push", "--endpoint", store, "--with-inferred", env=credentials)
    assert done.returncode == 0, done.stderr
    assert password not in done.stderr + done.stdout
    _every_question_matches(base + "/sparql")
    # without the graphs named, Virtuoso's default graph is every graph it holds
    # (its system graphs included): cq14 would find 1 place identifier, not 10
    (cq14,) = [q for q in questions() if q.name.startswith("cq14")]
    asked = _run("query", cq14.name, "--format", "csv", "--endpoint", base + "/sparql")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.count("\n") == 1 + len(expected_rows(cq14))
