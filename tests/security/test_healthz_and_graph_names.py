"""Case 16: /healthz and GET /sparql told any origin (CORS *) the worker PIDs and the
server's absolute data paths inside graph IRIs.

A file outside the project is named external/{digest}/{name} (core/namespaces.graph_iri);
/healthz gives process ids only to a loopback client that sends no Origin.
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from starlette.requests import Request

from zonekg.core.namespaces import GRAPH, graph_iri
from zonekg.web.app import ZonekgApp
from zonekg.web.pages import Settings


def test_a_graph_name_holds_no_absolute_path(tmp_path, small_data):
    name = graph_iri(small_data)
    assert str(tmp_path) not in name and tmp_path.name not in name
    assert name.startswith(GRAPH + "external/") and name.endswith("/small.ttl")
    other = tmp_path / "b" / "small.ttl"
    other.parent.mkdir()
    other.write_text("")
    assert graph_iri(other) != name  # two files of one name keep two graphs


def test_project_files_keep_their_project_paths():
    from safety_support import ROOT

    assert graph_iri(ROOT / "data" / "zone.trig") == GRAPH + "data/zone.trig"


def _healthz(client: str, headers: dict) -> dict:
    state = SimpleNamespace(
        pool=SimpleNamespace(engine="oxigraph", pids=lambda: [4242, 4343], killed=0, cache_hits=0),
        site=SimpleNamespace(graph=[]),
        responses={},
        settings=Settings(),
        started=0.0,
    )
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/healthz",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (client, 5000),
        "query_string": b"",
    }
    response = asyncio.run(ZonekgApp.healthz(state, Request(scope)))
    return json.loads(response.body)


def test_healthz_tells_a_page_of_another_origin_no_pids():
    shown = _healthz("127.0.0.1", {"Origin": "https://evil.example"})
    assert shown["workers"] == 2
    assert "4242" not in json.dumps(shown)


def test_healthz_tells_a_remote_client_no_pids():
    shown = _healthz("203.0.113.9", {})
    assert "4242" not in json.dumps(shown)


def test_healthz_tells_the_local_operator_the_pids():
    assert _healthz("127.0.0.1", {})["workers"] == [4242, 4343]
