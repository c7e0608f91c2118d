"""Offline by construction: every network and file vector of issue 4 is closed.

Each network test starts a listener on 127.0.0.1 and first shows that plain
rdflib does reach it (the vector is real), then that zonekg refuses the same
input and the listener sees no connection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time

import pytest
from rdflib import Dataset, Graph
from safety_support import Listener, flat, run_cli, run_python

from zonekg.core.errors import QueryError
from zonekg.safety.screen import screen as parse


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _settle(listener: Listener) -> int:
    time.sleep(0.3)  # let the accept loop count a connection that is in flight
    return listener.connections


def _unguarded(action) -> None:
    logging.disable(logging.CRITICAL)
    try:
        action()
    except Exception:
        pass  # the listener closes at once; what matters is that a request was made
    finally:
        logging.disable(logging.NOTSET)


def test_service_http_reaches_the_network_in_rdflib_but_not_in_zonekg(listener, engine):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}sparql> {{ ?s ?p ?o }} }}"
    _unguarded(lambda: list(Graph().query(query)))
    assert _settle(listener) >= 1, "control: rdflib should have sent the query"
    before = listener.connections
    result = run_cli("query", "--text", query, "--engine", engine)
    assert result.returncode == 2
    assert "SERVICE is not allowed" in flat(result.stderr)
    assert _settle(listener) == before


def test_from_url_on_a_dataset_is_fetched_by_rdflib_but_refused_by_zonekg(listener):
    query = f"SELECT * FROM <{listener.url}data.ttl> WHERE {{ ?s ?p ?o }}"
    _unguarded(lambda: list(Dataset().query(query)))
    assert _settle(listener) >= 1, "control: rdflib should have fetched the FROM graph"
    before = listener.connections
    for text in (query, query.replace("FROM <", "FROM NAMED <")):
        result = run_cli("query", "--text", text)
        assert result.returncode == 2
        assert "is not allowed: that graph is not in this dataset" in flat(result.stderr)
    assert _settle(listener) == before


def test_from_file_reads_a_local_file_in_rdflib_but_is_refused(tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://s/a> <http://s/b> "secret" .\n', encoding="utf-8")
    query = f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}"
    assert [str(r[0]) for r in Dataset().query(query)] == ["secret"]
    with pytest.raises(QueryError, match="not allowed"):
        parse(query)
    result = run_cli("query", "--text", query)
    assert result.returncode == 2
    assert "secret" not in result.stdout


def test_from_our_own_graphs_is_allowed():
    parse("SELECT * FROM <https://w3id.org/zonekg/graph/data/zone.ttl> WHERE { ?s ?p ?o }")


def test_service_file_and_load_are_refused(tmp_path, listener):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://s/a> <http://s/b> "secret" .\n', encoding="utf-8")
    service = f"SELECT * WHERE {{ SERVICE <{secret.as_uri()}> {{ ?s ?p ?o }} }}"
    result = run_cli("query", "--text", service)
    assert result.returncode == 2 and "SERVICE is not allowed" in flat(result.stderr)
    result = run_cli("query", "--text", f"LOAD <{listener.url}x.ttl>")
    assert result.returncode == 2 and "updates are not allowed" in flat(result.stderr)
    assert _settle(listener) == 0


def test_the_guard_stops_service_even_when_screening_is_bypassed(listener):
    """The audit hook is the backstop: plain rdflib under guard.install() cannot connect."""
    code = (
        "from zonekg.safety import guard; guard.install()\n"
        "from rdflib import Graph\n"
        "try:\n"
        f"    list(Graph().query('SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}'))\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = run_python(code)
    assert "refused network access to 127.0.0.1" in result.stdout, result.stderr
    assert _settle(listener) == 0


def test_jsonld_remote_context_is_fetched_by_rdflib_but_not_under_the_guard(listener):
    doc = json.dumps(
        {"@context": f"{listener.url}ctx.jsonld", "@id": "http://a/", "http://b/": "c"}
    )
    _unguarded(lambda: Graph().parse(data=doc, format="json-ld"))
    assert _settle(listener) >= 1, "control: rdflib should have fetched the context"
    before = listener.connections
    code = (
        "from zonekg.safety import guard; guard.install()\n"
        "from rdflib import Graph\n"
        "try:\n"
        f"    Graph().parse(data={doc!r}, format='json-ld')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = run_python(code)
    assert "refused network access" in result.stdout, result.stdout + result.stderr
    assert _settle(listener) == before


def test_jsonld_file_context_outside_the_project_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    context = outside / "ctx.jsonld"
    context.write_text('{"@context": {"x": "http://x/"}}', encoding="utf-8")
    doc = json.dumps({"@context": context.as_uri(), "@id": "http://a/", "x": "c"})
    assert len(Graph().parse(data=doc, format="json-ld")) == 1  # control: rdflib reads it
    scratch = tmp_path / "scratch"  # the only temporary folder the subprocess may use
    scratch.mkdir()
    code = (
        "from zonekg.safety import guard; guard.install()\n"
        "from rdflib import Graph\n"
        "try:\n"
        f"    print(len(Graph().parse(data={doc!r}, format='json-ld')))\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = run_python(code, env={"TMPDIR": str(scratch)})
    assert "refused to open" in result.stdout, result.stdout + result.stderr


def test_files_outside_the_allowed_places_cannot_be_opened(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    named = outside / "named.txt"
    named.write_text("ok", encoding="utf-8")
    other = outside / "other.txt"
    other.write_text("secret", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = (
        "import sys\n"
        "from zonekg.safety import guard; guard.install([sys.argv[1]])\n"
        "print(open(sys.argv[1]).read())\n"
        "try:\n"
        "    open(sys.argv[2])\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = run_python(code, [str(named), str(other)], env={"TMPDIR": str(scratch)})
    lines = result.stdout.splitlines()
    assert lines[0] == "ok", result.stderr
    assert lines[1].startswith("GuardError refused to open"), result.stdout


def test_an_address_the_user_names_is_allowed(listener):
    code = (
        "import socket, sys\n"
        "from zonekg.safety import guard; guard.install(sys.argv[1:])\n"
        f"socket.create_connection(('127.0.0.1', {listener.port}), timeout=5).close()\n"
        "print('connected')\n"
    )
    result = run_python(code, [listener.url])
    assert result.stdout.strip() == "connected", result.stderr
    assert _settle(listener) == 1


def test_shapes_with_from_are_refused_before_pyshacl_runs_them(tmp_path, listener):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;\n"
        f'  sh:sparql [ sh:select "SELECT $this FROM <{listener.url}>'
        ' WHERE { $this ?p ?o }" ] .\n',
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text('<http://x/a> <http://x/b> "c" .\n', encoding="utf-8")
    result = run_cli("validate", "--data", str(data), "--shapes", str(shapes))
    assert result.returncode == 2
    assert "is not allowed" in flat(result.stderr) and "sh:select" in flat(result.stderr)
    assert _settle(listener) == 0


def test_the_guarded_server_serves_every_kind_of_page(tmp_path):
    """The server runs under the guard: its own files and the system tables it needs open."""
    from serve_support import running_server

    paths = [
        "/",
        "/query",
        "/sparql",
        "/id/zone/chengdu",
        "/def",
        "/def.ttl",
        "/context.jsonld",
        "/static/style.css",
        "/static/query.js",
    ]
    with running_server(tmp_path) as server, server.client() as http:
        statuses = {path: http.get(path).status_code for path in paths}
        answer = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        log = server.log_text()
    assert statuses == dict.fromkeys(paths, 200), log
    assert answer.status_code == 200
    assert "GuardError" not in log and "refused" not in log


# --- regression: a comment ended by a lone carriage return (issue "one pipeline") ---------
#
# rdflib ends a '#' comment at "\n" only; Oxigraph (and the SPARQL grammar) also at "\r".
# A query screened with rdflib's parser and run by Oxigraph therefore hid a SERVICE clause
# from the screen, and Oxigraph's own HTTP client (which the audit hook cannot see) called out.

CR_QUERY = "SELECT ?s WHERE {{ #\rSERVICE <{url}sparql> {{ ?s ?p ?o }}\n}}"


def test_cr_comment_control_oxigraph_itself_calls_the_address(listener):
    """Control: run directly by pyoxigraph, the hidden SERVICE reaches the listener."""
    import pyoxigraph as ox

    with contextlib.suppress(Exception):
        list(ox.Store().query(CR_QUERY.format(url=listener.url)))
    assert _settle(listener) >= 1


def test_cr_comment_service_is_refused_in_a_query(listener, engine):
    result = run_cli("query", "--text", CR_QUERY.format(url=listener.url), "--engine", engine)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SERVICE is not allowed" in flat(result.stderr)
    assert _settle(listener) == 0


def test_cr_comment_service_is_refused_in_a_shapes_file(tmp_path, listener, engine):
    shapes = tmp_path / "shapes.ttl"
    select = CR_QUERY.format(url=listener.url).replace("?s WHERE", "$this WHERE")
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;\n"
        f"  sh:sparql [ sh:select {json.dumps(select)} ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text('<http://x/a> <http://x/b> "c" .\n', encoding="utf-8")
    result = run_cli(
        "validate", "--data", str(data), "--shapes", str(shapes), "--engine", engine
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SERVICE is not allowed" in flat(result.stderr)
    assert _settle(listener) == 0


@pytest.mark.parametrize(
    "spelling",
    [
        "SERVICE <{url}>",
        "service <{url}>",
        "\\u0053ERVICE <{url}>",
        "SERVICE\t<{url}>",
        "#x\r\nSERVICE <{url}>",
        "# a comment \\\rSERVICE <{url}>",
    ],
)
def test_no_spelling_of_service_passes_the_screen(spelling, listener):
    text = "SELECT * WHERE { " + spelling.format(url=listener.url) + " { ?s ?p ?o } }"
    with pytest.raises(QueryError, match="SERVICE is not allowed"):
        parse(text)


def test_zonekg_home_elsewhere_still_lets_the_package_import_its_own_modules(tmp_path):
    """With $ZONEKG_HOME naming another folder, an editable install (the checkout's src/ on
    no sys.path entry) was refused its own modules: every command failed."""
    import shutil

    from zonekg.core import paths

    home = tmp_path / "home"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(paths.ROOT / folder, home / folder)
    done = run_cli("query", "cq04", "--format", "csv", env={"ZONEKG_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("agreements,totalInvestment,currency")
    missing = run_cli("stats", env={"ZONEKG_HOME": str(tmp_path / "empty")})
    assert missing.returncode == 2
    assert "the project's ontology is missing from $ZONEKG_HOME" in missing.stderr
