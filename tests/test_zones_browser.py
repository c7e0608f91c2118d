"""The zones page in a real browser (Debian's chromium through Playwright), at a desktop
width and a phone's: nothing overlaps, nothing makes the page wider than the screen, and
every mark of the timeline is a link that leads to the page of what it dates.

Screenshots land in build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright
from serve_support import running_server
from test_serve_browser import ARGS, CHROMIUM, SHOTS

WIDTHS = [1280, 390]

#: The boxes of the given elements that intersect (by more than a rounding pixel):
#: [[i, j, text i, text j], ...].
OVERLAPS = """
(selector) => {
  const boxes = [...document.querySelectorAll(selector)].map((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.left, y: r.top, r: r.right, b: r.bottom, text: e.textContent.trim() };
  });
  const hits = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], c = boxes[j];
      const w = Math.min(a.r, c.r) - Math.max(a.x, c.x);
      const h = Math.min(a.b, c.b) - Math.max(a.y, c.y);
      if (w > 0.5 && h > 0.5) hits.push([i, j, a.text.slice(0, 60), c.text.slice(0, 60)]);
    }
  }
  return { count: boxes.length, hits };
}
"""

#: Elements wider than the window that no scroll container holds.
TOO_WIDE = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.right <= width + 0.5 && r.left >= -0.5) continue;
    if (e.closest(".scroll")) continue;
    const where = Math.round(r.left) + ".." + Math.round(r.right);
    wide.push(e.tagName + "." + e.className + " " + where);
  }
  return { page: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10) };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("zones-browser")) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request, browser, server):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    response = page.goto(server.url + "/zones", timeout=120_000)
    assert response is not None and response.status == 200
    yield page
    page.screenshot(path=str(SHOTS / f"zones-{request.param}.png"), full_page=True)
    context.close()


def test_the_timeline_labels_do_not_overlap(page):
    found = page.evaluate(OVERLAPS, "svg.timeline-svg text")
    assert found["count"] > 20, found
    assert found["hits"] == []


def test_the_marks_do_not_overlap(page):
    found = page.evaluate(OVERLAPS, "svg.timeline-svg a.mark circle")
    assert found["count"] > 20, found
    assert found["hits"] == []
    # nor do the rows that answer a click on each mark
    rows = page.evaluate(OVERLAPS, "svg.timeline-svg a.mark rect.hit")
    assert rows["count"] == found["count"] and rows["hits"] == []


def test_the_comparison_cells_do_not_overlap(page):
    found = page.evaluate(OVERLAPS, "table.zones th, table.zones td")
    assert found["count"] == 7 * 9, found  # a heading and six zones, in nine rows
    assert found["hits"] == []
    items = page.evaluate(OVERLAPS, "table.zones li")
    assert items["count"] > 50 and items["hits"] == []


def test_nothing_is_wider_than_the_window_outside_a_scroll_container(page):
    found = page.evaluate(TOO_WIDE)
    assert found["wide"] == [], found
    assert found["page"] <= found["width"], found


def test_the_page_is_labelled_for_assistive_technology(page):
    assert "six China-Japan zones" in page.title()
    svg = page.locator("svg.timeline-svg")
    assert svg.get_attribute("role") == "img"
    expect(page.locator("#timeline-svg-title")).to_have_count(1)
    marks = page.locator("svg.timeline-svg a.mark")
    for i in range(marks.count()):
        assert marks.nth(i).get_attribute("aria-label")


def test_every_mark_leads_to_the_page_that_names_it(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/zones", timeout=120_000)
    marks = page.locator("svg.timeline-svg a.mark")
    links = {}
    for i in range(marks.count()):
        mark = marks.nth(i)
        links.setdefault(mark.get_attribute("href"), mark.get_attribute("data-name"))
    assert len(links) > 10
    joins = page.locator("svg.timeline-svg a.join")
    for i in range(joins.count()):
        links.setdefault(joins.nth(i).get_attribute("href"), None)
    for href, name in links.items():
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        if name is not None:
            expect(page.locator("h1")).to_have_text(name)
    context.close()


def test_a_mark_is_followed_by_a_click_without_javascript(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/zones", timeout=120_000)
    mark = page.locator("svg.timeline-svg a.mark").first
    name = mark.get_attribute("data-name")
    mark.scroll_into_view_if_needed()
    mark.click()
    page.wait_for_load_state()
    assert "/id/" in page.url
    expect(page.locator("h1")).to_have_text(name)
    context.close()


def test_the_home_page_leads_to_the_zones_page(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/", timeout=120_000)
    page.locator("nav a[href='/zones']").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("The six China-Japan zones side by side")
    context.close()
