"""Output files match their names: every `-o` takes its format from the suffix, or refuses a
file name whose suffix is not one the command writes (or that --format contradicts) with
exit 2, a message naming the suffixes it takes, and before any work or any write."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

from zonekg.core import formats
from zonekg.core.errors import ZonekgError
from zonekg.core.namespaces import INFERRED_GRAPH

ZONEKG = [sys.executable, "-m", "zonekg.cli"]
RDF_SUFFIXES = [fmt.suffix for fmt in formats.FORMATS.values()]


def zonekg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ZONEKG, *args], capture_output=True, text=True, timeout=600)


def _refused(done: subprocess.CompletedProcess, *suffixes: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    for suffix in suffixes:
        assert suffix in done.stderr, f"{suffix} is not named in: {done.stderr}"


def test_one_table_names_every_suffix_once():
    assert len(set(formats.SUFFIXES)) == len(formats.SUFFIXES)
    for fmt in formats.FORMATS.values():
        assert formats.SUFFIXES[fmt.suffix] == fmt.name


@pytest.mark.parametrize(
    "name, allowed, given, expected",
    [
        ("x.ttl", formats.RDF, None, "turtle"),
        ("x.NT", formats.RDF, None, "ntriples"),
        ("x.nq", formats.RDF, "nquads", "nquads"),
        ("x.gv", formats.PICTURES, None, "dot"),
        ("x.csv", ("csv",), None, "csv"),
    ],
)
def test_the_suffix_decides(tmp_path, name, allowed, given, expected):
    assert formats.output_format(tmp_path / name, allowed, given) == expected


@pytest.mark.parametrize(
    "name, allowed, given",
    [
        ("x.txt", formats.RDF, None),
        ("x", formats.RDF, None),
        ("x.nt", formats.RDF, "turtle"),
        ("x.csv", formats.RDF, None),
        ("x.ttl", ("csv",), None),
        ("x.jpg", formats.PICTURES, None),
    ],
)
def test_a_mismatch_is_refused_naming_the_suffixes(tmp_path, name, allowed, given):
    with pytest.raises(ZonekgError) as refused:
        formats.output_format(tmp_path / name, allowed, given)
    assert refused.value.exit_code == 2
    # the suffixes that would do: the given format's, else every one the command writes
    for suffix in formats.suffixes_of([given] if given else allowed):
        assert suffix in str(refused.value)


def test_reason_to_nt_writes_ntriples(tmp_path):
    target = tmp_path / "closure.nt"
    done = zonekg("reason", "-o", str(target))
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert "@prefix" not in text and text.strip()
    triples = [q.triple for q in ox.parse(input=text.encode(), format=ox.RdfFormat.N_TRIPLES)]
    assert len(triples) == len(text.strip().splitlines())


def test_reason_follows_every_rdf_suffix(tmp_path):
    """The closure in each format parses back as that format, into the same triples."""
    found = {}
    for fmt in formats.FORMATS.values():
        target = tmp_path / f"closure{fmt.suffix}"
        done = zonekg("reason", "-o", str(target))
        assert done.returncode == 0, done.stderr
        if fmt.name == "jsonld":
            from zonekg.core.jsonld import to_graph

            graph = to_graph(json.loads(target.read_text(encoding="utf-8")))
            found[fmt.name] = len(graph)
            continue
        quads = list(ox.parse(path=str(target), format=fmt.ox_format))
        found[fmt.name] = len({q.triple for q in quads})
        if fmt.keeps_graphs:
            assert {q.graph_name.value for q in quads} == {INFERRED_GRAPH}
    assert len(set(found.values())) == 1 and found["turtle"] > 0, found


@pytest.mark.parametrize(
    "args, suffixes",
    [
        (["export", "--format", "turtle", "-o", "{tmp}/x.nt"], [".ttl"]),
        (["export", "-o", "{tmp}/x.txt"], RDF_SUFFIXES),
        (["export", "--canonical", "-o", "{tmp}/x.ttl"], [".nq"]),
        (["export", "--table", "projects", "-o", "{tmp}/x.ttl"], [".csv"]),
        (["reason", "-o", "{tmp}/x.csv"], RDF_SUFFIXES),
        (["run", "-o", "{tmp}/x.txt"], RDF_SUFFIXES),
        (["diagram", "zone", "-o", "{tmp}/x.jpg"], [".svg", ".png", ".dot"]),
    ],
)
def test_every_command_refuses_a_mismatched_name(tmp_path, args, suffixes):
    done = zonekg(*[a.format(tmp=tmp_path) for a in args])
    _refused(done, *suffixes)
    assert list(tmp_path.iterdir()) == [], "a refused output was written"


def test_export_takes_the_format_from_the_suffix(tmp_path):
    target = tmp_path / "graph.nt"
    assert zonekg("export", "-o", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines and all(line.endswith(" .") for line in lines)
    list(ox.parse(input=text.encode(), format=ox.RdfFormat.N_TRIPLES))
