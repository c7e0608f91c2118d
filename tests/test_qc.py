"""Ontology QC: each check in ontology/qc passes on the ontology and catches its fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zonekg import api
from zonekg.core import paths

CHECKS = sorted(paths.QC.glob("*-violation.rq"))
FIXTURES = Path(__file__).parent / "qc_fixtures"


def test_qc_checks_exist():
    assert len(CHECKS) >= 4


def _runs_on_data(check: Path) -> bool:
    match = re.search(r"^# Runs on:\s*(.+)$", check.read_text(encoding="utf-8"), re.M)
    assert match, f"{check.name} has no '# Runs on:' header"
    return "data" in match.group(1)


def _rows(kg, check: Path) -> list[dict]:
    return api.query(kg, check.read_text(encoding="utf-8")).dicts()


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_passes_on_the_project_ontology(check, engine):
    if _runs_on_data(check):
        kg = api.load(engine=engine)
    else:
        kg = api.load([paths.ONTOLOGY], ontology=[], engine=engine)
    assert _rows(kg, check) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_passes_its_passing_fixture(check, engine):
    kg = api.load([FIXTURES / check.stem / "pass.ttl"], ontology=[], engine=engine)
    assert _rows(kg, check) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_reports_the_term_its_failing_fixture_breaks(check, engine):
    fixture = FIXTURES / check.stem / "fail.ttl"
    expected = re.findall(r"^# expect: (\S+)$", fixture.read_text(encoding="utf-8"), re.M)
    assert expected, f"{fixture} names no '# expect:' term"
    rows = _rows(api.load([fixture], ontology=[], engine=engine), check)
    reported = {row["term"].value for row in rows if "term" in row}
    assert set(expected) <= reported
