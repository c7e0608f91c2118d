"""`zonekg diff`: added and removed triples with labels, exit 1 when different."""

from __future__ import annotations

import re
import subprocess

import pytest
from cli_support import zonekg_in_process

from zonekg import api
from zonekg.core import paths
from zonekg.core.formats import FORMATS
from zonekg.publish.diff import diff, read_graph


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return zonekg_in_process(*args)


@pytest.fixture(scope="module")
def exports(kgs, engine, tmp_path_factory):
    """The asserted graph, as *engine* loaded it, in every export format."""
    folder = tmp_path_factory.mktemp(f"exports-{engine}")
    files = {}
    for fmt in FORMATS.values():
        files[fmt.name] = folder / f"zonekg{fmt.suffix}"
        api.export(kgs[engine], fmt.name, "asserted", output=files[fmt.name])
    return files


def test_every_export_format_reads_as_the_same_graph(kg, exports):
    graphs = {name: read_graph(path) for name, path in exports.items()}
    first = graphs.pop("turtle")
    assert len(first) > 500
    for name, graph in graphs.items():
        assert diff(first, graph).same, name
    # and it is the graph the reference engine (rdflib) read from the files
    assert diff(kg.rdf.asserted(), first).same


def test_a_changed_file_shows_removed_and_added_triples_with_labels(tmp_path):
    source = paths.DATA / "zone.trig"
    text = source.read_text(encoding="utf-8")
    # The total area is stated by two sources (two graphs); change it in both. The
    # first-phase area of People's Daily, also 36.9, is another resource and stays.
    total = re.compile(
        r"(quantity:chengdu-zone-total-area a qudt:QuantityValue ;\n[^\n]*\n\s*)"
        r"qudt:numericValue 36\.9 ;"
    )
    edited, made = total.subn(r"\1qudt:numericValue 37.0 ;", text)
    assert made == 2
    assert edited.count("qudt:numericValue 36.9 ;") == 1
    changed = tmp_path / "zone.trig"
    changed.write_text(edited, encoding="utf-8")
    result = zonekg("diff", str(source), str(changed))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    removed = [line for line in lines if line.startswith("- ")]
    added = [line for line in lines if line.startswith("+ ")]
    assert removed == ['- quantity:chengdu-zone-total-area qudt:numericValue "36.9"^^xsd:decimal .']
    assert added == ['+ quantity:chengdu-zone-total-area qudt:numericValue "37.0"^^xsd:decimal .']
    assert "# total area of the China-Japan (Chengdu) zone" in result.stdout
    assert "1 removed, 1 added" in result.stderr


def test_labels_come_from_the_project_for_terms_the_files_do_not_label(tmp_path):
    a = tmp_path / "a.nt"
    b = tmp_path / "b.nt"
    zone = "<https://w3id.org/zonekg/id/zone/chengdu>"
    a.write_text("")
    b.write_text(f"{zone} <https://w3id.org/zonekg/def#partOf> {zone} .\n")
    result = zonekg_in_process("diff", str(a), str(b), env={"COLUMNS": "200"})  # one line
    assert result.returncode == 1
    assert "+ zone:chengdu zk:partOf zone:chengdu ." in result.stdout
    assert (
        "China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone — part of"
        in (result.stdout)
    )


def test_an_export_of_the_current_graph_does_not_differ_from_it(exports):
    result = zonekg("diff", str(exports["jsonld"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "no differences" in result.stderr


def test_bad_input_names_the_file_and_exits_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("zk:x a .\n")
    result = zonekg("diff", str(bad))
    assert result.returncode == 2
    assert "bad.ttl:1" in result.stderr
    unknown = tmp_path / "graph.yaml"
    unknown.write_text("x")
    result = zonekg("diff", str(unknown))
    assert result.returncode == 2 and "suffix" in result.stderr
