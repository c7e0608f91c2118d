"""Ontology QC: each check in ontology/qc passes on the ontology and catches its fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from zonekg import paths
from zonekg.query import run

CHECKS = sorted(paths.QC.glob("*-violation.rq"))
FIXTURES = Path(__file__).parent / "qc_fixtures"


def test_qc_checks_exist():
    assert len(CHECKS) >= 4


def _runs_on_data(check: Path) -> bool:
    match = re.search(r"^# Runs on:\s*(.+)$", check.read_text(encoding="utf-8"), re.M)
    assert match, f"{check.name} has no '# Runs on:' header"
    return "data" in match.group(1)


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_passes_on_the_project_ontology(check, kg):
    graph = kg.asserted() if _runs_on_data(check) else kg.ontology
    rows = list(run(graph, check.read_text(encoding="utf-8"), check.name))
    assert rows == [], [tuple(str(v) for v in row) for row in rows]


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_passes_its_passing_fixture(check):
    graph = Graph().parse(FIXTURES / check.stem / "pass.ttl")
    assert list(run(graph, check.read_text(encoding="utf-8"), check.name)) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_reports_the_term_its_failing_fixture_breaks(check):
    fixture = FIXTURES / check.stem / "fail.ttl"
    expected = re.findall(r"^# expect: (\S+)$", fixture.read_text(encoding="utf-8"), re.M)
    assert expected, f"{fixture} names no '# expect:' term"
    rows = list(run(Graph().parse(fixture), check.read_text(encoding="utf-8"), check.name))
    reported = {row.term for row in rows}
    assert {URIRef(term) for term in expected} <= reported
