"""`zonekg export --table`: each flat table against the graph, on every engine.

The tables are SPARQL run by the engine; the expectations here are computed another way
(rdflib's own graph API over the files as the reference engine read them), so a row or a
cell that the graph does not support, or a project, organisation or date left out, fails.
"""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal

import pytest
from cli_support import zonekg_in_process
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from zonekg.core.questions import expected_rows, find_question
from zonekg.core.vocab import ORG, QUDT, SCHEMA, ZK
from zonekg.engines import DEFAULT
from zonekg.publish import tables


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return zonekg_in_process(*args)


@pytest.fixture(scope="module")
def graph(kg):
    """The merged asserted graph, with every class an instance has along rdfs:subClassOf."""
    merged = kg.rdf.asserted()
    for x, cls in list(merged.subject_objects(RDF.type)):
        for parent in merged.transitive_objects(cls, RDFS.subClassOf):
            merged.add((x, RDF.type, parent))
    return merged


@pytest.fixture(scope="module")
def sources_of(kg):
    """entity -> the source documents whose graphs have it as a subject."""
    found: dict = {}
    for name in kg.rdf.data_graphs:
        for s in set(kg.rdf.graph(name).subjects()):
            found.setdefault(s, set()).add(name)
    return found


def _dicts(columns, rows) -> list[dict[str, str]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _cell(values) -> str:
    return "; ".join(sorted(str(v) for v in values))


def _en(graph, nodes) -> set[str]:
    return {
        str(label)
        for node in nodes
        for label in graph.objects(node, RDFS.label)
        if isinstance(label, Literal) and label.language == "en"
    }


def _number(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


# --- projects and agreements ------------------------------------------------------------


def test_projects_table_has_a_row_per_project_or_agreement_and_every_cell_from_the_graph(
    kgs, engine, graph, sources_of
):
    rows = _dicts(tables.PROJECT_COLUMNS, tables.rows(kgs[engine], "projects"))
    kinds = {
        "project": set(graph.subjects(RDF.type, ZK.Project)),
        "agreement set": set(graph.subjects(RDF.type, ZK.AgreementSet)),
        "project group": set(graph.subjects(RDF.type, ZK.ProjectGroup)),
        "joint venture": {
            c for c in graph.subjects(RDF.type, ZK.Company) if (c, ZK.signingDate, None) in graph
        },
    }
    expected = {str(x): kind for kind, xs in kinds.items() for x in xs}
    # 22 projects, 6 agreement sets, 18 project groups, 1 joint venture (9, 5, 3, 1 before the
    # sibling zones of the third edition)
    assert len(expected) == 47
    assert len(rows) == len(expected)
    assert {row["iri"]: row["kind"] for row in rows} == expected
    for row in rows:
        x = URIRef(row["iri"])
        firms = {
            o
            for p in (ZK.ledBy, ZK.signatory, SCHEMA.founder)
            for o in graph.objects(x, p)
            if (o, RDF.type, ZK.Organization) in graph
        }
        countries = {c for f in firms for c in graph.objects(f, ZK.country)}
        countries |= set(graph.objects(x, ZK.counterpartyCountry))
        money = set(graph.objects(x, ZK.plannedInvestment))
        classes = set(graph.objects(x, ZK.investmentClass))
        sets = set(graph.subjects(ZK.hasMember, x)) | set(graph.objects(x, ZK.subsetOf))
        dated = [x, *sets]
        dates = {d for n in dated for d in graph.objects(n, ZK.signingDate)}
        dates |= {
            d
            for n in dated
            for event in graph.objects(n, ZK.occasion)
            for d in graph.objects(event, SCHEMA.startDate)
        }
        currencies = {c for m in money | classes for c in graph.objects(m, SCHEMA.currency)}
        places = {*graph.objects(x, ZK.officeIn), *graph.objects(x, ZK.relatedPlace)}
        amounts = {_number(v) for m in money for v in graph.objects(m, SCHEMA.value)}
        amounts |= {f">= {_number(v)}" for m in money for v in graph.objects(m, SCHEMA.minValue)}
        assert row == {
            "iri": row["iri"],
            "kind": expected[row["iri"]],
            "name": _cell(_en(graph, [x])),
            "declared_count": _cell(graph.objects(x, ZK.declaredCount)),
            "firms": _cell(_en(graph, firms)),
            "country": _cell(_en(graph, countries)),
            "amount": _cell(amounts),
            "class": _cell(_en(graph, classes)),
            "currency": _cell(currencies),
            "area": _cell(_en(graph, places)),
            "date": _cell(dates),
            "part_of": _cell(_en(graph, sets)),
            "carried_out_by": _cell(_en(graph, graph.subjects(ZK.carriesOut, x))),
            "parties": _cell(_en(graph, graph.objects(x, ZK.party))),
            "event": _cell(_en(graph, graph.objects(x, ZK.occasion))),
            "named_members": _cell(_en(graph, graph.objects(x, ZK.hasMember))),
            "sources": _cell(sources_of.get(x, ())),
        }, row["iri"]  # fmt: skip
        assert row["name"] and row["sources"], "every row is named and sourced"


def test_projects_table_hand_checked_rows(kgs, engine):
    """more-sources.md P5: the MHI group company and Chengdu Hi-tech Investment Group set up a
    joint venture, signed 2021-07-13, total investment RMB 5.8 billion; the article: 28
    agreements with Japanese parties, RMB 21.75 billion (Xinhua: above RMB 20 billion)."""
    rows = {
        row["iri"].rsplit("/id/", 1)[1]: row
        for row in _dicts(tables.PROJECT_COLUMNS, tables.rows(kgs[engine], "projects"))
    }
    venture = rows["organization/mhi-joint-venture"]
    assert venture["firms"] == (
        "Chengdu Hi-tech Investment Group; "
        "Mitsubishi Heavy Industries Air-Conditioning Systems (Shanghai)"
    )
    assert (venture["amount"], venture["currency"], venture["date"]) == (
        "5800000000",
        "CNY",
        "2021-07-13",
    )
    assert set(venture["sources"].split("; ")) >= {
        "https://w3id.org/zonekg/id/document/china-org-cn-2021-07-18",
        "https://w3id.org/zonekg/id/document/chinawork-2021-07",
    }
    agreements = rows["collection/cooperation-agreements-2020-11-19"]
    assert agreements["declared_count"] == "28"
    assert agreements["amount"] == "21750000000; >= 20000000000"
    assert (agreements["country"], agreements["date"]) == ("Japan", "2020-11-19")
    classes = rows["collection/agreements-rmb-5-billion-class"]
    assert (classes["declared_count"], classes["class"], classes["amount"]) == (
        "2",
        "RMB 5-billion class",
        "",  # a class, never an amount
    )


# --- organisations ------------------------------------------------------------------------


def test_organizations_table_has_a_row_per_organisation_and_every_cell_from_the_graph(
    kgs, engine, graph, sources_of
):
    rows = _dicts(tables.ORGANIZATION_COLUMNS, tables.rows(kgs[engine], "organizations"))
    organisations = set(graph.subjects(RDF.type, ZK.Organization))
    assert len(organisations) > 30
    assert len(rows) == len(organisations)
    assert {row["iri"] for row in rows} == {str(o) for o in organisations}

    def behind(x):
        return {w for p in (ZK.ledBy, ZK.signatory, SCHEMA.founder) for w in graph.subjects(p, x)}

    for row in rows:
        x = URIRef(row["iri"])
        kind = (
            "government"
            if (x, RDF.type, ZK.GovernmentBody) in graph
            else "company"
            if (x, RDF.type, ZK.Company) in graph
            else "organisation"
        )

        def named(language, node=x):
            return _cell(
                str(label)
                for label in graph.objects(node, RDFS.label)
                if isinstance(label, Literal) and label.language == language
            )

        assert row == {
            "iri": row["iri"],
            "kind": kind,
            "name": named("en"),
            "country": _cell(_en(graph, graph.objects(x, ZK.country))),
            "name_zh": named("zh"),
            "name_ja": named("ja"),
            "part_of": _cell(_en(graph, graph.objects(x, ORG.subOrganizationOf))),
            "founders": _cell(_en(graph, graph.objects(x, SCHEMA.founder))),
            "projects": _cell(_en(graph, {*graph.objects(x, ZK.carriesOut), *behind(x)})),
            "sources": _cell(sources_of.get(x, ())),
        }
    by_name = {row["name"]: row for row in rows}
    # other-sources.md names table; no source says whose NDRC is (third source audit)
    assert (
        by_name["National Development and Reform Commission"]["name_zh"] == "国家发展和改革委员会"
    )
    assert by_name["National Development and Reform Commission"]["country"] == ""
    assert by_name["Mitsubishi Heavy Industries"]["name_ja"] == "三菱重工業株式会社"


def test_table_rows_carry_the_related_entities_beside_them(kgs, engine):
    """Issue 21: a row did not show who is behind a project, what an organisation is part
    of, or an agreement set's parties and event. Hand-checked against the sources: the
    article and CRI (the 28 agreements were reached by Chengdu at the 2020-11-19 event);
    more-sources.md P5, China.org.cn and chinawork 2021-07 (the MHI group company and
    Chengdu Hi-tech Investment Group founded a joint venture, which carries out the
    low-carbon city innovation center)."""
    projects = {
        row["iri"].rsplit("/id/", 1)[1]: row
        for row in _dicts(tables.PROJECT_COLUMNS, tables.rows(kgs[engine], "projects"))
    }
    agreements = projects["collection/cooperation-agreements-2020-11-19"]
    assert agreements["parties"] == "Chengdu"
    assert agreements["event"].startswith("China-Japan (Chengdu) Urban Construction")
    assert (
        "Mitsubishi Heavy Industries China-Japan Digital Low Carbon City"
        in (agreements["named_members"])
    )
    center = projects["project/mhi-digital-low-carbon-city-innovation-center"]
    assert center["carried_out_by"].startswith("joint venture of Mitsubishi Heavy Industries")
    organisations = {
        row["name"]: row
        for row in _dicts(tables.ORGANIZATION_COLUMNS, tables.rows(kgs[engine], "organizations"))
    }
    shanghai = organisations["Mitsubishi Heavy Industries Air-Conditioning Systems (Shanghai)"]
    assert shanghai["part_of"] == "Mitsubishi Heavy Industries"
    assert shanghai["projects"].startswith("joint venture of Mitsubishi Heavy Industries")
    venture = next(r for n, r in organisations.items() if n.startswith("joint venture of"))
    assert venture["founders"] == (
        "Chengdu Hi-tech Investment Group; "
        "Mitsubishi Heavy Industries Air-Conditioning Systems (Shanghai)"
    )


# --- timeline -------------------------------------------------------------------------------


def test_timeline_table_is_the_zones_timeline_each_date_with_its_source(kgs, engine, kg):
    rows = _dicts(tables.TIMELINE_COLUMNS, tables.rows(kgs[engine], "timeline"))
    # cq20 is the zone's timeline worked out by hand from the sources
    worked = expected_rows(find_question("cq20"))
    assert len(rows) == len(worked) == 24
    assert sorted((r["date"], r["what"], r["source"]) for r in rows) == sorted(
        (r["date"], r["milestone"], r["source"]) for r in worked
    )
    dated = (ZK.establishmentDate, SCHEMA.startDate, ZK.signingDate, ZK.openingDate)
    for row in rows:
        about, source = URIRef(row["about"]), kg.rdf.graph(row["source"])
        dates = {str(d) for p in dated for d in source.objects(about, p)}
        claimed = {  # a disputed date is only in its claims
            str(d)
            for claim in source.subjects(RDF.subject, about)
            if (claim, RDF.predicate, ZK.approvalDate) in source
            for d in source.objects(claim, RDF.object)
        }
        assert row["date"] in dates | claimed, row


# --- the six zones side by side --------------------------------------------------------------


def test_zones_table_has_a_row_per_zone_and_every_cell_from_the_graph(
    kgs, engine, graph, sources_of
):
    rows = _dicts(tables.ZONE_COLUMNS, tables.rows(kgs[engine], "zones"))
    zones = set(graph.subjects(RDF.type, ZK.DemonstrationZone))
    assert len(zones) == 6
    assert {row["iri"] for row in rows} == {str(z) for z in zones}
    areas = {"total_area": ZK.totalArea, "first_phase_area": ZK.firstPhaseArea}
    areas["core_area"] = ZK.coreArea
    for row in rows:
        x = URIRef(row["iri"])

        def named(*languages, node=x):
            return _cell(
                str(label)
                for label in graph.objects(node, RDFS.label)
                if isinstance(label, Literal) and (label.language or "").lower() in languages
            )

        groups = {
            g for g in graph.subjects(ZK.hasMember, x) if (g, RDF.type, ZK.ZoneGroup) in graph
        }
        approvals = {
            str(d)
            for claim in graph.subjects(RDF.predicate, ZK.approvalDate)
            if (claim, RDF.type, ZK.Claim) in graph
            and set(graph.objects(claim, RDF.subject)) & ({x} | groups)
            for d in graph.objects(claim, RDF.object)
        }
        established = {str(d) for d in graph.objects(x, ZK.establishmentDate)}
        established |= {
            str(d)
            for claim in graph.subjects(RDF.subject, x)
            if (claim, RDF.predicate, ZK.establishmentDate) in graph
            and (claim, RDF.type, ZK.Claim) in graph
            for d in graph.objects(claim, RDF.object)
        }
        launches = {
            str(d)
            for event in graph.subjects(ZK.about, x)
            if (event, ZK.eventKind, ZK.Launch) in graph
            for d in graph.objects(event, SCHEMA.startDate)
        }
        quantities = {q for p in areas.values() for q in graph.objects(x, p)}
        expected = {
            "iri": row["iri"],
            "name": named("en"),
            "name_zh": named("zh"),
            "name_zh_hant": named("zh-hant"),
            "name_ja": named("ja"),
            "host_city": _cell(_en(graph, graph.objects(x, ZK.hostCity))),
            "lies_in": _cell(_en(graph, graph.objects(x, ZK.partOf))),
            "centred_on": _cell(_en(graph, graph.objects(x, ZK.centredOn))),
            "area_unit": _cell({u for q in quantities for u in graph.objects(q, QUDT.unit)}),
            "focus_sectors": _cell(_en(graph, graph.objects(x, ZK.focusSector))),
            "approval_claimed": _cell(approvals),
            "established": _cell(established),
            "launched": _cell(launches),
            "sources": _cell(sources_of.get(x, ())),
        }
        for column, prop in areas.items():
            expected[column] = _cell(
                {
                    _number(v)
                    for q in graph.objects(x, prop)
                    for v in graph.objects(q, QUDT.numericValue)
                }
            )
        assert row == expected, row["iri"]
        assert row["name"] and row["host_city"] and row["sources"]


def test_zones_table_areas_are_the_hand_worked_areas_of_cq23(kgs, engine):
    """cq23 (worked by hand from sibling-zones.md and the second edition's notes) gives each
    zone's area figures with their label; the table's area cells hold the same figures."""
    rows = {r["name"]: r for r in _dicts(tables.ZONE_COLUMNS, tables.rows(kgs[engine], "zones"))}
    worked = expected_rows(find_question("cq23"))
    assert len(worked) >= 6
    column = {"total area": "total_area", "first-phase area": "first_phase_area"}
    column["core area"] = "core_area"
    by_zone: dict = {}
    for w in worked:
        by_zone.setdefault((w["zone"], column[w["areaLabel"]]), set()).add(w["area"])
    assert len({zone for zone, _ in by_zone}) == 6
    for (zone, name), figures in by_zone.items():
        assert set(rows[zone][name].split("; ")) == figures, (zone, name)
    # sibling-zones.md Suzhou 1: "相城区全域(489㎢)" and "38.5-square-kilometers central area";
    # Dalian 1: "総面積52.92平方キロメートル"
    suzhou = rows["China-Japan local development cooperation demonstration zone in Suzhou"]
    assert (suzhou["total_area"], suzhou["core_area"], suzhou["lies_in"]) == (
        "489",
        "38.5",
        "Xiangcheng District",
    )
    dalian = rows["China-Japan local development cooperation demonstration zone in Dalian"]
    assert (dalian["total_area"], dalian["centred_on"]) == ("52.92", "Jinpu New Area")


# --- every dated event of the six zones ----------------------------------------------------

DATED = {
    ZK.approvalDate: "approval",
    ZK.establishmentDate: "establishment",
    SCHEMA.startDate: "event",
    ZK.signingDate: "signing",
    ZK.openingDate: "opening",
    ZK.plannedOpeningDate: "planned opening",
    ZK.plannedProductionStart: "planned production start",
    ZK.plannedCompletion: "planned completion",
}
#: from a dated thing toward its zone: what it is about, where it is, what it carries out,
#: the sets that list it
TOWARD_ZONE = (
    ZK.about,
    SCHEMA.about,
    SCHEMA.location,
    ZK.relatedPlace,
    ZK.officeIn,
    ZK.concerns,
    ZK.partOf,
    ZK.occasion,
    ZK.carriesOut,
)


def _zones_of(graph, node) -> set:
    seen, todo = {node}, [node]
    while todo:
        at = todo.pop()
        nexts = [o for p in TOWARD_ZONE for o in graph.objects(at, p)]
        nexts += list(graph.subjects(ZK.hasMember, at))
        for n in nexts:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    zones = {n for n in seen if (n, RDF.type, ZK.DemonstrationZone) in graph}
    for group in {node, *graph.objects(node, ZK.about)}:
        if (group, RDF.type, ZK.ZoneGroup) in graph:
            zones |= set(graph.objects(group, ZK.hasMember))
    return zones


def test_events_table_has_every_dated_statement_or_claim_of_each_source(kgs, engine, kg, graph):
    rows = _dicts(tables.EVENT_COLUMNS, tables.rows(kgs[engine], "events"))
    expected: dict = {}
    for name in kg.rdf.data_graphs:
        source = kg.rdf.graph(name)
        for prop in DATED:
            stated = [(s, d, None) for s, d in source.subject_objects(prop)]
            stated += [
                (s, d, claim)
                for claim in source.subjects(RDF.predicate, prop)
                if (claim, RDF.type, ZK.Claim) in source
                for s in source.objects(claim, RDF.subject)
                for d in source.objects(claim, RDF.object)
            ]
            for about, date, claim in stated:
                row = expected.setdefault((str(date), str(about), str(name)), {"claims": set()})
                kinds = _en(graph, graph.objects(about, ZK.eventKind)) or {DATED[prop]}
                row.setdefault("kind", set()).update(kinds)
                if claim is not None:
                    row["claims"].add(claim)
    assert len(expected) > 40
    assert len(rows) == len(expected)
    for row in rows:
        key = (row["date"], row["about"], row["source"])
        assert key in expected, key
        about, claims = URIRef(row["about"]), expected[key]["claims"]
        sides = {
            d for c in claims for p in (ZK.oneSide, ZK.otherSide) for d in graph.subjects(p, c)
        }
        assert row == {
            "date": row["date"],
            "kind": _cell(expected[key]["kind"]),
            "what": _cell(_en(graph, [about])),
            "about": row["about"],
            "zones": _cell(_zones_of(graph, about)),
            "claims": _cell(claims),
            "disagreements": _cell(sides),
            "source": row["source"],
        }, key


def test_events_table_hand_checked_rows(kgs, engine):
    """sibling-zones.md: NDRC approved the six zones on 2020-04-27 (jp.dl.gov.cn, 2020-08-25)
    or in May 2020 (web.chinamshare.com, 2021-07-14), both kept as claims of one disagreement;
    Dalian's unveiling on 8月24日 (jp.dl.gov.cn, 2020-08-25); the Joint Innovation Center due to
    open in July 2021 (china.org.cn, 2021-04-30), opened in May 2022 (hkcd.com)."""
    rows = _dicts(tables.EVENT_COLUMNS, tables.rows(kgs[engine], "events"))
    doc = "https://w3id.org/zonekg/id/document/"
    by = {(r["date"], r["source"].removeprefix(doc)): r for r in rows}
    approved = by[("2020-04-27", "dalian-government-2020-08-25-27062")]
    may = by[("2020-05", "chengdu-hi-tech-media-2021-07-14")]
    assert approved["kind"] == may["kind"] == "approval"
    assert approved["disagreements"] == may["disagreements"] != ""
    assert len(approved["zones"].split("; ")) == 6
    dalian = by[("2020-08-24", "dalian-government-2020-08-25-27060")]
    assert (dalian["kind"], dalian["zones"]) == (  # 8 projects signed there (xuehua.us, NNA)
        "launch; signing",
        "https://w3id.org/zonekg/id/zone/dalian",
    )
    planned = by[("2021-07", "china-org-cn-2021-04-30")]
    opened = by[("2022-05", "hkcd-2022-05-18")]
    assert (planned["kind"], opened["kind"]) == ("planned opening", "opening")
    assert (
        planned["about"] == opened["about"] and planned["disagreements"] == opened["disagreements"]
    )


# --- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(tables.TABLES))
def test_cli_writes_each_table_as_csv_atomically(name, tmp_path, kgs):
    target = tmp_path / "out" / f"{name}.csv"
    result = zonekg("export", "--table", name, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in target.parent.iterdir()] == [f"{name}.csv"]
    text = target.read_text(encoding="utf-8")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == list(tables.TABLES[name].columns)
    # the API's rows (with the engine the command used), and the other engine's output
    assert read[1:] == tables.rows(kgs[DEFAULT], name)
    assert f"({len(read) - 1} rows)" in result.stderr
    printed = zonekg("export", "--table", name, "--engine", "reference")
    assert printed.returncode == 0 and printed.stdout == text.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "args",
    [
        ["--table", "people"],
        ["--table", "projects", "--format", "turtle"],
        ["--table", "projects", "--canonical"],
        ["--table", "projects", "--reason"],
        ["--table", "projects", "--graph", "all"],
    ],
)
def test_cli_refuses_a_bad_table_or_an_rdf_option_with_it(args, tmp_path):
    target = tmp_path / "t.csv"
    result = zonekg("export", *args, "-o", str(target))
    assert result.returncode == 2, result.stdout + result.stderr
    assert not target.exists()


def test_the_command_line_offers_exactly_the_tables_there_are():
    from zonekg.publish import TABLE_NAMES

    assert tuple(tables.TABLES) == TABLE_NAMES
