"""The zones page (issue 22, point 3): the six zones side by side and the SVG timeline.

What the timeline must show is read here from the graph itself with rdflib, not with the
page's query: every dated literal a source graph states of a thing (leaving out what dates
the records themselves: a document's dct:issued or dct:created, a set's dct:temporal) and
every date a zk:Claim claims. The disagreements come from zk:oneSide / zk:otherSide.
"""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import combinations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from zonekg import api
from zonekg.core.vocab import ZK
from zonekg.web import zones
from zonekg.web.pages import Pages, Settings, Site

DATES = {XSD.date, XSD.gYearMonth, XSD.gYear}
#: dates of the records, not of anything that happened
RECORD_DATES = {DCTERMS.issued, DCTERMS.created, DCTERMS.modified, DCTERMS.temporal}
BASE_URL = "http://127.0.0.1:8000/"


class SvgLinks(HTMLParser):
    """The marks and joins of the rendered timeline, by their data- attributes."""

    def __init__(self):
        super().__init__()
        self.marks: list[dict] = []
        self.joins: list[dict] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and found.get("class") == "mark":
            self.marks.append(found)
        if tag == "a" and found.get("class") == "join":
            self.joins.append(found)


@pytest.fixture(scope="module")
def kg() -> api.KnowledgeGraph:
    """The project's graph on the default engine, which the pages use (rdflib, the shared
    fixture's engine, takes minutes over the comparison's questions)."""
    return api.load()


@pytest.fixture(scope="module")
def site(kg) -> Site:
    return Site.build(kg, BASE_URL)


@pytest.fixture(scope="module")
def answers(kg):
    return zones.comparison_rows(kg), zones.timeline_rows(kg)


@pytest.fixture(scope="module")
def context(site, answers):
    return zones.page_context(site, *answers)


@pytest.fixture(scope="module")
def html(site, context) -> str:
    return Pages(site, Settings(base_url=BASE_URL)).render("zones.html", **context).body.decode()


@pytest.fixture(scope="module")
def svg(html) -> SvgLinks:
    parser = SvgLinks()
    parser.feed(html)
    return parser


def dated_statements(kg) -> set[tuple[str, str]]:
    """(thing, date) for every date a source graph states or a claim in it claims."""
    found = set()
    for name in kg.rdf.data_graphs:
        graph = kg.rdf.graph(name)
        for s, p, o in graph:
            dated = isinstance(o, Literal) and o.datatype in DATES
            if dated and p not in RECORD_DATES and p != RDF.object:
                found.add((str(s), str(o)))
        for claim in graph.subjects(RDF.type, ZK.Claim):
            value = graph.value(claim, RDF.object)
            if isinstance(value, Literal) and value.datatype in DATES:
                found.add((str(graph.value(claim, RDF.subject)), str(value)))
    return found


def test_every_dated_event_of_the_data_is_a_mark_of_the_timeline(kg, svg):
    expected = dated_statements(kg)
    assert len(expected) >= 20, "the data should have the six zones' dated events"
    shown = {(m["data-about"], m["data-date"]) for m in svg.marks}
    assert expected - shown == set()
    assert shown - expected == set(), "a mark for a date no source states"


def test_every_mark_links_to_the_page_of_what_it_dates(svg):
    assert svg.marks
    for mark in svg.marks:
        about = mark["data-about"]
        assert mark["href"] == BASE_URL + about.removeprefix("https://w3id.org/zonekg/"), mark
        assert mark["data-name"] and mark["data-name"] in mark["aria-label"]


def test_both_dates_of_each_disputed_date_appear_joined(kg, svg):
    data = kg.rdf.data
    expected = set()

    def dated(disagreement, side):
        for claim in data.objects(disagreement, side):
            value = data.value(claim, RDF.object)
            if isinstance(value, Literal) and value.datatype in DATES:
                yield f"{value}|{data.value(claim, RDF.subject)}"

    for disagreement in data.subjects(RDF.type, ZK.Disagreement):
        for one in dated(disagreement, ZK.oneSide):
            for other in dated(disagreement, ZK.otherSide):
                if one != other:
                    expected.add((str(disagreement), one, other))
    assert len(expected) >= 3, "the data keeps disagreements on dates"
    joined = {(j["data-disagreement"], j["data-one"], j["data-other"]) for j in svg.joins}
    assert expected == joined
    marks = {f"{m['data-date']}|{m['data-about']}" for m in svg.marks}
    for _, one, other in joined:
        assert one in marks and other in marks


