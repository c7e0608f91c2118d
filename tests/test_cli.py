"""The CLI end to end as a user types it: exit codes, messages, no writes.

The commands run through `zonekg.cli.main` in the test process (tests/cli_support.py); the
same commands as processes of their own are tested on the installed wheel (test_installed)
and by the bad-input suite (test_bad_inputs), and the guard by test_guard."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest
from cli_support import zonekg_in_process
from rdflib import Dataset, Graph

from zonekg.core import paths


def zonekg(*args: str) -> subprocess.CompletedProcess:
    # These tests read a table's row, or a line of `why`, from one line: wide enough
    # (the width rules themselves are tested in test_output_fit.py).
    return zonekg_in_process(*args, env={"COLUMNS": "1000"})


def _tree_digest() -> dict[str, str]:
    files = [*paths.DATA.rglob("*.tt[l]"), *paths.DATA.rglob("*.trig"), paths.ONTOLOGY]
    files += list(paths.QUERIES.glob("*"))
    assert files
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture()
def unchanged_sources():
    before = _tree_digest()
    yield
    assert _tree_digest() == before, "a command modified a source file"


def test_validate_project_data_conforms(unchanged_sources, engine):
    result = zonekg("validate", "--engine", engine)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms" in result.stdout


def test_validate_json_reports_results_with_file_and_line(tmp_path, engine):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        "<https://w3id.org/zonekg/id/proposal/nameless> a zk:Proposal .\n",
        encoding="utf-8",
    )
    result = zonekg("validate", "--data", str(bad), "--format", "json", "--engine", engine)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["results"]
    about = [r for r in report["results"] if r["focus"].endswith("/proposal/nameless")]
    assert about and all(r["where"] == [f"{bad}:4"] for r in about)
    # A plain Turtle file states no source: its graph is not named after a source document.
    assert any(r["shape"] == "zksh:DataGraphShape" for r in report["results"])


@pytest.mark.parametrize("command", ["validate", "reason", "stats", "export"])
def test_turtle_syntax_error_names_file_and_line_and_exits_2(tmp_path, command, engine):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "<https://w3id.org/zonekg/id/zone/a> a zk:DemonstrationZone\n"
        "<https://w3id.org/zonekg/id/zone/b> a zk:DemonstrationZone .\n",
        encoding="utf-8",
    )
    result = zonekg(command, "--data", str(broken), "--engine", engine)
    assert result.returncode == 2
    assert f"{broken}:3:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_data_path_exits_2(tmp_path):
    result = zonekg("stats", "--data", str(tmp_path / "nope.ttl"))
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


def test_unknown_query_lists_the_known_ones():
    result = zonekg("query", "cq99")
    assert result.returncode == 2
    assert "unknown query 'cq99'" in result.stderr
    assert "cq01-zone-areas" in result.stderr


def test_sparql_syntax_error_shows_position():
    result = zonekg("query", "--text", "SELECT ?s WHERE { ?s ?p }")
    assert result.returncode == 2
    assert "--text:1:" in result.stderr
    assert "SPARQL syntax error" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_updates_and_service_are_refused(text, unchanged_sources):
    result = zonekg("query", "--text", text)
    assert result.returncode == 2
    assert "not allowed" in result.stderr


def test_bad_flag_value_exits_2():
    result = zonekg("validate", "--inference", "magic")
    assert result.returncode == 2
    # the choices come from the API (click.Choice), and the message names the flag
    assert "'--inference': 'magic' is not one of 'none', 'rdfs', 'owlrl'" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_query_formats(fmt, engine):
    result = zonekg("query", "cq01", "--format", fmt, "--engine", engine)
    assert result.returncode == 0, result.stderr
    assert "Gazelle Valley" in result.stdout


def test_query_all_answers_every_question():
    from zonekg.core.questions import questions

    result = zonekg("query", "--all")
    assert result.returncode == 0, result.stderr
    for cq in questions():
        assert f"{cq.name}:" in result.stdout


def test_reason_writes_only_inferred_triples_and_leaves_data_alone(tmp_path, unchanged_sources):
    from rdflib import Graph

    from zonekg import api

    target = tmp_path / "out" / "inferred.ttl"
    result = zonekg("reason", "-o", str(target))
    assert result.returncode == 0, result.stderr
    inferred = Graph().parse(target)
    asserted = api.load().rdf.asserted()
    assert len(inferred) > 0
    assert not any(triple in asserted for triple in inferred)
    assert [p.name for p in target.parent.iterdir()] == ["inferred.ttl"]


def test_why_shows_the_quotes_behind_the_zone():
    result = zonekg("why", "zone:chengdu")
    assert result.returncode == 0, result.stderr
    assert "36.9 square kilometers" in result.stdout


def _why_blocks(text: str) -> dict[str, str]:
    """The output of `zonekg why` cut into one block per source, keyed by its CURIE."""
    blocks = {}
    for block in text.split("\n\n")[1:]:
        if block.startswith(("Pointed to by", "Where sources disagree")):
            break  # the sources' blocks end here
        record = block.splitlines()[1].strip()
        blocks[record.split(",")[0]] = block
    return blocks


@pytest.mark.parametrize("engine_name", ["oxigraph", "reference"])
def test_why_lists_per_source_its_record_and_the_facts_it_states(engine_name):
    result = zonekg("why", "zone:chengdu", "--engine", engine_name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "zone:chengdu — China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
    )
    assert "16 sources state what follows" in result.stdout
    blocks = _why_blocks(result.stdout)
    assert len(blocks) == 16
    total = "zk:totalArea quantity:chengdu-zone-total-area"
    assert sorted(c for c, b in blocks.items() if total in b) == [
        "document:afpbb-2020-11-21",
        "document:article-2020-11-19",
    ]
    first = "zk:firstPhaseArea quantity:chengdu-zone-first-phase-area"
    assert [c for c, b in blocks.items() if first in b] == [
        "document:asiapresswire-2020-05",
        "document:peoples-daily-japanese-2020-11-20",
    ]
    afpbb = blocks["document:afpbb-2020-11-21"]
    assert "AFPBB News, 2020-11-21, <https://www.afpbb.com/articles/-/3317102>" in afpbb
    article = blocks["document:article-2020-11-19"]
    assert "with a total area of 36.9 square kilometers”" in article
    assert "PR Newswire, 2020-11-20, <https://www.prnewswire.com/" in article
    kantsuu = blocks["document:kantsuu-2020-05-22"]
    assert 'zk:establishmentDate "2020-05-20"^^xsd:date' in kantsuu
    embassy = blocks["document:chinese-embassy-in-japan-2020-11-19"]
    assert 'zk:establishmentDate "2020-05"^^xsd:gYearMonth' in embassy


def test_why_unknown_entity_exits_2():
    result = zonekg("why", "zone:atlantis")
    assert result.returncode == 2
    assert "not described" in result.stderr


def test_stats_counts_triples_per_file():
    result = zonekg("stats")
    assert result.returncode == 0
    files = sorted(paths.DATA.glob("*.trig"))
    assert files
    shown = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 2 and cells[0].startswith(("data/", "ontology/")):
            shown[cells[0]] = int(cells[1])
    # Each file's own statements (a source graph spans several files), counted by rdflib.
    expected = {}
    for file in files:
        dataset = Dataset()
        dataset.parse(file, format="trig")
        expected[f"data/{file.name}"] = len(set(dataset.quads((None, None, None, None))))
    expected["ontology/zonekg.ttl"] = len(Graph().parse(paths.ONTOLOGY, format="turtle"))
    assert shown == expected
    assert "zk:DemonstrationZone" in result.stdout


def test_questions_lists_every_question():
    result = zonekg("questions")
    assert result.returncode == 0
    assert "cq01-zone-areas" in result.stdout


def test_fmt_check_passes_on_project_data(unchanged_sources):
    result = zonekg("fmt", "--check")
    assert result.returncode == 0, result.stderr


def test_written_files_get_the_usual_permissions_not_private_temp_ones(tmp_path):
    """write_atomic goes through mkstemp (mode 0600); the result must honour the umask."""

    from zonekg.safety.atomic import write_atomic

    target = tmp_path / "out.ttl"
    write_atomic(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_misspelt_term_is_a_warning_with_the_closest_defined_term(engine):
    done = zonekg("query", "--engine", engine, "--text", "SELECT ?x WHERE { ?x a zk:Compnay }")
    assert done.returncode == 0, done.stderr
    assert "zk:Compnay is not defined in the ontology; did you mean zk:Company?" in done.stderr
    assert "0 rows" in done.stdout
    fine = zonekg("query", "--engine", engine, "--text", "SELECT ?x WHERE { ?x a zk:Company }")
    assert fine.returncode == 0 and "warning" not in fine.stderr


def test_graph_results_use_the_project_prefixes_and_say_when_empty(engine):
    construct = "CONSTRUCT { zone:chengdu rdfs:label ?l } WHERE { zone:chengdu rdfs:label ?l }"
    done = zonekg("query", "--engine", engine, "--text", construct)
    assert done.returncode == 0, done.stderr
    assert "@prefix zone: <https://w3id.org/zonekg/id/zone/>" in done.stdout
    assert "ns1:" not in done.stdout and "zone:chengdu rdfs:label" in done.stdout
    described = zonekg("query", "--engine", engine, "--text", "DESCRIBE zone:chengdu")
    assert described.returncode == 0 and "@prefix zk:" in described.stdout
    empty = "CONSTRUCT { ?s ?p ?o } WHERE { ?s <urn:x:none> ?o }"
    done = zonekg("query", "--engine", engine, "--text", empty)
    assert done.returncode == 0 and done.stdout.strip() == "no triples"


def test_tables_show_language_tags(engine):
    done = zonekg(
        "query", "--engine", engine, "--text", "SELECT ?l WHERE { zone:chengdu rdfs:label ?l }"
    )
    assert done.returncode == 0, done.stderr
    # zh-Hant: "中日(成都)地方發展合作示範區" (tp.hkcd.com, sibling-zones.md), tagged as written
    for tag in ("@zh ", "@zh-hant ", "@ja ", "@en "):
        assert tag in done.stdout, tag
    assert "4 rows" in done.stdout


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s ?p WHERE { ?s ?p ?o } GROUP BY ?s",
        "SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }",
        "SELECT ?s WHERE { ?s ?p }",
    ],
    ids=["ungrouped-variable", "rebound-variable", "syntax"],
)
def test_bad_queries_exit_2_with_the_position(text, engine):
    done = zonekg("query", "--engine", engine, "--text", text)
    assert done.returncode == 2, done.stderr
    assert "--text:1:" in done.stderr and "internal error" not in done.stderr


def test_a_progress_bar_shows_its_rate_in_whole_units():
    # the rate was rich's float as it came: "192.68312325183135 graphs/s"
    from types import SimpleNamespace

    from zonekg.cli.progress import rate_column

    column = rate_column("graphs")
    assert column.render(SimpleNamespace(speed=192.68312325183135)).plain == "193 graphs/s"
    assert column.render(SimpleNamespace(speed=12345.6)).plain == "12,346 graphs/s"
    assert column.render(SimpleNamespace(speed=None)).plain == ""
