"""Every competency question gives the answer worked out by hand from the sources."""

from __future__ import annotations

import pytest

from zonekg.query import expected_rows, graph_for_query, questions, result_rows, run

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


@pytest.fixture(scope="module")
def graphs(kg):
    return {False: graph_for_query(kg, False), True: graph_for_query(kg, True)}


@pytest.mark.parametrize("cq", QUESTIONS, ids=lambda q: q.name)
def test_question_answer_matches_expected(cq, graphs):
    actual = result_rows(run(graphs[cq.needs_reasoning], cq.text, cq.name))
    assert actual == expected_rows(cq)


def test_place_hierarchy_needs_inference(graphs):
    """cq06 walks the transitive part-of: without the closure it sees only the first level."""
    (cq,) = [q for q in QUESTIONS if q.name.startswith("cq06")]
    assert cq.needs_reasoning
    without = result_rows(run(graphs[False], cq.text, cq.name))
    assert len(without) < len(expected_rows(cq))
