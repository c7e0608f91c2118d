"""Exports: every format parsed back (by rdflib and by an independent parser) and
compared with the source graph; named graphs kept; canonical bytes; atomic writes.

Exports are written by pyoxigraph from either engine's quads; each is compared
with the graphs the reference engine (rdflib) loaded, so both engines are held to
one oracle.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest
from cli_support import zonekg_in_process
from rdflib import RDF, BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from zonekg import api
from zonekg.core import formats
from zonekg.core.formats import FORMATS, Format
from zonekg.core.jsonld import to_graph
from zonekg.core.namespaces import INFERRED_GRAPH, PREFIXES, graph_iri
from zonekg.core.vocab import ZK

SERDI_SYNTAX = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig"}
RDFLIB_SYNTAX = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
SELECTIONS = ("asserted", "all", "inferred")


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return zonekg_in_process(*args)


def zonekg_in_new_process(*args: str) -> subprocess.CompletedProcess:
    """For what only a new process shows (hash randomisation differs from one to the next)."""
    return subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def datasets(kgs):
    """The oracle: each selection's graphs as the reference engine (rdflib) holds them."""
    reference = kgs["reference"]
    found = {}
    for selection in SELECTIONS:
        dataset = Dataset()
        for iri in api.export_graphs(reference, selection):
            named = dataset.graph(URIRef(iri))
            for triple in reference.rdf.graph(iri):
                named.add(triple)
        found[selection] = dataset
    return found


def _export(kgs, engine: str, name: str, selection: str) -> str:
    return api.export(kgs[engine], name, selection)


