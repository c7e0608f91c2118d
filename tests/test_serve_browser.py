"""End to end in a real browser: Playwright drives Debian's chromium (never a downloaded one).

`make test` installs chromium first (`make chromium`). Screenshots land in
build/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from serve_support import ROOT, running_server

from zonekg.query import expected_rows, find_question

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
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve-browser")) as server:
        yield server


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


def test_home_to_zone_to_query(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    elsewhere = _watch_requests(page, server)

    page.goto(server.url + "/")
    expect(page.locator("h1")).to_contain_text("China-Japan (Chengdu)")
    expect(page.locator("ol.questions li")).to_have_count(len(_questions()))
    page.screenshot(path=SHOTS / "home.png", full_page=True)

    page.click("#zone-link")
    page.wait_for_url(server.url + "/id/zone/chengdu")
    expect(page.locator("h1")).to_have_text(
        "China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
    )
    expect(page.locator("table.labels")).to_contain_text("中日(成都)地方发展合作示范区")
    assert page.locator("blockquote").count() >= 1
    page.screenshot(path=SHOTS / "zone.png", full_page=True)

    page.click("header nav >> text=Query")
    page.wait_for_url(server.url + "/query")
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
        page.screenshot(path=SHOTS / f"query-{name}.png", full_page=True)
    assert elsewhere == [], f"the pages reached outside this server: {elsewhere}"
    page.close()


def test_query_page_without_javascript(server, browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    page.goto(server.url + "/query?cq=cq01")
    rows = page.locator("#server-results table.results tbody tr")
    expect(rows).to_have_count(len(expected_rows(find_question("cq01"))))
    page.fill("#query-text", "SELECT ?zone WHERE { ?zone a zk:DemonstrationZone }")
    page.click("#fallback button[type=submit]")
    expect(page.locator("#server-results table.results tbody tr")).to_have_count(6)
    page.screenshot(path=SHOTS / "query-nojs.png", full_page=True)
    context.close()


def test_accept_language_picks_the_title(server, browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(server.url + "/id/zone/chengdu")
    expect(page.locator("h1")).to_have_text("中日(成都)地方発展協力モデル区")
    page.screenshot(path=SHOTS / "zone-ja.png")
    context.close()


def _questions() -> list[str]:
    from zonekg.query import questions

    found = [q.name for q in questions()]
    assert found, "no competency questions found under queries/"
    return found
