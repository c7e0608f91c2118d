"""SHACL: the data conforms, and each counter-example fails for the reason its name gives."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SH
from report_support import term_key

from zonekg import api
from zonekg.core import paths
from zonekg.core.vocab import ZKSH
from zonekg.inputs.shapes import load_shapes, owning_node_shape

INVALID = sorted(paths.INVALID.glob("*.ttl")) + sorted(paths.INVALID.glob("*.trig"))


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def test_invalid_examples_exist():
    assert len(INVALID) >= 10


# Slow: pySHACL infers the OWL-RL closure of the whole graph first (~17 s of CPU each).
@pytest.mark.parametrize(
    "inference", ["none", "rdfs", pytest.param("owlrl", marks=pytest.mark.slow)]
)
def test_project_data_conforms(kgs, engine, shapes, inference):
    report = api.validate(kgs[engine], shapes, inference=inference)
    assert report.conforms, [r.as_dict() for r in report.results]


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_invalid_example_fails_on_the_shape_it_is_named_after(example, shapes, inference, engine):
    shape = ZKSH[example.name.split("-", 1)[0]]
    assert (shape, None, None) in shapes.graph, f"{example.name} names no shape of ours"
    report = api.validate(api.load([example], engine=engine), shapes, inference=inference)
    assert not report.conforms
    failing = {owning_node_shape(shapes.graph, r.source_shape) for r in report.results}
    assert failing == {shape}, f"{example.name} fails on {failing}"


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_on_its_shape_after_owl_rl_inference_as_pyshacl_finds(
    example, shapes
):
    """The fast engine infers OWL-RL with its own reasoner before validating; the
    reference engine hands the inference to pySHACL (owlrl). Both give the same results.
    Where the closure makes two nodes one (owl:sameAs, written or from a functional
    property), the merged nodes may fail other shapes too."""
    shape = ZKSH[example.name.split("-", 1)[0]]
    kg = api.load([example], engine="oxigraph")
    report = api.validate(kg, shapes, inference="owlrl")
    assert not kg.notes, "the fast engine validated, no hand-over"
    assert not report.conforms
    failing = {owning_node_shape(shapes.graph, r.source_shape) for r in report.results}
    assert shape in failing, f"{example.name} fails on {failing}"
    elsewhere = {
        str(r.focus)
        for r in report.results
        if owning_node_shape(shapes.graph, r.source_shape) != shape
    }
    assert not elsewhere or elsewhere <= _merged_nodes(example), f"{example.name}: {failing}"
    reference = api.validate(api.load([example], engine="reference"), shapes, inference="owlrl")
    assert _found(report) == _found(reference)


def _found(report) -> set[tuple]:
    """The results, their values compared as values (Oxigraph keeps numbers canonical)."""
    return {
        (str(r.focus), str(r.path), str(r.source_shape), term_key(r.value)) for r in report.results
    }


def _merged_nodes(example) -> set[str]:
    """The nodes the OWL-RL closure of *example* (with the ontology) makes one with another."""
    from zonekg.api.reasoning import schema_closer
    from zonekg.core.namespaces import INFERRED_GRAPH, OWL

    kg = api.load([example], engine="oxigraph")
    kg.engine.reason(kg.loaded, cap=10**7, close_schema=schema_closer(kg))
    same = kg.loaded.store.quads_for_pattern(
        None, ox.NamedNode(OWL + "sameAs"), None, ox.NamedNode(INFERRED_GRAPH)
    )
    return {n.value for q in same for n in (q.subject, q.object) if q.subject != q.object}


def test_every_shape_has_a_counter_example(shapes):
    graph = shapes.graph
    node_shapes = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert node_shapes
    covered = {ZKSH[example.name.split("-", 1)[0]] for example in INVALID}
    assert node_shapes - covered == set()


def test_results_on_one_focus_come_in_the_same_order_every_run(shapes):
    """Two results on one focus node were listed in the order the engine gave them, which
    changed from run to run (the manual's validation example showed it)."""
    from zonekg.core.results import ValidationReport

    kg = api.load([paths.INVALID / "ProposalShape-missing-label.trig"])
    results = api.validate(kg, shapes).results
    assert len({(r.node_shape, r.focus) for r in results}) < len(results)
    shown = [
        [(r.message, str(r.path)) for r in found]
        for order in (results, results[::-1])
        for found in ValidationReport(False, order).by_shape().values()
    ]
    assert shown[0] == shown[1] and shown[0] == sorted(shown[0], key=lambda m: (m[1], m[0]))


@pytest.mark.parametrize(
    "file", [paths.SHAPES, paths.ROOT / "ontology" / "shapes" / "dataset.shapes.ttl"]
)
def test_the_shapes_read_by_pyoxigraph_are_the_file_as_rdflib_reads_it(file):
    """``load_shapes`` parses with pyoxigraph and makes its rdflib graph from that (pySHACL's
    input): the file as rdflib reads it, but for the SPARQL texts, each replaced by its
    screened text, and sh:prefixes, used up."""
    from rdflib import Graph

    from zonekg.core.terms import triple_to_ox
    from zonekg.inputs.shapes import SPARQL_KEYS, literals_as_written

    texts = {SH[key] for key in SPARQL_KEYS}

    def canonical(graph) -> set:
        """The graph but for the texts, its blank nodes named by RDFC-1.0 (rdflib's own
        isomorphism test took 7 s on the project's shapes)."""
        kept = ox.Dataset(
            ox.Quad(*triple_to_ox(t), ox.DefaultGraph())
            for t in graph
            if t[1] not in texts | {SH.prefixes}
        )
        kept.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return set(kept)

    with literals_as_written():
        read = Graph().parse(file, format="turtle")
    shapes = load_shapes(file)
    assert canonical(read) == canonical(shapes.graph)
    for key in texts:
        assert len(set(read.subjects(key, None))) == len(set(shapes.graph.subjects(key, None)))
    assert len(shapes.triples) == len(shapes.graph) > 100


def test_the_fast_engine_validates_without_rdflib():
    """Reading the shapes with rdflib took 0.35 s of a validation: the fast engine's path
    through `zonekg validate` imports neither rdflib nor pySHACL nor owlrl."""
    import subprocess
    import sys

    script = (
        "import sys; sys.argv = ['zonekg', 'validate']\n"
        "from zonekg.cli import main\n"
        "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
        "found = sorted({m.split('.')[0] for m in sys.modules} & {'rdflib', 'pyshacl', 'owlrl'})\n"
        "print('imported:', found, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Conforms:")
    assert "imported: []" in done.stderr


def test_a_labelled_blank_node_of_the_shapes_is_one_of_their_own(tmp_path):
    """pyoxigraph's parser keeps a document's blank node labels: a shape written `_:s` is
    made a node of the shapes' own (each reading its own, as rdflib's parser did), and a
    result names it, not the data's `_:s`."""
    shapes_file = tmp_path / "labelled.shapes.ttl"
    shapes_file.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "_:s a sh:NodeShape ; sh:targetClass <http://example.org/T> ;\n"
        "  sh:property [ sh:path <http://example.org/p> ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    data = tmp_path / "labelled.ttl"
    data.write_text(
        "_:s a <http://example.org/T> ; <http://example.org/q> _:s .\n", encoding="utf-8"
    )
    first, second = load_shapes(shapes_file), load_shapes(shapes_file)
    labels = {t.subject.value for t in first.triples if isinstance(t.subject, ox.BlankNode)}
    assert labels and "s" not in labels
    assert not labels & {
        t.subject.value for t in second.triples if isinstance(t.subject, ox.BlankNode)
    }
    kg = api.load([data], ontology=[], engine="oxigraph")
    (result,) = api.validate(kg, first).results
    shape = first.node_shape(ox.BlankNode(str(result.source_shape)))
    assert shape.value in labels
    assert str(result.focus) not in labels | {"s"}


def test_shapes_pyoxigraph_cannot_parse_are_a_load_error_naming_the_file(monkeypatch):
    """Should the parse fail after the checks passed (a verdict kept for these bytes), the
    shapes are refused with the file named, not with a traceback."""
    from zonekg.core.errors import LoadError
    from zonekg.inputs import InputFile

    def broken(self):
        raise SyntaxError("unexpected end of file")

    monkeypatch.setattr(InputFile, "parse", broken)
    with pytest.raises(LoadError, match="cannot load: unexpected end of file") as refused:
        load_shapes()
    assert refused.value.file == paths.SHAPES
