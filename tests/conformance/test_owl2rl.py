"""OWL 2 RL conformance, from the rule tables: every rule on both engines.

An entailment rule's conclusion must be in the closure; an inconsistency rule must end
the reasoning with ``Inconsistent`` naming that rule (the CLI exits 1). The fast engine
reasons itself where it compiles the ontology and hands the rest to owlrl; either way
the answers are the rule table's.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from owl2rl_rules import PREFIXES, RULES, SKIPPED
from safety_support import flat, run_cli

from zonekg import api
from zonekg.core.errors import EXIT_CHECK_FAILED
from zonekg.core.namespaces import INFERRED_GRAPH
from zonekg.engines.consistency import Inconsistent

# Slow: every rule loaded and reasoned on both engines.
pytestmark = pytest.mark.slow


def _load(tmp_path, premise: str, engine: str):
    path = tmp_path / "premise.ttl"
    path.write_text(PREFIXES + premise + "\n", encoding="utf-8")
    return api.load([path], ontology=[], engine=engine, ill_typed="report")


def closure(kg) -> set:
    graphs = [*kg.asserted_graphs, INFERRED_GRAPH]
    return {q.triple for q in kg.quads(graphs)}


def test_every_rule_has_a_case_or_a_reason():
    tables = {4: 9, 5: 20, 6: 19, 7: 5, 8: 5, 9: 20}
    named = {case["rule"] for case in RULES} | set(SKIPPED)
    assert len(named) == sum(tables.values()) == 78


@pytest.mark.parametrize("case", RULES, ids=[c["rule"] for c in RULES])
def test_rule(case, engine, tmp_path):
    kg = _load(tmp_path, case["premise"], engine)
    if case["false"]:
        with pytest.raises(Inconsistent) as found:
            api.reason(kg)
        assert found.value.rule == case["false"]
        assert found.value.resources, "the resources involved are named"
        return
    api.reason(kg)
    wanted = {q.triple for q in ox.parse(PREFIXES + case["conclusion"], format=ox.RdfFormat.TURTLE)}
    assert wanted <= closure(kg), f"OWL 2 RL {case['rule']}: missing {wanted - closure(kg)}"


@pytest.mark.parametrize(
    "premise",
    [
        'ex:code a owl:FunctionalProperty . ex:x ex:code "A1" .',
        'ex:code a owl:FunctionalProperty . ex:x ex:code 1 , "01"^^xsd:integer .',
        "ex:A owl:disjointWith ex:B . ex:x a ex:A . ex:y a ex:B .",
    ],
)
def test_consistent_data_is_not_reported(premise, engine, tmp_path):
    kg = _load(tmp_path, premise, engine)
    api.reason(kg)  # no crash, no false alarm


def test_the_command_line_exits_1_and_names_the_rule(tmp_path):
    premise = tmp_path / "premise.ttl"
    premise.write_text(PREFIXES + "ex:A owl:disjointWith ex:B . ex:x a ex:A , ex:B .\n", "utf-8")
    result = run_cli("reason", "--no-ontology", "--data", str(premise))
    assert result.returncode == EXIT_CHECK_FAILED, result.stderr
    message = flat(result.stderr)
    assert "cax-dw" in message and "http://example.org/ns#x" in message
