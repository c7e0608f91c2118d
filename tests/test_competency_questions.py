"""Every competency question gives the answer worked out by hand from the sources, per engine."""

from __future__ import annotations

import pytest

from zonekg import api
from zonekg.core.questions import expected_rows, questions
from zonekg.core.render import csv_rows

QUESTIONS = questions()


def test_there_are_at_least_twelve_questions():
    assert len(QUESTIONS) >= 12


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_question_has_header_and_expected_answer(cq):
    assert cq.question, f"{cq.path.name}: no '# Question:' header"
    assert cq.source, f"{cq.path.name}: no '# Source:' header"
    assert cq.inference in ("none", "owlrl")
    assert cq.expected_path.is_file(), f"missing {cq.expected_path.name}"
    assert "ORDER BY" in cq.text.upper(), "results must come in a stable order"


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_question_answer_matches_expected(cq, kgs, engine):
    actual = csv_rows(api.query(kgs[engine], cq))
    assert actual == expected_rows(cq)


def test_place_hierarchy_needs_inference(kgs, engine):
    """cq06 walks the transitive part-of: without the closure it sees only the first level."""
    (cq,) = [q for q in QUESTIONS if q.name.startswith("cq06")]
    assert cq.needs_reasoning
    without = csv_rows(api.query(kgs[engine], cq, reasoned=False))
    assert len(without) < len(expected_rows(cq))
