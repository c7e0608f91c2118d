"""Class A (medium): the compiled validator put the targets after the first '{' of the text.

``SELECT $this ("{" AS ?s) WHERE { $this ex:p ?o }``: the first '{' is inside a string,
so the target pattern went into the string and $this was no longer bound to the focus
nodes: 10 violations where pySHACL (the reference engine) says the data conforms. The
targets now go in after the '{' token that opens the WHERE group (the screen's tokens),
and the assembled query is screened again.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli

from zonekg.engines.oxigraph.shacl import with_target
from zonekg.safety.screen import screen

TARGET = "GRAPH <https://w3id.org/zonekg/graph/x> { ?this <http://example.org/t> ?shape }"


def _write(tmp_path, select: str):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        f"  sh:sparql [ a sh:SPARQLConstraint ; sh:select '''{select}''' ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\nex:a a ex:C .\n"
        + "".join(f"ex:n{i} ex:p ex:b .\n" for i in range(10)),
        encoding="utf-8",
    )
    return shapes, data


@pytest.mark.parametrize(
    "select",
    [
        'PREFIX ex: <http://example.org/> SELECT $this ("{" AS ?s) WHERE { $this ex:p ?o }',
        'PREFIX ex: <http://example.org/> SELECT $this ("}{" AS ?s) WHERE { $this ex:p ?o }',
        "PREFIX ex: <http://example.org/> SELECT $this (EXISTS { ?x ?y ?z } AS ?e) "
        "WHERE { $this ex:p ?o }",
    ],
    ids=["brace", "braces", "exists-in-projection"],
)
def test_compiled_and_reference_agree_with_a_brace_before_the_where_group(tmp_path, select):
    shapes, data = _write(tmp_path, select)
    answers = {}
    for engine in ("oxigraph", "reference"):
        done = run_cli("validate", "--engine", engine, "--data", str(data), "--shapes", str(shapes))
        answers[engine] = (done.returncode, flat(done.stdout).split(":")[0])
    # ex:a (the one focus node) has no ex:p: it conforms, and the ten others are no targets
    assert answers["oxigraph"] == answers["reference"] == (0, "Conforms"), answers


def test_the_target_goes_after_the_where_brace_token():
    select = screen('SELECT $this ("{" AS ?s) WHERE { $this ?p ?o }').text
    query = with_target(select, TARGET, "test")
    lines = query.split("\n")
    assert lines[lines.index("WHERE") + 1 : lines.index("WHERE") + 3] == ["{", "GRAPH"]
    assert '"{"' in lines  # the string is as it was
