"""End to end in a real browser: Playwright drives Debian's chromium (never a downloaded one).

The journeys that run queries (through YASGUI, or the page's form without
JavaScript) run once per engine, each against a server whose workers use it.

`make test` installs chromium first (`make chromium`). Screenshots land in
build/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from serve_support import ROOT, servers_by_engine

from zonekg.core.questions import expected_rows, find_question, questions
from zonekg.engines import DEFAULT

# Slow: Chromium drives the pages of two servers.
pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with servers_by_engine(tmp_path_factory.mktemp("serve-browser")) as started:
        yield started


@pytest.fixture(scope="module")
def server(servers):
    """The server with the default engine, for what the server process answers itself."""
    return servers(DEFAULT)


@pytest.fixture(scope="module")
def engine_server(servers, engine):
    """A server whose query workers answer with *engine*."""
    return servers(engine)


def _shot(name: str, engine: str = DEFAULT) -> Path:
    """Where a screenshot goes; the default engine's keep their plain names."""
    return SHOTS / (f"{name}.png" if engine == DEFAULT else f"{name}-{engine}.png")


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), "chromium is missing: run `make chromium`"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _watch_requests(page, server) -> list[str]:
    """Every request the page makes that does not go to our server."""
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(server.url + "/") else elsewhere.append(request.url)
        ),
    )
    return elsewhere


def _literal_cells(name: str) -> list[str]:
    rows = expected_rows(find_question(name))
    return [v for row in rows for v in row.values() if v and not v.startswith("http")]


def test_home_to_zone_to_query(engine_server, engine, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    elsewhere = _watch_requests(page, engine_server)

    page.goto(engine_server.url + "/")
    expect(page.locator("h1")).to_contain_text("China-Japan (Chengdu)")
    expect(page.locator("ol.questions li")).to_have_count(len(_questions()))
    page.screenshot(path=_shot("home", engine), full_page=True)

    page.click("#zone-link")
    page.wait_for_url(engine_server.url + "/id/zone/chengdu")
    expect(page.locator("h1")).to_have_text(
        "China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
    )
    expect(page.locator("table.labels")).to_contain_text("中日(成都)地方发展合作示范区")
    assert page.locator("blockquote").count() >= 1
    page.screenshot(path=_shot("zone", engine), full_page=True)

    page.click("header nav >> text=Query")
    page.wait_for_url(engine_server.url + "/query")
    page.wait_for_selector(".yasqe_queryButton")
    expect(page.locator("#fallback")).to_be_hidden()
    for name in ("cq01", "cq06"):  # cq06 needs the OWL-RL closure, sent as default-graph-uri
        page.select_option("#cq", value=next(q for q in _questions() if q.startswith(name)))
        page.click(".yasqe_queryButton")
        rows = page.locator(".yasr table tbody tr")
        expect(rows).to_have_count(len(expected_rows(find_question(name))), timeout=15000)
        table = page.locator(".yasr table").inner_text()
        for text in _literal_cells(name):
            assert text in table, f"{name}: {text!r} is not in the results table"
        page.screenshot(path=_shot(f"query-{name}", engine), full_page=True)
    assert elsewhere == [], f"the pages reached outside this server: {elsewhere}"
    page.close()


def test_query_page_without_javascript(engine_server, engine, browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    page.goto(engine_server.url + "/query?cq=cq01")
    rows = page.locator("#server-results table.results tbody tr")
    expect(rows).to_have_count(len(expected_rows(find_question("cq01"))))
    page.fill("#query-text", "SELECT ?zone WHERE { ?zone a zk:DemonstrationZone }")
    page.click("#fallback button[type=submit]")
    expect(page.locator("#server-results table.results tbody tr")).to_have_count(6)
    page.screenshot(path=_shot("query-nojs", engine), full_page=True)
    context.close()


def test_a_fact_links_to_the_sources_that_state_it(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    elsewhere = _watch_requests(page, server)
    page.goto(server.url + "/id/zone/chengdu")
    row = page.locator("table.props tr", has=page.locator('th a[title="zk:totalArea"]'))
    cites = row.locator("sup.cites a")
    expect(cites).to_have_count(2)  # the article and Xinhua via AFPBB News
    titles = sorted(cites.nth(i).get_attribute("title") for i in range(2))
    assert titles[0].startswith("PR Newswire release") and titles[1].startswith("Xinhua report")
    page.screenshot(path=_shot("zone-sources"), full_page=True)
    cites.first.click()
    page.wait_for_url(server.url + "/id/document/**")
    expect(page.locator("h1")).to_have_text(titles[0] if "article" in page.url else titles[1])
    assert elsewhere == [], f"the pages reached outside this server: {elsewhere}"
    page.close()


def test_accept_language_picks_the_title(server, browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(server.url + "/id/zone/chengdu")
    expect(page.locator("h1")).to_have_text("中日(成都)地方発展協力モデル区")
    page.screenshot(path=_shot("zone-ja"))
    context.close()


def _questions() -> list[str]:
    found = [q.name for q in questions()]
    assert found, "no competency questions found under queries/"
    return found


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_search_box_finds_an_entity_by_name(server, browser, script):
    """From an entity's page, the header's search box finds 三菱重工 (the Chinese name of
    Mitsubishi Heavy Industries), and its first match leads to that entity's page."""
    context = browser.new_context(
        java_script_enabled=script, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    elsewhere = _watch_requests(page, server)
    page.goto(server.url + "/id/zone/chengdu")
    page.fill("form.search input[name=q]", "三菱重工")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_url(f"{server.url}/search?q=*")
    expect(page.locator("#search-count")).to_contain_text("3 matches for “三菱重工”")
    expect(page.locator("form.search input[name=q]")).to_have_value("三菱重工")
    page.screenshot(path=_shot("search" if script else "search-nojs"), full_page=True)
    page.locator("#search-results li a").first.click()
    page.wait_for_url(server.url + "/id/organization/mitsubishi-heavy-industries")
    expect(page.locator("h1")).to_have_text("Mitsubishi Heavy Industries")
    # full-width letters and nothing found: the close names link to their own search
    page.fill("form.search input[name=q]", "ＣＨＥＮＧＤＯＯ")
    page.click("form.search button[type=submit]")
    expect(page.locator("#search-count")).to_contain_text("No entity is named")
    page.locator("a.suggestion", has_text="Chengdu").first.click()
    expect(page.locator("#search-results li a").first).to_have_text("Chengdu")
    assert elsewhere == [], f"the pages reached outside this server: {elsewhere}"
    context.close()