def test_no_two_marks_share_a_row_and_time_runs_down(context):
    marks = context["timeline"].marks
    for above, below in zip(marks, marks[1:], strict=False):
        assert below.y - above.y >= zones.ROW
        assert zones.start(below.date) >= zones.start(above.date)


def test_labels_fit_in_the_drawing(context):
    line = context["timeline"]
    assert line.marks
    for mark in line.marks:
        assert line.labels_x + mark.width <= line.width
    lanes = [lane["x"] for lane in line.lanes]
    assert all(b - a >= zones.LANE for a, b in combinations(sorted(lanes), 2))


def test_each_zone_has_a_column_and_its_figures_cite_their_sources(kg, site, context):
    zone_iris = sorted(str(z) for z in site.graph.subjects(RDF.type, ZK.DemonstrationZone))
    assert len(zone_iris) == 6
    assert sorted(c["iri"] for c in context["columns"]) == zone_iris
    numbered = {s["n"]: s["href"] for s in context["sources"]}
    cited = 0
    for row in context["rows"]:
        assert len(row["cells"]) == 6
        for cell in row["cells"]:
            for figure in cell:
                for cite in figure["cites"]:
                    assert numbered[cite["n"]] == cite["href"]
                    cited += 1
    assert cited > 100
    # every zone shows at least one area figure and one approval or launch date
    areas = next(r for r in context["rows"] if r["key"] == "area")
    approvals = next(r for r in context["rows"] if r["key"] == "approval")
    assert all(areas["cells"]) and all(approvals["cells"])


def test_what_sources_say_of_the_six_together_is_in_each_zones_column(site, context):
    groups = list(site.graph.subjects(RDF.type, ZK.ZoneGroup))
    assert groups
    approvals = next(r for r in context["rows"] if r["key"] == "approval")
    for cell in approvals["cells"]:
        assert any(f["text"].endswith("(of the zones together)") for f in cell), cell


def test_area_cells_keep_the_label_each_source_gives(context):
    areas = next(r for r in context["rows"] if r["key"] == "area")
    texts = [f["text"] for cell in areas["cells"] for f in cell]
    assert any("total area" in t for t in texts)
    assert any("first-phase area" in t for t in texts)
    assert any("core area" in t for t in texts)


def test_text_from_the_data_is_escaped(site, answers):
    comparison, rows = answers
    zone = zones.comparison(site, comparison)["zones"][0]
    hostile = "<script>alert(1)</script>"
    changed = {key: list(value) for key, value in comparison.items()}
    changed["cq24"] = [
        *comparison["cq24"],
        {"zone": site.label(URIRef(zone)), "sector": hostile, "source": ""},
    ]
    context = zones.page_context(site, changed, rows)
    html = Pages(site, Settings()).render("zones.html", **context).body.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert hostile not in html


def test_the_home_page_and_every_page_link_to_the_zones_page():
    from zonekg.web.pages import WEB

    assert 'href="/zones"' in (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    assert 'href="/zones"' in (WEB / "templates" / "home.html").read_text(encoding="utf-8")


def test_the_release_holds_the_static_zones_page(release_bundle, kg):
    page = release_bundle / zones.STATIC_PAGE
    assert page.is_file()
    text = page.read_text(encoding="utf-8")
    assert "zones.STATIC_PAGE" not in text
    parser = SvgLinks()
    parser.feed(text)
    assert {(m["data-about"], m["data-date"]) for m in parser.marks} == dated_statements(kg)
    # the static copy links the published IRIs, which dereference without our server
    assert all(m["href"].startswith("https://w3id.org/zonekg/id/") for m in parser.marks)
    assert zones.STATIC_PAGE in (release_bundle / "SHA256SUMS").read_text(encoding="utf-8")


def test_the_server_answers_the_zones_page():
    from starlette.testclient import TestClient

    from zonekg.web.app import create_app

    with TestClient(create_app(Settings(workers=1))) as client:
        response = client.get("/zones")
        assert response.status_code == 200
        assert "<svg" in response.text and 'class="mark"' in response.text
        assert 'href="/zones"' in client.get("/").text


def test_the_timeline_query_reads_only_source_graphs():
    text = zones.TIMELINE_QUERY.read_text(encoding="utf-8")
    assert "GRAPH ?source" in text and "?source a zk:SourceDocument" in text
    assert api.screen_job(api.job_for(text)).form == "SELECT"
