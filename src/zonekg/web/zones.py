"""The zones page: the six China-Japan zones side by side, and a timeline of their dates.

Both come from SPARQL run through the api: the comparison from the competency questions
that ask for it (cq23-cq27, cq29: their answers are checked against hand-worked results),
the timeline from ``queries/timeline-events.rq`` beside this module. Every figure keeps
the source documents whose graphs state it, shown as numbered links to their pages.

The timeline is SVG laid out here, on the server, and drawn by a template: no script. Time
runs down the page; each zone has a lane (a column), and each mark a row of its own, as
near to its date as the marks before it allow, so that no two labels share a line. A mark
is a dated thing (an event, a zone, a project), linked to its page; where sources disagree
on a date (``zk:Disagreement`` with claims on ``zk:oneSide`` and ``zk:otherSide``) the
marks of the two sides are joined by a line, which links to the disagreement's page.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from .. import api
from ..core.questions import find_question
from ..core.vocab import ZK
from ..safety.screen import screen

QUERIES = Path(__file__).parent / "queries"
TIMELINE_QUERY = QUERIES / "timeline-events.rq"

#: The comparison's rows: (key, heading) in the order the page shows them.
FIELDS = [
    ("names", "Other names"),
    ("location", "City and district"),
    ("area", "Area (as the source labels it)"),
    ("focus", "Focus industries"),
    ("approval", "Approval and launch"),
    ("targets", "Targets"),
    ("projects", "Signed projects"),
]

# --- the timeline's geometry (SVG user units = CSS pixels) -----------------------------
TOP = 96  # room for the lane headings
LEFT = 56  # room for the year ticks
LANE = 34  # width of a lane
ROW = 24  # the least distance between two marks' rows (a label's line is 13px high)
LINE = 16  # between the lines of a label
WRAP = 60  # characters on a label's line at most
MONTH = 10  # the distance one month of time takes where the marks leave room
GAP = 14  # between the last lane and the labels
FONT = 13
SEVERAL = "several"  # the lane of what concerns more than one zone
NONE = "none"  # the lane of what no zone is linked to in the data


@dataclass
class Mark:
    """One dated thing at one date, with everything the sources say about it."""

    about: str
    date: str
    kinds: set[str] = field(default_factory=set)
    zones: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    #: disagreement IRI -> the sides ("one", "other") this mark's claims are on
    sides: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    label: str = ""
    href: str = ""
    lane: str = ""
    x: float = 0
    y: float = 0
    text: str = ""
    lines: list[str] = field(default_factory=list)
    width: float = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.about, self.date)

    @property
    def precise(self) -> bool:
        """Whether the source gives the day (not only the month or the year)."""
        return len(self.date) == 10


@dataclass
class Join:
    """The line between two marks whose dates sources disagree on."""

    disagreement: str
    label: str
    href: str
    one: Mark
    other: Mark


@dataclass
class Timeline:
    marks: list[Mark]
    joins: list[Join]
    lanes: list[dict]
    ticks: list[dict]
    width: float
    height: float
    labels_x: float
    line: float = LINE


def timeline_rows(kg: api.KnowledgeGraph) -> list[dict]:
    """The rows of the timeline query, as dicts of strings (absent: unbound)."""
    text = TIMELINE_QUERY.read_text(encoding="utf-8")
    result = api.answer(kg, screen(text, TIMELINE_QUERY.name))
    return [
        {name: term.value for name, term in row.items() if term is not None}
        for row in result.dicts()
    ]


def marks(rows: list[dict]) -> list[Mark]:
    """One mark per dated thing and date, gathering its kinds, zones, claims and sources."""
    found: dict[tuple[str, str], Mark] = {}
    for row in rows:
        key = (row["about"], row["date"])
        mark = found.setdefault(key, Mark(*key))
        mark.kinds.add(row["kind"])
        mark.sources.add(row["source"])
        if "zone" in row:
            mark.zones.add(row["zone"])
        if "claim" in row:
            mark.claims.add(row["claim"])
        if "disagreement" in row:
            mark.sides[row["disagreement"]].add(row["side"])
    return sorted(found.values(), key=lambda m: (start(m.date), m.about))


def joins(found: list[Mark]) -> list[tuple[str, Mark, Mark]]:
    """(disagreement, a mark on one side, a mark on the other) for every disputed date."""
    by_side: dict[str, dict[str, list[Mark]]] = defaultdict(lambda: defaultdict(list))
    for mark in found:
        for disagreement, sides in mark.sides.items():
            for side in sides:
                by_side[disagreement][side].append(mark)
    pairs = []
    for disagreement in sorted(by_side):
        sides = by_side[disagreement]
        for one in sides.get("one", ()):
            for other in sides.get("other", ()):
                if one is not other:
                    pairs.append((disagreement, one, other))
    return pairs


def start(date: str) -> dt.date:
    """The first day a date names (a month or a year names a span; it starts there)."""
    parts = [int(p) for p in date.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of how wide *text* is drawn: wide (CJK) characters take a full
    em, others at most 0.62 em (no font's Latin letters are wider on average)."""
    return sum(
        size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.62 for ch in text
    )


