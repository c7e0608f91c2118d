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


def _fixture(check: Path, kind: str) -> Path:
    """The check's pass or fail fixture: Turtle, or TriG for a check that tells the
    ontology's graph from the data's (each is a named graph of the fixture)."""
    found = [p for p in (FIXTURES / check.stem).glob(f"{kind}.*") if p.suffix in (".ttl", ".trig")]
    assert len(found) == 1, f"{check.stem} needs one {kind}.ttl or {kind}.trig fixture: {found}"
    return found[0]


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_passes_its_passing_fixture(check, engine):
    kg = api.load([_fixture(check, "pass")], ontology=[], engine=engine)
    assert _rows(kg, check) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_reports_the_term_its_failing_fixture_breaks(check, engine):
    fixture = _fixture(check, "fail")
    expected = re.findall(r"^# expect: (\S+)$", fixture.read_text(encoding="utf-8"), re.M)
    assert expected, f"{fixture} names no '# expect:' term"
    rows = _rows(api.load([fixture], ontology=[], engine=engine), check)
    reported = {row["term"].value for row in rows if "term" in row}
    assert set(expected) <= reported
    # terms the fixture shows correct beside the broken ones: reporting them is a false alarm
    absent = re.findall(r"^# not: (\S+)$", fixture.read_text(encoding="utf-8"), re.M)
    assert not set(absent) & reported, set(absent) & reported
