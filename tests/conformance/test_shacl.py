"""SHACL conformance, from the specifications: every case on both engines.

The expected results are the specification's (``shacl_cases``); each engine must give
exactly them, so the fast engine equals the reference engine on every case. Cases the
fast engine's compiler is proven on must be answered by the compiler itself; the others
must be handed over (a note says so), never answered wrong.
"""

from __future__ import annotations

from collections import Counter

import pytest
from shacl_cases import ALL, FORBIDDEN, NOT_RUN_RIGHT, PREFIXES, SPARQL_DATA, SPARQL_PREFIXES

from zonekg import api
from zonekg.core.errors import EXIT_BAD_INPUT, ZonekgError
from zonekg.inputs.shapes import load_shapes

EX = "http://example.org/ns#"
SH = "http://www.w3.org/ns/shacl#"


def _write(folder, name, body):
    path = folder / name
    path.write_text(PREFIXES + body + "\n", encoding="utf-8")
    return path


def _key(term) -> str:
    from rdflib import BNode

    return "_" if isinstance(term, BNode) else term.n3()


def _expected(pairs):
    found = Counter()
    for focus, component in pairs:
        focus = f"<{EX}{focus[3:]}>" if focus.startswith("ex:") else focus
        component = (
            component if component.startswith("http") else f"{SH}{component}ConstraintComponent"
        )
        found[(focus, component)] += 1
    return found


def run(case, engine, tmp_path):
    data = _write(tmp_path, "data.ttl", case["data"])
    shapes = _write(tmp_path, "shapes.ttl", case["shapes"])
    kg = api.load([data], ontology=[], engine=engine, ill_typed="report")
    report = api.validate(kg, shapes)
    return kg, report


@pytest.mark.parametrize("case", ALL, ids=[c["name"] for c in ALL])
def test_case(case, engine, tmp_path, request):
    if case["pyshacl_differs"] and (engine == "reference" or not case["compiled"]):
        request.applymarker(pytest.mark.xfail(strict=True, reason=case["pyshacl_differs"]))
    kg, report = run(case, engine, tmp_path)
    got = Counter((_key(r.focus), str(r.component)) for r in report.results)
    assert got == _expected(case["expected"]), f"SHACL 1.0 §{case['section']}"
    assert report.conforms == (not case["expected"])
    if engine == "oxigraph":
        handed = any("pySHACL" in note for note in kg.notes)
        assert handed != case["compiled"], kg.notes


def test_every_result_names_its_shape_and_severity(tmp_path):
    from shacl_cases import MISC

    warning = next(c for c in MISC if c["name"] == "severity-warning")
    for engine in ("oxigraph", "reference"):
        _, report = run(warning, engine, tmp_path)
        (result,) = report.results
        assert str(result.severity) == SH + "Warning"
        assert str(result.source_shape) == EX + "S"


def test_message_templates_are_filled(engine, tmp_path):
    from shacl_cases import SPARQL

    templated = next(c for c in SPARQL if c["name"] == "sparql-message-template")
    _, report = run(templated, engine, tmp_path)
    assert [r.message for r in report.results] == ["found 2"]


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_forbidden_sparql_is_refused(name, tmp_path):
    """SHACL-SPARQL §5.2.1: these queries make the shapes graph ill-formed: exit 2."""
    body = (
        SPARQL_PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:prefixes ex:Prefixes ; "
        + f'sh:select """{FORBIDDEN[name]}""" ] .'
    )
    with pytest.raises(ZonekgError) as refused:
        load_shapes(_write(tmp_path, "shapes.ttl", body))
    assert refused.value.exit_code == EXIT_BAD_INPUT


@pytest.mark.parametrize("name", sorted(NOT_RUN_RIGHT))
def test_this_only_in_an_expression_of_a_union_branch_is_refused(name, engine, tmp_path):
    """No engine here pre-binds $this into a FILTER of a UNION branch as SHACL says (pySHACL
    reports every focus node): refused with exit 2 rather than answered wrong."""
    body = (
        SPARQL_PREFIXES
        + "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:prefixes ex:Prefixes ; "
        + f'sh:select """{NOT_RUN_RIGHT[name]}""" ] .'
    )
    data = _write(tmp_path, "data.ttl", SPARQL_DATA)
    kg = api.load([data], ontology=[], engine=engine)
    with pytest.raises(ZonekgError) as refused:
        api.validate(kg, _write(tmp_path, "shapes.ttl", body))
    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert "UNION branch" in str(refused.value)


def test_assigning_value_in_an_ask_validator_is_refused(tmp_path):
    body = (
        SPARQL_PREFIXES + "ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:x ] ; "
        'sh:validator [ sh:prefixes ex:Prefixes ; sh:ask """ASK { BIND(1 AS ?value) }""" ] .'
    )
    with pytest.raises(ZonekgError, match="pre-bound"):
        load_shapes(_write(tmp_path, "shapes.ttl", body))


def test_ill_formed_shapes_exit_2_on_both_engines(engine, tmp_path):
    """A shapes graph SHACL calls ill-formed is a clear error, never an internal one."""
    case = {
        "data": "ex:a a ex:Thing .",
        "shapes": "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
        'sh:property [ sh:path ex:p ; sh:minCount "many" ] .',
    }
    with pytest.raises(ZonekgError) as refused:
        run(case, engine, tmp_path)
    assert refused.value.exit_code == EXIT_BAD_INPUT