def labels_left(lane_count: int) -> float:
    """Where the labels start: right of the last lane."""
    return LEFT + LANE * lane_count + GAP


def layout(found: list[Mark], lane_order: list[str]) -> tuple[list[dict], list[dict], float, float]:
    """Place the marks: x by lane, y by date but never nearer than a label's height to the
    mark above; returns the lanes, the year ticks, the width and the height."""
    lanes = [{"key": key, "x": LEFT + LANE * i + LANE / 2} for i, key in enumerate(lane_order)]
    lane_x = {lane["key"]: lane["x"] for lane in lanes}
    labels_x = labels_left(len(lane_order))
    first = start(found[0].date) if found else dt.date(2020, 1, 1)
    origin = dt.date(first.year, 1, 1)

    last = {"day": origin, "y": float(TOP)}

    def by_time(day: dt.date) -> float:
        """Where *day* falls, counted from the last tick or mark placed (a stagger above
        moves what follows down with it, keeping the time between them)."""
        return last["y"] + (day - last["day"]).days * MONTH * 12 / 365.25

    def placed(day: dt.date, y: float) -> float:
        last["day"], last["y"] = day, y
        return y

    # Years and marks flow down together: a year's tick where its time falls, or lower if
    # the marks before it need the room, so that every mark stands between the ticks of
    # its year and the next, wherever a stagger has pushed it.
    floor = TOP  # the least y the next tick or mark may take
    width = labels_x
    ticks = []
    year = origin.year
    for mark in found:
        while year <= start(mark.date).year:
            new_year = dt.date(year, 1, 1)
            tick = placed(new_year, max(by_time(new_year), floor))
            ticks.append({"year": year, "y": tick})
            floor = tick + ROW
            year += 1
        y = placed(start(mark.date), max(by_time(start(mark.date)), floor))
        mark.x, mark.y = lane_x[mark.lane], y
        mark.lines = textwrap.wrap(mark.text, WRAP) or [mark.text]
        mark.width = max(text_width(line) for line in mark.lines)
        width = max(width, labels_x + mark.width + 8)
        floor = y + LINE * (len(mark.lines) - 1) + ROW
    height = floor
    return lanes, ticks, width, height


def build_timeline(site, rows: list[dict], language: str = "en") -> Timeline:
    """The laid-out timeline of *rows* (from ``timeline_rows``) for a page of *site*."""
    found = marks(rows)
    zones = sorted(
        {str(z) for z in site.graph.subjects(RDF.type, ZK.DemonstrationZone)},
        key=lambda z: site.label(URIRef(z), language),
    )
    for mark in found:
        own = mark.zones & set(zones)
        mark.lane = own.pop() if len(own) == 1 else SEVERAL if own else NONE
        mark.label = site.label(URIRef(mark.about), language)
        mark.href = site.href(mark.about)
        kinds = ", ".join(sorted(mark.kinds))
        mark.text = f"{mark.date}: {mark.label} ({kinds})"
    used = {mark.lane for mark in found}
    order = [key for key in [SEVERAL, *zones, NONE] if key in used]
    lanes, ticks, width, height = layout(found, order)
    names = {SEVERAL: "Several", NONE: "No zone"}
    titles = {SEVERAL: "Several zones", NONE: "No zone named in the data"}
    for lane in lanes:
        key = lane["key"]
        lane["name"] = names.get(key) or short_zone_name(site, key, language)
        lane["title"] = titles.get(key) or site.label(URIRef(key), language)
        lane["bottom"] = height
    lines = [
        Join(
            d,
            site.label(URIRef(d), language),
            site.href(d),
            one,
            other,
        )
        for d, one, other in joins(found)
    ]
    return Timeline(found, lines, lanes, ticks, width, height, labels_left(len(lanes)))


