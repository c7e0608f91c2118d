"""Issue 18, class E: reserved graph names accepted.

Data graphs named .../graph/inferred, .../graph/types or .../graph/asserted were mixed
with the project's own graphs: --reason gave fewer answers than without, user triples
were exported as inferences, push put graph/asserted twice and listed it as a source
graph. Only validate objected. A graph named by a blank node gave exit 3.

inputs.collect (every command loads through it) refuses a graph name under the
project's graph namespace, and a blank-node graph name, naming the file and line: exit 2.
"""

from __future__ import annotations

import pytest
from safety_support import Listener, flat, run_cli

from zonekg.core.errors import InputWarning, LoadError
from zonekg.core.namespaces import ASSERTED_GRAPH, GRAPH, INFERRED_GRAPH, PUSHED_GRAPH, TYPES_GRAPH
from zonekg.inputs import collect

TRIG = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix zk: <https://w3id.org/zonekg/def#> .

{name} {{
    <https://example.org/thing> a zk:Organization ;
        rdfs:label "a user's triple"@en .
}}
"""
RESERVED = [INFERRED_GRAPH, TYPES_GRAPH, ASSERTED_GRAPH, PUSHED_GRAPH, GRAPH + "data/zone.trig"]


def _trig(tmp_path, name: str):
    path = tmp_path / "mine.trig"
    path.write_text(TRIG.format(name=name), encoding="utf-8")
    return path


@pytest.mark.parametrize("graph", RESERVED)
def test_a_graph_under_the_project_s_namespace_is_refused_at_load(tmp_path, graph):
    path = _trig(tmp_path, f"<{graph}>")
    with pytest.raises(LoadError) as refused:
        collect([path], [])
    assert refused.value.file == path and refused.value.line == 4
    assert graph in refused.value.message and "graph namespace" in refused.value.message


@pytest.mark.parametrize("name", ["_:g", "[]", "GRAPH _:g"])
def test_a_blank_node_graph_name_is_refused_at_load(tmp_path, name):
    path = _trig(tmp_path, name)
    with pytest.raises(LoadError) as refused:
        collect([path], [])
    assert refused.value.line == 4 and "blank node" in refused.value.message


def test_n_quads_graph_names_are_refused_with_their_line(tmp_path):
    path = tmp_path / "mine.nq"
    path.write_text(
        "<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
        f'<https://example.org/a> <https://example.org/p> "x" <{TYPES_GRAPH}> .\n'
    )
    with pytest.raises(LoadError) as refused:
        collect([path], [])
    assert refused.value.line == 2


def test_a_relative_graph_name_cannot_reach_the_namespace(tmp_path):
    """A relative graph name resolves against the file's graph IRI, in the namespace."""
    path = _trig(tmp_path, "<../../inferred>")
    with pytest.raises(LoadError) as refused, pytest.warns(InputWarning, match="relative IRI"):
        collect([path], [])
    assert refused.value.line == 4


def test_graphs_of_one_s_own_load_as_before(tmp_path):
    path = _trig(tmp_path, "<https://example.org/my-source>")
    inputs = collect([path], [])
    assert inputs.graphs() == ["https://example.org/my-source"]


@pytest.mark.parametrize(
    "command",
    [
        ["query", "--reason", "--text", "SELECT * WHERE { ?s a ?c }"],  # fewer answers
        ["export", "--graph", "all", "--format", "nquads"],  # exported as inferences
        ["reason"],
        ["validate"],  # the one command that objected (exit 1): now exit 2 like the rest
        ["stats"],
    ],
    ids=lambda c: c[0] + ("-reason" if "--reason" in c else ""),
)
def test_every_command_refuses_a_data_graph_named_graph_inferred(tmp_path, command):
    path = _trig(tmp_path, f"<{INFERRED_GRAPH}>")
    done = run_cli(*command, "--data", "data", "--data", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}:4: the graph <{INFERRED_GRAPH}>" in flat(done.stderr)


def test_push_of_a_data_graph_named_graph_asserted_sends_nothing(tmp_path):
    path = _trig(tmp_path, f"<{ASSERTED_GRAPH}>")
    listener = Listener()
    try:
        done = run_cli(
            "push", "--endpoint", listener.url + "store", "--data", "data", "--data", str(path)
        )
    finally:
        listener.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}:4:" in flat(done.stderr)
    assert listener.connections == 0


def test_a_blank_node_graph_name_is_exit_2_not_an_internal_error(tmp_path):
    path = _trig(tmp_path, "_:g")
    done = run_cli("stats", "--data", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}:4: a graph is named by a blank node" in flat(done.stderr)
