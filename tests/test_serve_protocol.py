"""The SPARQL 1.1 Protocol, linked-data lookups and pages over real HTTP.

`zonekg serve` runs on 127.0.0.1 and a free port, with its own time limit and a
low row cap so that both can be hit: one server with the default engine
(oxigraph) for the whole module, and one with `--engine reference` started when
the first test that answers queries on both engines asks for it. The queries are
answered in the workers with the engine chosen; the pages and lookups are the
server process's own, so they run on the default server only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import time
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS, VOID
from rdflib.query import Result
from serve_support import servers_by_engine

from zonekg import api
from zonekg.core.namespaces import (
    ASSERTED_GRAPH,
    GRAPH,
    INFERRED_GRAPH,
    TYPES_GRAPH,
    curie,
    graph_iri,
)
from zonekg.core.questions import expected_rows, find_question
from zonekg.core.vocab import OA, ZK
from zonekg.engines import DEFAULT

# Long enough for the slowest engine's ordinary queries on a loaded 2-core machine (a query
# past it kills a worker, and the next tests find one fewer); the costly query waits it out.
TIMEOUT = 8
MAX_ROWS = 500
ZONES = f"SELECT ?zone WHERE {{ ?zone a <{ZK.DemonstrationZone}> }} ORDER BY ?zone"
CHENGDU = "https://w3id.org/zonekg/id/zone/chengdu"
SRX = "{http://www.w3.org/2005/sparql-results#}"
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A server per engine, each started when a test first asks for it, and a client of it."""
    tmp = tmp_path_factory.mktemp("serve")
    limits = ["--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS)]
    clients = {}
    with servers_by_engine(tmp, *limits) as started, contextlib.ExitStack() as stack:

        def get(engine: str):
            if engine not in clients:
                clients[engine] = stack.enter_context(started(engine).client())
            return started(engine), clients[engine]

        yield get


@pytest.fixture(scope="module")
def server(servers):
    """The server with the default engine."""
    return servers(DEFAULT)[0]


@pytest.fixture(scope="module")
def http(servers):
    """A client of the server with the default engine."""
    return servers(DEFAULT)[1]


@pytest.fixture(scope="module")
def engine_http(servers, engine):
    """A client of the server whose workers answer queries with *engine*."""
    return servers(engine)[1]


def zones_from(response) -> list[str]:
    """The ?zone column of a SELECT result in whichever format it came."""
    ctype = response.headers["content-type"].split(";")[0]
    if ctype == "application/sparql-results+json":
        return [b["zone"]["value"] for b in response.json()["results"]["bindings"]]
    if ctype == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        return [u.text for u in root.iter(f"{SRX}uri")]
    if ctype == "text/csv":
        return [row["zone"] for row in csv.DictReader(io.StringIO(response.text))]
    if ctype == "text/tab-separated-values":
        assert response.text.startswith("?zone\n")
        parsed = Result.parse(io.BytesIO(response.content), format="tsv")
        return [str(row[0]) for row in parsed]
    raise AssertionError(f"unexpected content type {ctype}")


# --- results formats and the three ways to send a query ----------------------------------


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (None, "application/sparql-results+json"),
        ("text/*;q=0.5, application/sparql-results+xml;q=0.4", "text/csv"),
        (
            "application/sparql-results+json;q=0.2, text/tab-separated-values",
            "text/tab-separated-values",
        ),
    ],
)
def test_select_in_every_format_by_accept(engine_http, accept, ctype):
    headers = {"Accept": accept} if accept else {}
    response = engine_http.get("/sparql", params={"query": ZONES}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == ctype
    zones = zones_from(response)
    assert CHENGDU in zones and len(zones) == 6
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("fmt", "ctype"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(engine_http, fmt, ctype):
    response = engine_http.get(
        "/sparql", params={"query": ZONES, "format": fmt}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(ctype)
    assert len(zones_from(response)) == 6


def test_post_form_and_post_query_body_agree_with_get(engine_http):
    got = engine_http.get("/sparql", params={"query": ZONES}).json()
    form = engine_http.post("/sparql", data={"query": ZONES})
    direct = engine_http.post(
        "/sparql", content=ZONES.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == got


def test_ask(engine_http):
    response = engine_http.get("/sparql", params={"query": f"ASK {{ <{CHENGDU}> ?p ?o }}"})
    assert response.json() == {"head": {}, "boolean": True}
    no = engine_http.get("/sparql", params={"query": "ASK { <urn:x:none> ?p ?o }", "format": "xml"})
    assert ET.fromstring(no.content).find(f"{SRX}boolean").text == "false"
    refused = engine_http.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert refused.status_code == 406


def test_construct_in_every_rdf_format(engine_http):
    query = f"CONSTRUCT WHERE {{ <{CHENGDU}> ?p ?o }}"
    graphs = []
    for media, parser in RDF_FORMATS.items():
        response = engine_http.get("/sparql", params={"query": query}, headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        graphs.append(Graph().parse(data=response.text, format=parser))
    assert len(graphs[0]) > 10
    assert (URIRef(CHENGDU), RDF.type, ZK.DemonstrationZone) in graphs[0]
    for other in graphs[1:]:
        assert isomorphic(graphs[0], other)


def test_describe(engine_http):
    response = engine_http.get(
        "/sparql", params={"query": f"DESCRIBE <{CHENGDU}>"}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(CHENGDU), RDF.type, ZK.DemonstrationZone) in graph


# --- datasets -----------------------------------------------------------------------------


def count_query(http, query, **params) -> int:
    response = http.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def default_graph_size(kg) -> int:
    """The default graph as rdflib makes it: the merge of the asserted graphs, plus
    ``x a D`` for every superclass D of a class of x (the class hierarchy made explicit)."""
    merged = kg.rdf.asserted()
    typed = Graph()
    for x, cls in merged.subject_objects(RDF.type):
        for parent in merged.transitive_objects(cls, RDFS.subClassOf):
            typed.add((x, RDF.type, parent))
    for triple in merged:
        typed.add(triple)
    return len(typed)


def test_default_graph_uri_selects_one_source_graph(engine_http, kg):
    graph_name = "https://w3id.org/zonekg/id/document/peoples-daily-japanese-2020-11-20"
    assert graph_name in kg.asserted_graphs
    expected = len(kg.rdf.graph(graph_name))
    assert expected > 0
    total = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert count_query(engine_http, total, **{"default-graph-uri": graph_name}) == expected
    from_clause = total.replace("WHERE", f"FROM <{graph_name}> WHERE")
    assert count_query(engine_http, from_clause) == expected
    assert count_query(engine_http, total) == default_graph_size(kg) > len(kg.rdf.asserted())
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{graph_name}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count_query(engine_http, named) == expected
    # Two source graphs as the default graph are merged: a triple both state counts once.
    other = "https://w3id.org/zonekg/id/document/article-2020-11-19"
    both = kg.rdf.merged([graph_name, other])
    assert len(both) < expected + len(kg.rdf.graph(other))
    params = {"default-graph-uri": [graph_name, other]}
    assert count_query(engine_http, total, **params) == len(both)


def test_named_graphs_include_the_closure(engine_http, kg):
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    n = count_query(engine_http, query, **{"named-graph-uri": INFERRED_GRAPH})
    assert n > 0
    assert n == len(api.inferred(kg))  # the reference engine's closure


def test_service_description(server, http):
    response = http.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(server.url + "/sparql")
    assert (endpoint, RDF.type, URIRef(sd + "Service")) in graph
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph
    names = {str(n) for n in graph.objects(None, URIRef(sd + "name"))}
    kg = api.load(engine="reference")
    sources = {str(d) for d in kg.rdf.data.subjects(RDF.type, ZK.SourceDocument)}
    # 21 documents of the first three notes, 56 of sibling-zones.md (its pages, and the notes
    # themselves for their table of disagreements)
    assert len(sources) == 77
    ontology = graph_iri(kg.ontology_files[0])
    assert names == sources | {ontology, ASSERTED_GRAPH, TYPES_GRAPH, INFERRED_GRAPH}
    assert not any(name.startswith(GRAPH + "data/") for name in names)
    # Each named graph with its size, as loaded; the default graph with the types.
    sizes = {}
    for named in graph.objects(None, URIRef(sd + "namedGraph")):
        name = str(graph.value(named, URIRef(sd + "name")))
        size = graph.value(graph.value(named, URIRef(sd + "graph")), VOID.triples)
        if size is not None:
            sizes[name] = int(size)
    assert {n: sizes[n] for n in sources} == {n: len(kg.rdf.graph(n)) for n in sources}
    assert sizes[ASSERTED_GRAPH] == len(kg.rdf.asserted())
    dataset = graph.value(endpoint, URIRef(sd + "defaultDataset"))
    default = graph.value(graph.value(dataset, URIRef(sd + "defaultGraph")), VOID.triples)
    assert int(default) == default_graph_size(kg)


def test_named_graphs_are_those_of_the_service_description(engine_http):
    described = Graph().parse(data=engine_http.get("/sparql").text, format="turtle")
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    names = {str(n) for n in described.objects(None, sd_name)}
    response = engine_http.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"}
    )
    found = {b["g"]["value"] for b in response.json()["results"]["bindings"]}
    assert found == names and len(names) > 2


def test_repeated_query_is_answered_from_the_cache(http):
    query = f"SELECT ?zone WHERE {{ ?zone a <{ZK.DemonstrationZone}> }} # {time.time_ns()}"
    hits = http.get("/healthz").json()["query_cache_hits"]
    first = http.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert http.get("/healthz").json()["query_cache_hits"] == hits
    second = http.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert http.get("/healthz").json()["query_cache_hits"] == hits + 1
    assert first.content == second.content and first.status_code == 200
    other = http.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert other.headers["content-type"].startswith("text/tab-separated-values")


def test_cors(http):
    response = http.get(
        "/sparql", params={"query": ZONES}, headers={"Origin": "http://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = http.options(
        "/sparql",
        headers={
            "Origin": "http://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- refusals and limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda c: c.post(
            "/sparql",
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
        lambda c: c.post(
            "/sparql",
            content=b"DELETE WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query"},
        ),
    ],
)
def test_updates_are_refused(engine_http, send, kg):
    response = send(engine_http)
    assert response.status_code == 403
    assert "read-only" in response.text
    total = count_query(engine_http, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert total == default_graph_size(kg)


@pytest.fixture
def listener():
    """A loopback port that records whether anything connected to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def _connections(sock) -> int:
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_service_and_remote_from_are_refused_never_fetched(engine_http, listener, template):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    response = engine_http.get("/sparql", params={"query": template.format(url=url)})
    assert response.status_code == 403
    assert "SERVICE is not allowed" in response.text or "not in this dataset" in response.text
    time.sleep(0.3)
    assert _connections(listener) == 0


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_graphs_outside_ours_are_refused(engine_http, listener, param):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/g"
    response = engine_http.get("/sparql", params={"query": ZONES, param: url})
    assert response.status_code == 403
    assert url in response.text
    time.sleep(0.3)
    assert _connections(listener) == 0


def test_malformed_query_gets_400_with_position(engine_http):
    response = engine_http.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p \n"})
    assert response.status_code == 400
    assert "syntax error" in response.text
    assert "line " in response.text and "column " in response.text


def test_unknown_format_and_unacceptable_type(engine_http):
    # format is a hint: one that names nothing offered falls back to Accept
    hint = engine_http.get("/sparql", params={"query": ZONES, "format": "yaml"})
    assert hint.status_code == 200
    assert hint.headers["content-type"].startswith("application/sparql-results+json")
    bad = engine_http.get(
        "/sparql", params={"query": ZONES, "format": "yaml"}, headers={"Accept": "image/png"}
    )
    assert bad.status_code == 406 and "csv" in bad.text
    none = engine_http.get("/sparql", params={"query": ZONES}, headers={"Accept": "image/png"})
    assert none.status_code == 406


def test_unsupported_content_type_gets_415(http):
    response = http.post("/sparql", content=ZONES, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_oversized_body_gets_413(http):
    padding = "#" + "x" * (300 * 1024) + "\n"
    response = http.post("/sparql", data={"query": padding + ZONES})
    assert response.status_code == 413
    assert "larger than" in response.text


def test_row_cap(engine_http):
    over = engine_http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert over.status_code == 422
    assert f"more than {MAX_ROWS} rows" in over.text
    under = engine_http.get(
        "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"}
    )
    assert under.status_code == 200
    assert len(under.json()["results"]["bindings"]) == MAX_ROWS


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_costly_query_is_stopped_and_its_worker_killed(engine_http):
    before = engine_http.get("/healthz").json()
    assert len(before["workers"]) == 2
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = engine_http.get("/sparql", params={"query": cartesian})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert f"time limit of {TIMEOUT} s" in response.text
    assert elapsed < TIMEOUT + 5
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = engine_http.get("/healthz").json()
        if len(after["workers"]) == 2 and after["workers"] != before["workers"]:
            break
        time.sleep(0.3)
    assert after["workers_killed"] == before["workers_killed"] + 1
    gone = set(before["workers"]) - set(after["workers"])
    assert len(gone) == 1
    assert not _pid_alive(gone.pop())
    assert engine_http.get("/sparql", params={"query": ZONES}).status_code == 200


# --- dereferenceable IRIs -------------------------------------------------------------------


def test_resource_in_every_rdf_format(server, http):
    local = URIRef(server.url + "/id/zone/chengdu")
    graphs = []
    for media, parser in RDF_FORMATS.items():
        response = http.get("/id/zone/chengdu", headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        assert "Accept" in response.headers["vary"]
        ext = {"text/turtle": "ttl", "application/n-triples": "nt"}.get(media)
        if ext:
            assert response.headers["content-location"] == f"/id/zone/chengdu.{ext}"
        graphs.append(Graph().parse(data=response.text, format=parser))
    graph = graphs[0]
    for other in graphs[1:]:
        assert isomorphic(graph, other)
    # the instances are mapped to this server (links lead back here); the vocabulary keeps
    # the IRIs it is published under, so an ASK with a term read here is true at /sparql
    assert not [
        t for t in graph if any(str(x).startswith("https://w3id.org/zonekg/id/") for x in t)
    ]
    zone_class = URIRef("https://w3id.org/zonekg/def#DemonstrationZone")
    assert (local, RDF.type, zone_class) in graph
    assert not [t for t in graph if any(str(x).startswith(server.url + "/def#") for x in t)]
    ask = f"ASK {{ ?zone a <{zone_class}> }}"
    assert http.get("/sparql", params={"query": ask, "format": "json"}).json()["boolean"]
    assert (local, RDFS.label, Literal("中日(成都)地方发展合作示范区", lang="zh")) in graph
    incoming = list(graph.subject_predicates(local))
    assert incoming, "incoming links are part of the description"
    passages = list(graph.objects(local, PROV.wasDerivedFrom))
    quotes = [q for p in passages for q in graph.objects(p, OA.exact)]
    assert quotes, "the quoted source passages are part of the description"
    link = response.headers["link"]
    assert '</id/zone/chengdu.ttl>; rel="alternate"; type="text/turtle"' in link


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
        ("application/ld+json, text/html;q=0.9", "application/ld+json"),
        ("text/*", "text/turtle"),
        ("text/html;q=0.1, application/*;q=0.2", "application/n-triples"),
    ],
)
def test_resource_conneg(http, accept, ctype):
    headers = {"Accept": accept} if accept else {}
    response = http.get("/id/zone/chengdu", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(ctype)


def test_document_iris_skip_negotiation(http):
    for ext, ctype in [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("html", "text/html"),
    ]:
        response = http.get(f"/id/zone/chengdu.{ext}", headers={"Accept": "image/png"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(ctype)
        assert "content-location" not in response.headers


def test_resource_not_acceptable(http):
    response = http.get("/id/zone/chengdu", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


@pytest.mark.parametrize(
    "path", ["/id/zone/atlantis", "/id/spaceship/chengdu", "/id/zone/chengdu.png"]
)
def test_unknown_iri_is_404(http, path):
    response = http.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "no resource" in response.text
    page = http.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<html" in page.text


def test_html_language_from_accept_language(http):
    zh = http.get("/id/zone/chengdu", headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    ja = http.get(
        "/id/zone/chengdu", headers={"Accept": "text/html", "Accept-Language": "ja, en;q=0.5"}
    )
    en = http.get("/id/zone/chengdu", headers={"Accept": "text/html"})
    assert '<h1 lang="zh">中日(成都)地方发展合作示范区</h1>' in zh.text
    assert '<h1 lang="ja">中日(成都)地方発展協力モデル区</h1>' in ja.text
    assert '<h1 lang="en">China-Japan (Chengdu)' in en.text
    assert zh.headers["content-language"] == "zh"
    for page in (zh, ja, en):  # all three names are on every page
        assert (
            "中日(成都)地方发展合作示范区" in page.text
            and "中日(成都)地方発展協力モデル区" in page.text
        )
    assert "<blockquote" in en.text and "36.9 square kilometers" in en.text


def _facts_with_sources(html: str) -> dict[str, dict[str, list[str]]]:
    """property CURIE -> shown value -> the document paths its sources link to (Description)."""
    description = html.split("<h2>Description</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th>(.*?)</th><td><ul>(.*?)</ul></td></tr>", description, re.S)
    found: dict[str, dict[str, list[str]]] = {}
    for th, ul in rows:
        prop = re.search(r'title="([^"]+)"', th).group(1)
        for li in re.findall(r"<li>(.*?)</li>", ul, re.S):
            shown, _, sup = li.partition('<sup class="cites">')
            text = re.sub(r"<[^>]+>", "", shown).strip()
            links = re.findall(r'<a href="[^"]*?(/id/document/[^"]+)"[^>]*>\[\d+\]</a>', sup)
            found.setdefault(prop, {})[unescape(text)] = links
    return found


def test_each_fact_on_a_page_shows_the_sources_that_state_it(server, http, kg):
    """Hand-checked: the article and Xinhua via AFPBB News state the total area, People's
    Daily (2020-11-20) and the asiapresswire repost (sibling-zones.md: "当初の範囲は36.9平方キロ")
    the first-phase scope; kantsuu.com (People's Daily, 2020-05-22) and
    the Chinese Embassy give the two establishment dates."""
    page = http.get("/id/zone/chengdu", headers={"Accept": "text/html"})
    assert page.status_code == 200
    facts = _facts_with_sources(page.text)
    total = "total area of the China-Japan (Chengdu) zone: 36.9 km²"
    assert sorted(facts["zk:totalArea"][total]) == [
        "/id/document/afpbb-2020-11-21",
        "/id/document/article-2020-11-19",
    ]
    (first_phase,) = facts["zk:firstPhaseArea"].values()
    assert first_phase == [
        "/id/document/asiapresswire-2020-05",
        "/id/document/peoples-daily-japanese-2020-11-20",
    ]
    assert facts["zk:establishmentDate"] == {
        "2020-05 xsd:gYearMonth": ["/id/document/chinese-embassy-in-japan-2020-11-19"],
        "2020-05-20 xsd:date": ["/id/document/kantsuu-2020-05-22"],
    }
    # Every fact has its sources, exactly the graphs that state it (checked with rdflib).
    zone = URIRef(CHENGDU)
    stated = {
        str(p): {
            name.rsplit("/id/", 1)[1]
            for name in kg.asserted_graphs
            if (zone, p, None) in kg.rdf.graph(name)
        }
        for p in set(kg.rdf.data.predicates(zone))
    }
    for prop, values in facts.items():
        assert all(values.values()), f"{prop}: a fact without its source"
        iri = next(p for p in stated if curie(p) == prop)
        linked = {link.removeprefix("/id/") for links in values.values() for link in links}
        assert linked == stated[iri], prop
    linked_from = page.text.split("<h2>Linked from</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>.*?</tr>", linked_from, re.S)
    assert rows and all('<sup class="cites"><a href=' in row for row in rows)
    # The numbers lead to the list of sources, and each link to the document's own page.
    numbered = re.findall(r'<li id="source-(\d+)" value="\d+"><a href="[^"]*?(/id/document/[^"]+)"',
                          page.text)  # fmt: skip
    # the sources of the facts and of the links to the zone ("Linked from"), each once
    about = {
        name.rsplit("/id/", 1)[1]
        for name in kg.asserted_graphs
        if (zone, None, None) in kg.rdf.graph(name) or (None, None, zone) in kg.rdf.graph(name)
    }
    assert {link.removeprefix("/id/") for _, link in numbered} == about
    assert [int(n) for n, _ in numbered] == list(range(1, len(about) + 1))
    for _, link in numbered:
        document = http.get(link, headers={"Accept": "text/html"})
        assert document.status_code == 200 and "<h1" in document.text


def test_ontology(server, http, kg):
    response = http.get("/def", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    # the vocabulary keeps its published IRIs (only instance links are rewritten)
    assert (URIRef("https://w3id.org/zonekg/def"), RDF.type, OWL.Ontology) in graph
    page = http.get("/def", headers={"Accept": "text/html"})
    assert 'id="DemonstrationZone"' in page.text
    # borrowed terms the data uses are listed too, with their vocabulary, usage and example
    row = re.search(r'<tr id="schema:attendee">(.*?)</tr>', page.text, re.S)
    assert row, "schema:attendee is not on the ontology page"
    attendees = len(list(kg.rdf.data.triples((None, URIRef("http://schema.org/attendee"), None))))
    assert f'<td class="usage">{attendees}</td>' in row.group(1)
    assert "<code>http://schema.org/</code>" in row.group(1)
    assert "schema:attendee organization:" in unescape(row.group(1))
    assert http.get("/def.nt").headers["content-type"].startswith("application/n-triples")


# --- pages without JavaScript ---------------------------------------------------------------


def test_home_page(http):
    page = http.get("/").text
    assert 'href="/query?cq=cq01' in page
    assert "/id/zone/chengdu" in page
    assert "demonstration zone" in page


@pytest.mark.parametrize("name", ["cq01", "cq06"])
def test_query_page_runs_a_competency_question_server_side(engine_http, name):
    question = find_question(name)
    page = engine_http.get("/query", params={"cq": name})
    assert page.status_code == 200
    body = page.text.split('id="server-results"', 1)[1]
    rows = body.count("<tr>") - 1  # minus the header row
    assert rows == len(expected_rows(question)) > 0


def test_query_page_form_post(engine_http):
    page = engine_http.post("/query", data={"query": ZONES})
    assert page.status_code == 200
    assert "6 rows" in page.text
    reasoned = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    plain = engine_http.post("/query", data={"query": reasoned}).text
    closure = engine_http.post("/query", data={"query": reasoned, "reason": "owlrl"}).text
    assert plain != closure  # the closure adds triples to the default graph when asked for
    graph = engine_http.post(
        "/query", data={"query": "CONSTRUCT WHERE { ?z a zk:DemonstrationZone }"}
    )
    assert graph.status_code == 200 and "zk:DemonstrationZone" in graph.text
    bad = engine_http.post("/query", data={"query": "SELECT nonsense"})
    assert bad.status_code == 400 and "syntax error" in bad.text


def test_jsonld_context_is_served(http):
    response = http.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "zk" in response.json()["@context"]


def test_healthz_and_request_log(server, http):
    before = http.get("/healthz").json()["responses"]
    http.get("/id/zone/atlantis")
    health = http.get("/healthz").json()
    assert health["status"] == "ok" and health["triples"] > 0
    assert health["responses"]["4xx"] == before.get("4xx", 0) + 1
    assert health["responses"]["2xx"] == before["2xx"] + 1  # the first /healthz
    time.sleep(0.2)
    assert "GET /healthz 200" in server.log_text()
    assert "ms" in server.log_text().splitlines()[-1]


def test_query_results_are_json_for_yasgui(engine_http):
    """YASGUI posts a form with Accept set to the JSON results type; CORS is not needed here."""
    response = engine_http.post(
        "/sparql",
        data={"query": ZONES},
        headers={"Accept": "application/sparql-results+json,*/*;q=0.9"},
    )
    assert json.loads(response.text)["head"]["vars"] == ["zone"]


def test_resource_json_ld_is_compacted_with_the_project_context(server, http):
    response = http.get("/id/zone/chengdu", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    doc = response.json()
    nodes = doc["@graph"]
    assert '"rdfs:label"' not in json.dumps(nodes)  # the context's "name", not prefixed keys
    zone = next(n for n in nodes if n.get("id") == "zone:chengdu")
    assert "name" in zone and "type" in zone
    # the instance prefix names this server, so the short id dereferences here
    contexts = doc["@context"] if isinstance(doc["@context"], list) else [doc["@context"]]
    assert contexts[-1]["zone"] == server.url + "/id/zone/"


def test_home_page_groups_numbers_and_claims_only_what_holds(http):
    import re

    page = http.get("/", headers={"Accept": "text/html"}).text
    assert re.search(r"\d{1,3}(,\d{3})+ data triples", page)
    assert "every fact quotes its source" not in page
    assert "graph of the source document that states it" in page
    css = http.get("/static/style.css").text
    assert "flex-wrap: wrap" in css.split("nav {", 1)[1].split("}", 1)[0]