def short_zone_name(site, zone: str, language: str = "en") -> str:
    """The host city's name, which is what tells the six zones apart in a narrow lane."""
    cities = site.values(URIRef(zone), ZK.hostCity)
    if cities:
        return site.label(cities[0], language)
    return site.label(URIRef(zone), language)


# --- the comparison ---------------------------------------------------------------------


@dataclass
class Figure:
    """One value of a cell, with the source documents that state it."""

    text: str
    href: str = ""
    lang: str = ""
    sources: set[str] = field(default_factory=set)


def question_rows(kg: api.KnowledgeGraph, name: str) -> list[dict]:
    result = api.query(kg, find_question(name))
    return [
        {key: term.value for key, term in row.items() if term is not None} for row in result.dicts()
    ]


def comparison_rows(kg: api.KnowledgeGraph) -> dict[str, list[dict]]:
    """The answers the comparison is made of, by the question's number."""
    return {
        name: question_rows(kg, name) for name in ("cq23", "cq24", "cq25", "cq26", "cq27", "cq29")
    }


def comparison(site, answers: dict[str, list[dict]], language: str = "en") -> dict:
    """{zone IRI: {field: [Figure]}} and the zones in order, from the questions' answers."""
    zones = sorted(
        {str(z) for z in site.graph.subjects(RDF.type, ZK.DemonstrationZone)},
        key=lambda z: site.label(URIRef(z), language),
    )
    by_label = {site.label(URIRef(z), "en"): z for z in zones}
    cells: dict[str, dict[str, dict[str, Figure]]] = {
        z: {key: {} for key, _ in FIELDS} for z in zones
    }

    # what a source says of the zones together (their approval, NDRC's kick-off) is shown
    # in each member's column, saying so
    groups = {
        site.label(group, "en"): [str(m) for m in site.values(group, ZK.hasMember)]
        for group in site.graph.subjects(RDF.type, ZK.ZoneGroup)
    }

    def add(zone_label: str, key: str, text: str, source: str | None, lang: str = "") -> None:
        if not text:
            return
        if zone_label in by_label:
            found = [(by_label[zone_label], text)]
        else:
            together = f"{text} (of the zones together)"
            found = [(z, together) for z in groups.get(zone_label, ()) if z in cells]
        for zone, shown in found:
            figure = cells[zone][key].setdefault(shown, Figure(shown, lang=lang))
            if source:
                figure.sources.add(source)

    for zone in zones:
        node = URIRef(zone)
        for lang, name in sorted(site.labels(node).items()):
            if lang == "en":
                continue
            figure = cells[zone]["names"].setdefault(name, Figure(name, lang=lang))
            for p, o in site.outgoing.get(node, ()):
                if str(o) == name and getattr(o, "language", None) == (lang or None):
                    figure.sources.update(str(s) for s in site.sources_of(node, p, o))
    for row in answers["cq25"]:
        add(row["zone"], "location", f"{row['relation']}: {row['place']}", row.get("source"))
    for row in answers["cq23"]:
        words = f" “{row['sourceWords']}”" if row.get("sourceWords") else ""
        unit = " km²" if row.get("unit", "").endswith("KiloM2") else f" {row.get('unit', '')}"
        text = f"{row['area']}{unit}, {row['areaLabel']}{words}"
        add(row["zone"], "area", text, row.get("source"))
    for row in answers["cq24"]:
        printed = f" ({row['asPrinted']})" if row.get("asPrinted") else ""
        add(row["zone"], "focus", row["sector"] + printed, row.get("source"))
    for row in answers["cq26"]:
        add(row["subject"], "approval", f"{row['date']}: {row['milestone']}", row.get("source"))
    for row in answers["cq29"]:
        year = f" (by {row['year']})" if row.get("year") else ""
        add(row["zone"], "targets", row["target"] + year, row.get("targetSource"))
    for row in answers["cq27"]:
        parts = [row["what"]]
        if row.get("count"):
            parts.append(f"{row['count']} ({row.get('countIs', '')})")
        if row.get("amount"):
            parts.append(f"{row.get('currency', '')} {int(row['amount']):,} ({row['amountIs']})")
        if row.get("year"):
            parts.append(row["year"])
        add(row["zone"], "projects", "; ".join(parts), row.get("source"))
    return {"zones": zones, "cells": cells}


