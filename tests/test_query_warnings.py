"""Warnings for terms that return nothing (issue 21: the 'did you mean' check covered zk:
only, so qudt:hasUnit for qudt:unit gave 0 rows silently), and the unknown-prefix error."""

from __future__ import annotations

import os
import subprocess
import sys

from rdflib import RDF, Dataset, Graph

from zonekg import api
from zonekg.core import paths
from zonekg.core.namespaces import CHECKED_VOCABULARIES, PREFIXES, curie


def _used_terms() -> dict[str, set[str]]:
    """Per checked vocabulary, the terms the data files use (properties, classes) and the
    ontology file describes, read by rdflib."""
    data = Dataset()
    files = sorted(paths.DATA.glob("*.trig"))
    assert files
    for file in files:
        data.parse(file, format="trig")
    used = {str(p) for _s, p, _o, _g in data.quads((None, None, None, None))}
    used |= {str(o) for _s, _p, o, _g in data.quads((None, RDF.type, None, None))}
    used |= {str(s) for s in Graph().parse(paths.ONTOLOGY, format="turtle").subjects()}
    by_vocabulary: dict[str, set[str]] = {}
    for prefix in CHECKED_VOCABULARIES:
        namespace = PREFIXES[prefix]
        by_vocabulary[prefix] = {t for t in used if t.startswith(namespace) and t != namespace}
    return by_vocabulary


def _warned(kg, text: str) -> dict[str, str | None]:
    screened = api.screen_job(api.job_for(text), kg.limits)
    return dict(api.undefined_terms(kg, screened))


def test_a_misspelt_term_of_any_vocabulary_is_warned_with_the_closest(kgs, engine):
    kg = kgs[engine]
    found = _warned(kg, "SELECT * WHERE { ?q qudt:hasUnit ?u }")
    assert found == {PREFIXES["qudt"] + "hasUnit": PREFIXES["qudt"] + "unit"}
    vocabularies = _used_terms()
    tried = 0
    for prefix, terms in vocabularies.items():
        if not terms:
            continue
        term = sorted(terms)[0]
        local = term[len(PREFIXES[prefix]) :]
        misspelt = PREFIXES[prefix] + local + "x"  # one letter too many
        found = _warned(kg, f"SELECT * WHERE {{ ?s <{misspelt}> ?o }}")
        assert misspelt in found, prefix
        assert found[misspelt] is not None and found[misspelt].startswith(PREFIXES[prefix])
        tried += 1
    assert tried >= 8  # zk, dct, skos, qudt, schema, foaf, org, prov, oa, marcrel …


def test_every_term_the_data_uses_or_the_ontology_documents_is_known(kgs, engine):
    kg = kgs[engine]
    for terms in _used_terms().values():
        for term in sorted(terms):
            assert not _warned(kg, f"SELECT * WHERE {{ ?s <{term}> ?o }}"), curie(term)


def test_no_competency_question_is_warned_about(kg):
    for cq in api.all_questions():
        assert not _warned(kg, cq.text), cq.name


def test_the_warning_names_the_term_and_the_closest_on_the_command_line():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonekg.cli",
            "query",
            "--text",
            "SELECT * WHERE { ?q qudt:hasUnit ?u }",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "warning: qudt:hasUnit is neither used by the data nor documented in the ontology; "
        "did you mean qudt:unit?" in " ".join(done.stderr.split())
    )


def test_an_unknown_prefix_lists_the_project_prefixes():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonekg.cli",
            "query",
            "--text",
            "SELECT * WHERE { ?x shema:name ?n }",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert "unknown prefix shema:" in said and "did you mean schema:?" in said
    for prefix in PREFIXES:
        assert f" {prefix}:," in said or f" {prefix}:" in said.split("prefixes:")[1], prefix