def _graphs(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def merged(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _parse_back(text: str, fmt: Format):
    if fmt.name == "jsonld":
        return to_graph(json.loads(text))
    if fmt.keeps_graphs:
        back = Dataset()
        back.parse(data=text, format=RDFLIB_SYNTAX[fmt.name])
        return back
    return Graph().parse(data=text, format=RDFLIB_SYNTAX[fmt.name])


def _assert_same(back, source: Dataset, fmt: Format) -> None:
    if fmt.keeps_graphs:
        expected, got = _graphs(source), _graphs(back)
        assert sorted(got) == sorted(expected)
        for name, graph in expected.items():
            assert isomorphic(got[name], graph), f"graph {name} differs after {fmt.name}"
    else:
        assert isomorphic(back, merged(source))


@pytest.mark.parametrize("selection", ["asserted", "all"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_parses_back_to_the_same_graph(kgs, engine, datasets, name, selection):
    fmt = FORMATS[name]
    text = _export(kgs, engine, name, selection)
    _assert_same(_parse_back(text, fmt), datasets[selection], fmt)


@pytest.mark.parametrize("name", list(SERDI_SYNTAX))
@pytest.mark.parametrize("selection", ["asserted", "all"])
def test_serdi_reads_every_turtle_family_export(kgs, engine, datasets, name, selection, tmp_path):
    fmt = FORMATS[name]
    source = datasets[selection]
    path = tmp_path / f"export{fmt.suffix}"
    path.write_text(_export(kgs, engine, name, selection), encoding="utf-8")
    done = subprocess.run(
        ["serdi", "-i", SERDI_SYNTAX[name], "-o", "nquads", str(path)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    back = Dataset()
    back.parse(data=done.stdout.decode("utf-8"), format="nquads")
    if fmt.keeps_graphs:
        _assert_same(back, source, fmt)
    else:
        assert isomorphic(merged(back), merged(source))


@pytest.mark.parametrize("selection", ["asserted", "all"])
def test_rapper_reads_the_rdfxml_export(kgs, engine, datasets, selection, tmp_path):
    source = datasets[selection]
    path = tmp_path / "export.rdf"
    path.write_text(_export(kgs, engine, "rdfxml", selection), encoding="utf-8")
    done = subprocess.run(
        ["rapper", "-q", "-i", "rdfxml", "-o", "ntriples", str(path)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    back = Graph().parse(data=done.stdout.decode("utf-8"), format="nt")
    assert isomorphic(back, merged(source))


def test_named_graphs_are_the_ontology_and_one_per_source_plus_inferred(kgs, engine):
    """The ontology file's graph, one graph per source document (named after it), and with
    the closure its own graph: as the files write them, whichever engine loaded them."""
    kg = kgs[engine]
    assert len(kg.ontology_files) == 1 and len(kg.data_files) > 1
    ontology = graph_iri(kg.ontology_files[0])
    # The source documents, found by rdflib in the files themselves (not by the engine).
    sources = set()
    for file in kg.data_files:
        parsed = Dataset()
        parsed.parse(file, format="trig")
        sources |= {str(d) for d, *_ in parsed.quads((None, RDF.type, ZK.SourceDocument, None))}
    assert len(sources) == 77
    expected = {ontology} | sources
    exported = {}
    for selection in SELECTIONS:
        back = Dataset()
        back.parse(data=_export(kgs, engine, "nquads", selection), format="nquads")
        exported[selection] = back
    assert set(_graphs(exported["asserted"])) == expected
    assert set(_graphs(exported["all"])) == expected | {INFERRED_GRAPH}
    assert not any(graph_iri(f) in _graphs(exported["asserted"]) for f in kg.data_files)
    assert set(_graphs(exported["inferred"])) == {INFERRED_GRAPH}
    inferred = _graphs(exported["inferred"])[INFERRED_GRAPH]
    asserted = merged(exported["asserted"])
    assert len(inferred) > 0
    assert not any(t in asserted for t in inferred), "inferred graph repeats asserted triples"


def test_inferred_graph_holds_only_writable_rdf(kgs, engine):
    back = Dataset()
    back.parse(data=_export(kgs, engine, "nquads", "inferred"), format="nquads")
    triples = list(merged(back))
    assert triples
    for s, p, _ in triples:
        assert isinstance(s, URIRef | BNode) and isinstance(p, URIRef)


@pytest.mark.parametrize("name", ["turtle", "trig"])
def test_prefixes_are_the_projects_own(kgs, engine, name):
    text = _export(kgs, engine, name, "all")
    declared = {}
    for line in text.splitlines():
        if line.startswith("@prefix"):
            _, prefix, iri, _ = line.split()
            declared[prefix.rstrip(":")] = iri.strip("<>")
    assert {"zk", "zone", "place", "prov"} <= set(declared)
    for prefix, iri in declared.items():
        assert PREFIXES.get(prefix) == iri, f"@prefix {prefix}: <{iri}> is not the project's"


def test_canonical_is_byte_identical_across_runs_engines_and_input_order(kgs, datasets):
    source = datasets["asserted"]
    first = api.export(kgs["reference"], graph="asserted", canonical=True)
    for engine in kgs:  # every engine, and a second run, give the same bytes
        assert api.export(kgs[engine], graph="asserted", canonical=True) == first
        # by default, the published dataset (as the release's N-Quads)
        dataset = formats.canonical_nquads(api.dataset_quads(kgs[engine]))
        assert api.export(kgs[engine], canonical=True) == dataset
    quads = list(kgs["oxigraph"].quads(kgs["oxigraph"].asserted_graphs))
    assert formats.canonical_nquads(quads) == first
    random.Random(5).shuffle(quads)
    assert formats.canonical_nquads(quads) == first
    lines = first.splitlines()
    assert lines == sorted(lines) and len(lines) == len(quads)
    assert len(quads) == len(list(source.quads((None, None, None, None))))
    back = Dataset()
    back.parse(data=first, format="nquads")
    _assert_same(back, source, FORMATS["nquads"])


def test_canonical_relabels_blank_nodes_whatever_their_input_labels():
    def sample(labels: list[str], order: list[int]) -> list[ox.Quad]:
        a, b = ox.BlankNode(labels[0]), ox.BlankNode(labels[1])
        p = ox.NamedNode("https://w3id.org/zonekg/def#p")
        triples = [
            (a, p, b),
            (b, p, ox.Literal("x")),
            (a, p, ox.Literal("y", language="en")),
            (ox.NamedNode("https://w3id.org/zonekg/id/zone/z"), p, a),
        ]
        graph = ox.NamedNode("https://w3id.org/zonekg/graph/t")
        return [ox.Quad(*triples[i], graph) for i in order]

    one = formats.canonical_nquads(sample(["x1", "x2"], [0, 1, 2, 3]))
    two = formats.canonical_nquads(sample(["zz", "aa"], [3, 1, 0, 2]))
    assert one == two
    assert "_:c14n0" in one and "_:x1" not in one


def test_cli_export_writes_a_file_and_infers_format_from_suffix(tmp_path):
    target = tmp_path / "out.trig"
    result = zonekg("export", "-o", str(target))
    assert result.returncode == 0, result.stderr
    back = Dataset()
    back.parse(target, format="trig")
    assert len(_graphs(back)) > 1


def test_cli_export_canonical_to_stdout_twice_is_identical():
    first = zonekg_in_new_process("export", "--canonical")
    second = zonekg_in_new_process("export", "--canonical")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout.count("\n") > 100


def test_cli_export_refuses_bad_options():
    for args, said in (
        (["--format", "yaml"], "'--format': 'yaml' is not one of 'turtle', "),
        (["--graph", "some"], "'--graph': 'some' is not one of 'dataset', "),
        (["--canonical", "--format", "turtle"], "--canonical writes N-Quads, not turtle"),
    ):
        result = zonekg("export", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "error" in result.stderr.lower() and said in result.stderr, result.stderr


def test_failed_export_leaves_existing_file_untouched(kgs, engine, tmp_path, monkeypatch):
    target = tmp_path / "good.ttl"
    target.write_text("# a good earlier export\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("serialisation failed")

    monkeypatch.setattr(formats, "serialize", broken)
    with pytest.raises(RuntimeError):
        api.export(kgs[engine], "turtle", output=target)
    assert target.read_text(encoding="utf-8") == "# a good earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.ttl"]


def test_interrupted_write_leaves_no_partial_file(kgs, engine, tmp_path, monkeypatch):
    import os

    target = tmp_path / "good.nq"
    target.write_text("# good\n", encoding="utf-8")
    fresh = tmp_path / "fresh.nq"

    def fail(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    for path in (target, fresh):
        with pytest.raises(OSError):
            api.export(kgs[engine], "nquads", output=path)
    assert target.read_text(encoding="utf-8") == "# good\n"
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.nq"]


def test_serdi_and_rapper_are_installed():
    # The independent parsers come from `make tools`; a missing one must fail, not skip.
    for tool in ("serdi", "rapper", "dot"):
        assert shutil.which(tool), f"{tool} missing: run `make tools`"


@pytest.mark.parametrize("name", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_text_formats_are_the_same_bytes_in_every_process(name):
    # Each run is a new process, so hash randomisation would show up as a difference.
    first, second = (zonekg_in_new_process("export", "--format", name) for _ in range(2))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout) > 1000
    # The writer is the same whichever engine loaded the graph, and so are the bytes.
    reference = zonekg_in_new_process("export", "--format", name, "--engine", "reference")
    assert reference.returncode == 0, reference.stderr
    assert reference.stdout == first.stdout