# --- the page ----------------------------------------------------------------------------


def page_context(site, answers, rows, language: str = "en") -> dict:
    """Everything the zones templates show, with the sources numbered in date order."""
    table = comparison(site, answers, language)
    line = build_timeline(site, rows, language)
    documents = set()
    for zone in table["zones"]:
        for figures in table["cells"][zone].values():
            for figure in figures.values():
                documents |= figure.sources
    for mark in line.marks:
        documents |= mark.sources
    issued = {
        d: min((str(v) for v in site.values(URIRef(d), DCTERMS.issued)), default="~")
        for d in documents
    }
    ordered = sorted(documents, key=lambda d: (issued[d], d))
    number = {d: n for n, d in enumerate(ordered, start=1)}

    def cites(sources) -> list[dict]:
        return [
            {"n": number[s], "href": site.href(s), "title": site.label(URIRef(s), language)}
            for s in sorted(sources, key=number.get)
        ]

    columns = [
        {
            "iri": z,
            "href": site.href(z),
            "name": site.label(URIRef(z), language),
            "city": short_zone_name(site, z, language),
        }
        for z in table["zones"]
    ]
    rows_out = []
    for key, heading in FIELDS:
        rows_out.append(
            {
                "key": key,
                "heading": heading,
                "cells": [
                    [
                        {"text": f.text, "lang": f.lang, "cites": cites(f.sources)}
                        for f in sorted(table["cells"][z][key].values(), key=lambda f: f.text)
                    ]
                    for z in table["zones"]
                ],
            }
        )
    for mark in line.marks:
        mark.cites = cites(mark.sources)  # type: ignore[attr-defined]
    sources = [
        {
            "n": number[d],
            "href": site.href(d),
            "label": site.label(URIRef(d), language),
            "issued": "" if issued[d] == "~" else issued[d],
        }
        for d in ordered
    ]
    return {
        "columns": columns,
        "rows": rows_out,
        "timeline": line,
        "sources": sources,
        "language": language,
    }


def zones_page(pages, language: str = "en"):
    """The zones page as the server shows it (an HTMLResponse).

    The questions run on the engine the server's queries use (the default: Oxigraph), not
    on the pages' rdflib graph, whose engine takes minutes over these questions."""
    settings = pages.settings
    kg = api.load(settings.data, engine=settings.engine, limits=settings.limits)
    context = page_context(pages.site, comparison_rows(kg), timeline_rows(kg), language)
    return pages.render("zones.html", **context)


#: Where the release keeps the static copy of the zones page.
STATIC_PAGE = "pages/zones.html"


def static_pages(kg: api.KnowledgeGraph, version: str) -> dict[str, str]:
    """The release's static copy of the zones page: {path in the release: HTML}.

    Its links name the published IRIs (which dereference at w3id.org), and its style is
    the server's, inlined, so that the page reads the same from a folder or a file server.
    """
    from markupsafe import Markup

    from ..core.namespaces import BASE
    from .pages import WEB, Pages, Settings, Site

    site = Site.build(kg, BASE)
    if not any(site.graph.subjects(RDF.type, ZK.DemonstrationZone)):
        return {}  # data with no zones (``--data``) has no zones page
    pages = Pages(site, Settings(base_url=BASE))
    # the package's own style sheets, not text from the data: safe to put in as they are
    styles = Markup(
        "\n".join(
            (WEB / "static" / name).read_text(encoding="utf-8")
            for name in ("style.css", "zones.css")
        )
    )
    context = page_context(site, comparison_rows(kg), timeline_rows(kg))
    html = pages.env.get_template("zones-static.html").render(
        styles=styles, version=version, **context
    )
    return {STATIC_PAGE: html}
