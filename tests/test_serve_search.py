"""The server's /search (entities by name, HTML or JSON) and the search box on every page,
against a real `zonekg serve` on 127.0.0.1. The expected matches are the names of the data
(see tests/test_find.py for where each is written)."""

from __future__ import annotations

import re

import pytest
from serve_support import running_server

HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}
ID = "https://w3id.org/zonekg/id/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve-search")) as started:
        yield started


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


def search(client, q, headers=JSON, **params):
    return client.get("/search", params={"q": q, **params}, headers=headers)


@pytest.mark.parametrize(
    ("q", "curie", "rank"),
    [
        ("mitsubishi", "organization:mitsubishi-heavy-industries", "prefix"),  # English
        ("三菱重工", "organization:mitsubishi-heavy-industries", "exact"),  # Chinese
        ("騎竜", "place:qilong", "exact"),  # Japanese
        ("国家発展改革委員会", "organization:ndrc", "exact"),  # Japanese
        ("ＣＨＥＮＧＤＵ", "place:chengdu", "exact"),  # full-width, upper case
    ],
)
def test_search_json_in_three_languages(client, q, curie, rank):
    reply = search(client, q)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    assert "Accept" in reply.headers["vary"]
    first = reply.json()["matches"][0]
    assert (first["curie"], first["rank"]) == (curie, rank)
    assert first["iri"] == ID + curie.replace(":", "/")


def test_search_json_gives_kinds_names_and_links_here(client, server):
    body = search(client, "騎竜").json()
    assert body["q"] == "騎竜" and body["total"] == 1 and body["suggestions"] == []
    match = body["matches"][0]
    assert match["href"] == server.url + "/id/place/qilong"
    assert "zk:PlannedArea" in match["kinds"]
    assert match["matched"] == {"property": "rdfs:label", "text": "騎竜", "language": "ja"}
    assert {"property": "rdfs:label", "text": "骑龙", "language": "zh"} in match["names"]


def test_search_folds_width(client):
    wide, narrow = search(client, "ＭＨＩ").json(), search(client, "mhi").json()
    assert wide["total"] == narrow["total"] > 0
    assert [m["iri"] for m in wide["matches"]] == [m["iri"] for m in narrow["matches"]]
    assert ID + "amount/mhi-joint-venture-total-investment" in [m["iri"] for m in wide["matches"]]


def test_search_ranks_exact_then_prefix_then_substring(client):
    ranks = [m["rank"] for m in search(client, "qilong").json()["matches"]]
    assert ranks == ["exact", "prefix", "prefix"] + ["substring"] * 6


def test_search_of_anything_gives_json_and_a_browser_html(client):
    assert (
        search(client, "chengdu", {"accept": "*/*"})
        .headers["content-type"]
        .startswith("application/json")
    )
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = search(client, "chengdu", {"accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert search(client, "chengdu", {"accept": "image/png"}).status_code == 406


def test_search_page_links_each_match_to_its_page(client, server):
    page = search(client, "三菱", HTML)
    assert page.status_code == 200
    results = page.text[page.text.index('id="search-results"') :]
    links = re.findall(r'<li><a href="([^"]+)"', results)
    assert links[:2] == [
        server.url + "/id/organization/mitsubishi-heavy-industries",
        server.url + "/id/organization/mhi-air-conditioning-systems-shanghai",
    ]
    # the fourth: the Suzhou zone's "三菱重スマートシティ" (The China Box, sibling-zones.md)
    assert "4 matches for “三菱”" in page.text
    entity = client.get(links[0], headers=HTML)
    assert entity.status_code == 200 and "Mitsubishi Heavy Industries" in entity.text


def test_search_nothing_found_suggests_close_names(client):
    body = search(client, "chengdoo").json()
    assert body["total"] == 0 and body["matches"] == []
    assert body["suggestions"][0] == "Chengdu"
    page = search(client, "chengdoo", HTML)
    assert page.status_code == 200
    assert "No entity is named “chengdoo”." in page.text
    assert '<a class="suggestion" href="/search?q=Chengdu">Chengdu</a>' in page.text


@pytest.mark.parametrize(
    "q",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a&b<i>"],
)
def test_search_escapes_the_users_text(client, q):
    page = search(client, q, HTML)
    assert page.status_code == 200
    assert q not in page.text
    escaped = q.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"No entity is named “{escaped.replace(chr(34), '&#34;')}”." in page.text
    box = re.search(r'<input type="search" name="q" value="([^"]*)"', page.text)
    assert box is not None and "<" not in box.group(1) and '"' not in box.group(1)


def test_search_bounds_the_text_and_the_count(client):
    longest = "x" * 200
    assert search(client, longest).status_code == 200
    too_long = search(client, longest + "x")
    assert too_long.status_code == 400
    assert too_long.json()["error"] == (
        "the search text (q) must be at most 200 characters long (201 given)"
    )
    page = search(client, longest + "x", HTML)
    assert page.status_code == 400 and "at most 200 characters" in page.text
    assert 'maxlength="200"' in page.text  # the box itself holds no more
    few = search(client, "chengdu", limit="3").json()
    assert len(few["matches"]) == 3 and few["total"] > 3
    assert len(search(client, "chengdu", limit="50").json()["matches"]) <= 50
    for bad in ("0", "51", "abc", "-1", "1e3", "３"):
        reply = search(client, "chengdu", limit=bad)
        assert reply.status_code == 400, bad
        assert reply.json()["error"] == "limit must be a whole number from 1 to 50"


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF", "%00", "a%0Ab"])
def test_search_of_bytes_that_are_no_text_is_not_a_server_error(client, raw):
    reply = client.get("/search?q=" + raw, headers=JSON)
    assert reply.status_code in (200, 400), reply.text
    reply = client.get("/search?q=" + raw, headers=HTML)
    assert reply.status_code in (200, 400), reply.text


def test_search_without_text(client):
    page = client.get("/search", headers=HTML)
    assert page.status_code == 200 and 'id="search-results"' not in page.text
    assert client.get("/search", headers=JSON).status_code == 400
    assert search(client, "   ").status_code == 400


@pytest.mark.parametrize(
    "path", ["/", "/query", "/def", "/id/zone/chengdu", "/search?q=x", "/id/zone/nowhere"]
)
def test_every_page_has_the_search_box(client, path):
    page = client.get(path, headers=HTML)
    assert page.headers["content-type"].startswith("text/html"), path
    assert '<form class="search" action="/search" method="get" role="search">' in page.text
    assert '<input type="search" name="q"' in page.text
