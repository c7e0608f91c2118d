"""Exports: every format parsed back (by rdflib and by an independent parser) and
compared with the source graph; named graphs kept; canonical bytes; atomic writes."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from zonekg import export as ex
from zonekg.jsonld import to_graph
from zonekg.load import graph_iri
from zonekg.namespaces import PREFIXES
from zonekg.reason import INFERRED_GRAPH

SERDI_SYNTAX = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig"}


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def datasets(kg):
    return {
        "asserted": ex.select(kg, "asserted"),
        "all": ex.select(kg, "all", reason=True),
        "inferred": ex.select(kg, "inferred"),
    }


def _graphs(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def _parse_back(text: str, fmt: ex.Format):
    if fmt.name == "jsonld":
        return to_graph(json.loads(text))
    if fmt.keeps_graphs:
        back = Dataset()
        back.parse(data=text, format=fmt.rdflib)
        return back
    return Graph().parse(data=text, format=fmt.rdflib)


def _assert_same(back, source: Dataset, fmt: ex.Format) -> None:
    if fmt.keeps_graphs:
        expected, got = _graphs(source), _graphs(back)
        assert sorted(got) == sorted(expected)
        for name, graph in expected.items():
            assert isomorphic(got[name], graph), f"graph {name} differs after {fmt.name}"
    else:
        assert isomorphic(back, ex.merged(source))


@pytest.mark.parametrize("selection", ["asserted", "all"])
@pytest.mark.parametrize("name", list(ex.FORMATS))
def test_every_format_parses_back_to_the_same_graph(datasets, name, selection):
    fmt = ex.FORMATS[name]
    source = datasets[selection]
    text = ex.serialize(source, fmt)
    _assert_same(_parse_back(text, fmt), source, fmt)


@pytest.mark.parametrize("name", list(SERDI_SYNTAX))
@pytest.mark.parametrize("selection", ["asserted", "all"])
def test_serdi_reads_every_turtle_family_export(datasets, name, selection, tmp_path):
    fmt = ex.FORMATS[name]
    source = datasets[selection]
    path = tmp_path / f"export{fmt.suffix}"
    path.write_text(ex.serialize(source, fmt), encoding="utf-8")
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
        assert isomorphic(ex.merged(back), ex.merged(source))


@pytest.mark.parametrize("selection", ["asserted", "all"])
def test_rapper_reads_the_rdfxml_export(datasets, selection, tmp_path):
    source = datasets[selection]
    path = tmp_path / "export.rdf"
    path.write_text(ex.serialize(source, "rdfxml"), encoding="utf-8")
    done = subprocess.run(
        ["rapper", "-q", "-i", "rdfxml", "-o", "ntriples", str(path)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    back = Graph().parse(data=done.stdout.decode("utf-8"), format="nt")
    assert isomorphic(back, ex.merged(source))


def test_named_graphs_are_one_per_file_plus_inferred(kg, datasets):
    files = {str(graph_iri(f)) for f in [*kg.ontology_files, *kg.data_files]}
    assert len(files) == len(kg.data_files) + 1 and len(kg.data_files) > 1
    assert set(_graphs(datasets["asserted"])) == files
    assert set(_graphs(datasets["all"])) == files | {str(INFERRED_GRAPH)}
    assert set(_graphs(datasets["inferred"])) == {str(INFERRED_GRAPH)}
    inferred = _graphs(datasets["inferred"])[str(INFERRED_GRAPH)]
    asserted = ex.merged(datasets["asserted"])
    assert len(inferred) > 0
    assert not any(t in asserted for t in inferred), "inferred graph repeats asserted triples"


def test_inferred_graph_holds_only_writable_rdf(datasets):
    for s, p, _ in ex.merged(datasets["inferred"]):
        assert isinstance(s, URIRef | BNode) and isinstance(p, URIRef)


@pytest.mark.parametrize("name", ["turtle", "trig"])
def test_prefixes_are_the_projects_own(datasets, name):
    text = ex.serialize(datasets["all"], name)
    declared = {}
    for line in text.splitlines():
        if line.startswith("@prefix"):
            _, prefix, iri, _ = line.split()
            declared[prefix.rstrip(":")] = iri.strip("<>")
    assert {"zk", "zone", "place", "prov"} <= set(declared)
    for prefix, iri in declared.items():
        assert PREFIXES.get(prefix) == iri, f"@prefix {prefix}: <{iri}> is not the project's"


def test_canonical_is_byte_identical_across_runs_and_input_order(kg, datasets):
    source = datasets["asserted"]
    first = ex.canonical_nquads(source)
    assert first == ex.canonical_nquads(ex.select(kg, "asserted"))
    quads = list(source.quads((None, None, None, None)))
    random.Random(5).shuffle(quads)
    shuffled = Dataset()
    for s, p, o, g in quads:
        shuffled.graph(g.identifier if isinstance(g, Graph) else g).add((s, p, o))
    assert ex.canonical_nquads(shuffled) == first
    lines = first.splitlines()
    assert lines == sorted(lines) and len(lines) == len(quads)
    back = Dataset()
    back.parse(data=first, format="nquads")
    _assert_same(back, source, ex.FORMATS["nquads"])


def test_canonical_relabels_blank_nodes_whatever_their_input_labels():
    def sample(labels: list[str], order: list[int]) -> Dataset:
        a, b = BNode(labels[0]), BNode(labels[1])
        p = URIRef("https://w3id.org/zonekg/def#p")
        triples = [
            (a, p, b),
            (b, p, Literal("x")),
            (a, p, Literal("y", lang="en")),
            (URIRef("https://w3id.org/zonekg/id/zone/z"), p, a),
        ]
        ds = Dataset()
        graph = ds.graph(URIRef("https://w3id.org/zonekg/graph/t"))
        for i in order:
            graph.add(triples[i])
        return ds

    one = ex.canonical_nquads(sample(["x1", "x2"], [0, 1, 2, 3]))
    two = ex.canonical_nquads(sample(["zz", "aa"], [3, 1, 0, 2]))
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
    first = zonekg("export", "--canonical")
    second = zonekg("export", "--canonical")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout.count("\n") > 100


def test_cli_export_refuses_bad_options():
    for args in (
        ["--format", "yaml"],
        ["--graph", "some"],
        ["--canonical", "--format", "turtle"],
    ):
        result = zonekg("export", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "error" in result.stderr


def test_failed_export_leaves_existing_file_untouched(kg, tmp_path, monkeypatch):
    target = tmp_path / "good.ttl"
    target.write_text("# a good earlier export\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("serialisation failed")

    monkeypatch.setattr(ex, "serialize", broken)
    with pytest.raises(RuntimeError):
        ex.export(kg, "turtle", output=target)
    assert target.read_text(encoding="utf-8") == "# a good earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.ttl"]


def test_interrupted_write_leaves_no_partial_file(kg, tmp_path, monkeypatch):
    import os

    target = tmp_path / "good.nq"
    target.write_text("# good\n", encoding="utf-8")
    fresh = tmp_path / "fresh.nq"

    def fail(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    for path in (target, fresh):
        with pytest.raises(OSError):
            ex.export(kg, "nquads", output=path)
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
    first, second = (zonekg("export", "--format", name) for _ in range(2))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout) > 1000
