"""Flat tables for analysts: projects and agreements, organisations, the zone's timeline,
the six zones side by side, and every dated event of the six zones.

Each table is SPARQL run through ``api.answer`` (so every engine gives the same table),
assembled here into rows and written as CSV by the one CSV writer (``core.render``).
A table query returns one ``(?x, ?column, ?value)`` row per cell value; a row of the
table is one ``?x``, and a cell holding several values (two firms, two sources) joins
them, sorted, with ``"; "``. Numbers are written in plain decimal notation, whichever
form the engine keeps them in ("21750000000.0" and "2.175E10" are both "21750000000").

The columns, and the property each comes from, are in docs/export.md (Tables for analysts) and
in ``COLUMNS``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from .. import api
from ..core import render
from ..core.errors import InvalidChoice
from ..core.results import SELECT, QueryResult
from ..safety.screen import screen, sparql_iri

SEPARATOR = "; "
ZONE = "https://w3id.org/zonekg/id/zone/chengdu"

#: What a row of the projects table is: a project, a set of agreements or projects that a
#: source counts (with its declared count), or a joint venture (a company with the
#: signing date of the agreement that set it up).
_PROJECT_ROWS = """
SELECT DISTINCT ?x ?kind WHERE {
  { ?x a zk:Project . BIND("project" AS ?kind) }
  UNION { ?x a zk:AgreementSet . BIND("agreement set" AS ?kind) }
  UNION { ?x a zk:ProjectGroup . BIND("project group" AS ?kind) }
  UNION { ?x a zk:Company ; zk:signingDate ?signed . BIND("joint venture" AS ?kind) }
}
"""

_PROJECT_CELLS = """
SELECT DISTINCT ?x ?column ?value WHERE {
  { %(rows)s }
  {
    ?x rdfs:label ?value FILTER(lang(?value) = "en") BIND("name" AS ?column)
  } UNION {
    ?x zk:declaredCount ?value BIND("declared_count" AS ?column)
  } UNION {
    ?x zk:ledBy|zk:signatory|schema:founder ?firm .
    ?firm a zk:Organization ; rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("firms" AS ?column)
  } UNION {
    { ?x zk:ledBy|zk:signatory|schema:founder ?firm . ?firm zk:country ?country }
    UNION { ?x zk:counterpartyCountry ?country }
    ?country rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("country" AS ?column)
  } UNION {
    ?x zk:plannedInvestment ?money . ?money schema:value ?value BIND("amount" AS ?column)
  } UNION {
    ?x zk:plannedInvestment ?money . ?money schema:minValue ?value
    BIND("amount_at_least" AS ?column)
  } UNION {
    ?x zk:investmentClass ?class . ?class rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("class" AS ?column)
  } UNION {
    ?x zk:plannedInvestment|zk:investmentClass ?money . ?money schema:currency ?value
    BIND("currency" AS ?column)
  } UNION {
    ?x zk:officeIn|zk:relatedPlace ?place .
    ?place rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("area" AS ?column)
  } UNION {
    { ?x zk:signingDate ?value } UNION { ?x zk:occasion/schema:startDate ?value }
    BIND("date" AS ?column)
  } UNION {
    { ?set zk:hasMember ?x } UNION { ?x zk:subsetOf ?set }
    { ?set zk:signingDate ?value } UNION { ?set zk:occasion/schema:startDate ?value }
    BIND("date" AS ?column)
  } UNION {
    { ?set zk:hasMember ?x } UNION { ?x zk:subsetOf ?set }
    ?set rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("part_of" AS ?column)
  } UNION {
    ?agent zk:carriesOut ?x . ?agent rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("carried_out_by" AS ?column)
  } UNION {
    ?x zk:party ?party . ?party rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("parties" AS ?column)
  } UNION {
    ?x zk:occasion ?event . ?event rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("event" AS ?column)
  } UNION {
    ?x zk:hasMember ?member . ?member rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("named_members" AS ?column)
  } UNION {
    GRAPH ?value { ?x ?p ?o } ?value a zk:SourceDocument
    BIND("sources" AS ?column)
  }
}
"""

_ORGANIZATION_ROWS = """
SELECT DISTINCT ?x ?kind WHERE {
  ?x a zk:Organization .
  BIND(IF(EXISTS { ?x a zk:GovernmentBody }, "government",
          IF(EXISTS { ?x a zk:Company }, "company", "organisation")) AS ?kind)
}
"""

_ORGANIZATION_CELLS = """
SELECT DISTINCT ?x ?column ?value WHERE {
  { %(rows)s }
  {
    ?x rdfs:label ?value FILTER(lang(?value) = "en") BIND("name" AS ?column)
  } UNION {
    ?x zk:country ?country . ?country rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("country" AS ?column)
  } UNION {
    ?x rdfs:label ?value FILTER(lang(?value) = "zh") BIND("name_zh" AS ?column)
  } UNION {
    ?x rdfs:label ?value FILTER(lang(?value) = "ja") BIND("name_ja" AS ?column)
  } UNION {
    ?x org:subOrganizationOf ?whole . ?whole rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("part_of" AS ?column)
  } UNION {
    ?x schema:founder ?founder . ?founder rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("founders" AS ?column)
  } UNION {
    { ?x zk:carriesOut ?work } UNION { ?work zk:ledBy|zk:signatory|schema:founder ?x }
    ?work rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("projects" AS ?column)
  } UNION {
    GRAPH ?value { ?x ?p ?o } ?value a zk:SourceDocument
    BIND("sources" AS ?column)
  }
}
"""

#: The zone's timeline, as competency question cq20 asks for it: each dated milestone
#: (approval claims, establishment, events, joint ventures signed, openings) with the
#: source that gives the date; one row per date, milestone and source.
_TIMELINE = """
SELECT DISTINCT ?date ?what ?about ?source WHERE {
  {
    GRAPH ?source {
      ?claim a zk:Claim ; rdf:subject ?about ; rdf:predicate zk:approvalDate ; rdf:object ?date .
    }
    FILTER(?about = %(zone)s || EXISTS { ?about zk:hasMember %(zone)s })
    BIND(IF(?about = %(zone)s, "NDRC approval of the zone (disputed month)",
            "NDRC approval of the six zones (disputed month)") AS ?what)
  } UNION {
    GRAPH ?source { %(zone)s zk:establishmentDate ?date . }
    BIND(%(zone)s AS ?about)
    BIND("zone established (launched)" AS ?what)
  } UNION {
    GRAPH ?source { ?about a zk:Event ; schema:startDate ?date . }
    FILTER EXISTS {
      { ?about zk:about %(zone)s }
      UNION { ?about zk:about ?zones . ?zones zk:hasMember %(zone)s }
      UNION { ?about schema:about ?place . ?place zk:partOf %(zone)s }
    }
    ?about rdfs:label ?what FILTER(lang(?what) = "en")
  } UNION {
    GRAPH ?source { ?about a zk:Company ; zk:signingDate ?date . }
    FILTER EXISTS {
      ?about zk:carriesOut ?project .
      ?set zk:hasMember ?project ; zk:occasion/zk:about %(zone)s .
    }
    ?about rdfs:label ?name FILTER(lang(?name) = "en")
    BIND(CONCAT("signed: ", STR(?name)) AS ?what)
  } UNION {
    GRAPH ?source { ?about zk:openingDate ?date . }
    FILTER EXISTS {
      { ?about zk:partOf %(zone)s }
      UNION { ?list zk:hasMember ?about ; zk:concerns %(zone)s }
    }
    ?about rdfs:label ?name FILTER(lang(?name) = "en")
    BIND(CONCAT(STR(?name), " opens") AS ?what)
  }
  ?source a zk:SourceDocument .
}
"""

#: The six zones side by side: one row per zone, what the sources give for it.
_ZONE_ROWS = """
SELECT DISTINCT ?x ?kind WHERE { ?x a zk:DemonstrationZone . BIND("zone" AS ?kind) }
"""

_ZONE_CELLS = """
SELECT DISTINCT ?x ?column ?value WHERE {
  { %(rows)s }
  {
    ?x rdfs:label ?value FILTER(lang(?value) = "en") BIND("name" AS ?column)
  } UNION {
    ?x rdfs:label ?value FILTER(lang(?value) = "zh") BIND("name_zh" AS ?column)
  } UNION {
    ?x rdfs:label ?value FILTER(LCASE(lang(?value)) = "zh-hant") BIND("name_zh_hant" AS ?column)
  } UNION {
    ?x rdfs:label ?value FILTER(lang(?value) = "ja") BIND("name_ja" AS ?column)
  } UNION {
    ?x zk:hostCity ?city . ?city rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("host_city" AS ?column)
  } UNION {
    ?x zk:partOf ?place . ?place rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("lies_in" AS ?column)
  } UNION {
    ?x zk:centredOn ?place . ?place rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("centred_on" AS ?column)
  } UNION {
    VALUES (?areaProperty ?column) {
      (zk:totalArea "total_area") (zk:firstPhaseArea "first_phase_area") (zk:coreArea "core_area")
    }
    ?x ?areaProperty ?area . ?area qudt:numericValue ?value
  } UNION {
    ?x zk:totalArea|zk:firstPhaseArea|zk:coreArea ?area . ?area qudt:unit ?value
    BIND("area_unit" AS ?column)
  } UNION {
    ?x zk:focusSector ?sector . ?sector rdfs:label ?value FILTER(lang(?value) = "en")
    BIND("focus_sectors" AS ?column)
  } UNION {
    ?claim a zk:Claim ; rdf:predicate zk:approvalDate ; rdf:subject ?about ; rdf:object ?value .
    FILTER(?about = ?x || EXISTS { ?about a zk:ZoneGroup ; zk:hasMember ?x })
    BIND("approval_claimed" AS ?column)
  } UNION {
    { ?x zk:establishmentDate ?value }
    UNION {
      ?claim a zk:Claim ; rdf:predicate zk:establishmentDate ; rdf:subject ?x ; rdf:object ?value
    }
    BIND("established" AS ?column)
  } UNION {
    ?event zk:eventKind zk:Launch ; zk:about ?x ; schema:startDate ?value
    BIND("launched" AS ?column)
  } UNION {
    GRAPH ?value { ?x ?p ?o } ?value a zk:SourceDocument
    BIND("sources" AS ?column)
  }
}
"""

#: Every dated statement of the six zones, stated or claimed: approvals, establishment,
#: events (launches, signings, groundbreakings, meetings), signings, openings, and the
#: planned dates a source gives. A date a source only claims (the sources disagree) is
#: a zk:Claim; its row names the claim and the disagreements it is a side of.
_EVENT_DATES = """
SELECT DISTINCT ?date ?kind ?what ?about ?zone ?claim ?disagreement ?source WHERE {
  VALUES (?dated ?plain) {
    (zk:approvalDate "approval")
    (zk:establishmentDate "establishment")
    (schema:startDate "event")
    (zk:signingDate "signing")
    (zk:openingDate "opening")
    (zk:plannedOpeningDate "planned opening")
    (zk:plannedProductionStart "planned production start")
    (zk:plannedCompletion "planned completion")
  }
  {
    GRAPH ?source { ?about ?dated ?date . }
  } UNION {
    GRAPH ?source {
      ?claim a zk:Claim ; rdf:subject ?about ; rdf:predicate ?dated ; rdf:object ?date .
    }
    OPTIONAL { ?disagreement zk:oneSide|zk:otherSide ?claim . }
  }
  ?source a zk:SourceDocument .
  OPTIONAL {
    ?about zk:eventKind ?eventKind .
    ?eventKind rdfs:label ?kindLabel FILTER(lang(?kindLabel) = "en")
  }
  BIND(COALESCE(?kindLabel, ?plain) AS ?kind)
  OPTIONAL { ?about rdfs:label ?what FILTER(lang(?what) = "en") }
  OPTIONAL {
    {
      # what it is about, where it is, what it carries out, the sets that list it, on to a
      # zone (zero steps: the zone itself)
      ?about (zk:about|schema:about|schema:location|zk:relatedPlace|zk:officeIn|zk:concerns
              |zk:partOf|zk:occasion|zk:carriesOut|^zk:hasMember)* ?zone .
    } UNION {
      ?about a zk:ZoneGroup ; zk:hasMember ?zone .
    } UNION {
      ?about zk:about ?group . ?group a zk:ZoneGroup ; zk:hasMember ?zone .
    }
    ?zone a zk:DemonstrationZone .
  }
}
"""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    build: Callable[[api.KnowledgeGraph], list[list[str]]]


def _cells(kg: api.KnowledgeGraph, rows_query: str, cells_query: str, columns) -> list[list[str]]:
    """One row per ?x of *rows_query* (with its ?kind), its cells from *cells_query*."""
    rows = api.answer(kg, screen(rows_query, "table"))
    kinds = {x.value: kind.value for x, kind in rows.rows}
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    cells = api.answer(kg, screen(cells_query % {"rows": rows_query}, "table"))
    for x, column, value in cells.rows:
        found[x.value][column.value].add(_text(value))
    table = []
    for x in sorted(kinds):
        values = found[x]
        row = {"iri": {x}, "kind": {kinds[x]}, **values}
        if "amount_at_least" in values:  # a minimum, not an exact amount: said so in the cell
            row["amount"] = values.get("amount", set()) | {
                f">= {v}" for v in values["amount_at_least"]
            }
        table.append([SEPARATOR.join(sorted(row.get(c, ()))) for c in columns])
    return sorted(table, key=lambda r: (r[1], r[2], r[0]))


def _text(term) -> str:
    """A cell value: IRIs in full, numbers in plain decimal notation, other literals as written."""
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(
        ("#decimal", "#integer", "#double", "#float")
    ):
        try:
            number = Decimal(term.value)
        except InvalidOperation:
            return term.value
        text = format(number.normalize(), "f")
        return text
    return term.value


PROJECT_COLUMNS = (
    "iri",
    "kind",
    "name",
    "declared_count",
    "firms",
    "country",
    "amount",
    "class",
    "currency",
    "area",
    "date",
    "part_of",
    "carried_out_by",
    "parties",
    "event",
    "named_members",
    "sources",
)
ORGANIZATION_COLUMNS = (
    "iri",
    "kind",
    "name",
    "country",
    "name_zh",
    "name_ja",
    "part_of",
    "founders",
    "projects",
    "sources",
)
TIMELINE_COLUMNS = ("date", "what", "about", "source")
ZONE_COLUMNS = (
    "iri",
    "name",
    "name_zh",
    "name_zh_hant",
    "name_ja",
    "host_city",
    "lies_in",
    "centred_on",
    "total_area",
    "first_phase_area",
    "core_area",
    "area_unit",
    "focus_sectors",
    "approval_claimed",
    "established",
    "launched",
    "sources",
)
EVENT_COLUMNS = (
    "date",
    "kind",
    "what",
    "about",
    "zones",
    "claims",
    "disagreements",
    "source",
)


def projects(kg: api.KnowledgeGraph) -> list[list[str]]:
    return _cells(kg, _PROJECT_ROWS, _PROJECT_CELLS, PROJECT_COLUMNS)


def organizations(kg: api.KnowledgeGraph) -> list[list[str]]:
    return _cells(kg, _ORGANIZATION_ROWS, _ORGANIZATION_CELLS, ORGANIZATION_COLUMNS)


def timeline(kg: api.KnowledgeGraph, zone: str = ZONE) -> list[list[str]]:
    result = api.answer(kg, screen(_TIMELINE % {"zone": sparql_iri(zone)}, "table"))
    rows = [[_text(term) for term in row] for row in result.rows]
    return sorted(rows, key=lambda r: (r[0], r[1], r[3], r[2]))


def zones(kg: api.KnowledgeGraph) -> list[list[str]]:
    return _cells(kg, _ZONE_ROWS, _ZONE_CELLS, ZONE_COLUMNS)


def events(kg: api.KnowledgeGraph) -> list[list[str]]:
    """One row per date, dated resource and source; its kinds, names, zones, and the claims
    that state the date (with the disagreements they are sides of) joined in its cells."""
    result = api.answer(kg, screen(_EVENT_DATES, "table"))
    found: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for date, kind, what, about, zone, claim, disagreement, source in result.rows:
        cells = found[(_text(date), about.value, source.value)]
        cells["kind"].add(kind.value)
        named = (
            ("what", what),
            ("zones", zone),
            ("claims", claim),
            ("disagreements", disagreement),
        )
        for column, term in named:
            if term is not None:
                cells[column].add(term.value)
    rows = []
    for (date, about, source), cells in found.items():
        row = {"date": {date}, "about": {about}, "source": {source}, **cells}
        rows.append([SEPARATOR.join(sorted(row.get(c, ()))) for c in EVENT_COLUMNS])
    return sorted(rows, key=lambda r: (r[0], r[3], r[7]))


TABLES = {
    "projects": Table("projects", PROJECT_COLUMNS, projects),
    "organizations": Table("organizations", ORGANIZATION_COLUMNS, organizations),
    "timeline": Table("timeline", TIMELINE_COLUMNS, timeline),
    "zones": Table("zones", ZONE_COLUMNS, zones),
    "events": Table("events", EVENT_COLUMNS, events),
}


def table(name: str) -> Table:
    if name not in TABLES:
        raise InvalidChoice(
            "table",
            name,
            TABLES,
            hint="projects (projects and agreements), organizations, timeline, zones, events",
        )
    return TABLES[name]


def rows(kg: api.KnowledgeGraph, name: str) -> list[list[str]]:
    """The rows of table *name* (without the header)."""
    return table(name).build(kg)


def csv_text(kg: api.KnowledgeGraph, name: str) -> str:
    """Table *name* as CSV (a header row, then one row per project, organisation or date)."""
    return to_csv(name, rows(kg, name))


def to_csv(name: str, found: list[list[str]]) -> str:
    """The *found* rows of table *name* as CSV, by the CSV writer of query results, each
    cell safe to open in a spreadsheet (``spreadsheet_cell``)."""
    result = QueryResult(
        SELECT,
        list(table(name).columns),
        [tuple(ox.Literal(spreadsheet_cell(cell)) for cell in row) for row in found],
    )
    return render.to_csv(result)


#: How a cell begins that a spreadsheet reads as a formula (or a formula after a tab or a
#: carriage return): the OWASP list for CSV injection.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(text: str) -> str:
    """*text* as a spreadsheet should show it, never run it: a cell that begins like a
    formula gets a leading apostrophe (``'=HYPERLINK(…)``), as OWASP advises; a number
    (``-5``) is left as it is. These tables are for spreadsheets; the exact values are in
    the RDF exports and in the SPARQL CSV results of a query."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
