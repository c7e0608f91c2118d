"""The fast engine (Oxigraph, compiled rules and shapes) answers as the reference does.

Reference: owlrl for the closure, pySHACL for validation, rdflib for queries.
Compared on the real data and on generated data (small, to keep tests quick),
through the one engine interface.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal
from report_support import term_key

from zonekg import api, engines
from zonekg.core import paths
from zonekg.core.errors import LimitError, LoadError, QueryError
from zonekg.core.namespaces import INFERRED_GRAPH, ZK
from zonekg.core.questions import expected_rows, questions
from zonekg.core.render import csv_rows
from zonekg.core.terms import to_rdflib
from zonekg.engines.oxigraph.shacl import Graph, NotCompiled, compile_shapes
from zonekg.engines.oxigraph.validation import skolemized
from zonekg.inputs.shapes import load_shapes
from zonekg.publish.generate import VIOLATION_KINDS, generate
from zonekg.safety.screen import screen

FIXTURE_SHAPES = Path(__file__).parent / "fixtures" / "engine-shapes.ttl"
# The project's shapes join the comparison once they exist in this checkout.
SHAPES = [FIXTURE_SHAPES, *([paths.SHAPES] if paths.SHAPES.is_file() else [])]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    # One copy of the data (it holds more than 2000 triples): one violation of each kind.
    made = generate(2000, out, seed=7, violations=len(VIOLATION_KINDS))
    assert made.triples >= 2000 and len(made.violations) == len(VIOLATION_KINDS)
    return out


def _schema_closer(engine: engines.Engine):
    """What the pipeline gives an engine that does not close the schema itself: its
    fallback's ``close_schema`` (declared on the interface, ``engines.base``)."""
    return None if engine.closes_schema else engines.get(engine.fallback).close_schema


def _closure(data, engine: str) -> set:
    kg = api.load(data, engine=engine)
    closer = _schema_closer(kg.engine)
    count = kg.engine.reason(kg.loaded, cap=10**8, close_schema=closer)  # not the cache
    triples = kg.engine.inferred(kg.loaded)
    assert count == len(triples)
    # owlrl types literals as subjects ("9" a xsd:integer): not RDF, no store can hold it.
    assert not any(isinstance(to_rdflib(t.subject), Literal) for t in triples)
    return {
        tuple(term_key(to_rdflib(x)) for x in (t.subject, t.predicate, t.object)) for t in triples
    }


def _closures(data):
    return _closure(data, "reference"), _closure(data, "oxigraph")


def test_closure_matches_owlrl_on_real_data():
    reference, fast = _closures(None)
    assert len(reference) > 1000
    assert fast == reference


def test_closure_matches_owlrl_on_generated_data(generated):
    reference, fast = _closures([generated])
    assert len(reference) > 2000
    assert fast == reference


def test_fast_reasoner_refuses_constructs_it_does_not_compile(tmp_path):
    extra = tmp_path / "restriction.ttl"
    extra.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/zonekg/def#X> owl:onProperty <https://w3id.org/zonekg/def#partOf> .\n",
        encoding="utf-8",
    )
    kg = api.load([paths.DATA, extra])
    with pytest.raises(engines.Unsupported, match="onProperty"):
        kg.engine.reason(kg.loaded, cap=10**8, close_schema=_schema_closer(kg.engine))
    api.reason(kg)  # the pipeline hands the work to owlrl instead, and says so
    assert any("owlrl" in note for note in kg.notes)


def test_the_closure_keeps_the_blank_nodes_of_the_data(tmp_path):
    """The closure goes into the store as N-Triples text, which a load would give new blank
    nodes: those with a blank node must still be about the data's own."""
    extra = tmp_path / "blank.ttl"
    extra.write_text(
        "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "[] zk:partOf [ zk:partOf <https://w3id.org/zonekg/id/place/chengdu> ] .\n",
        encoding="utf-8",
    )
    kg = api.load([paths.DATA, extra], engine="oxigraph")
    api.reason(kg)
    inferred = f"<{INFERRED_GRAPH}>"
    blank = "FILTER(isBlank(?x)) FILTER(?g != " + inferred + ")"
    store = kg.loaded.store
    about_blank = f"SELECT ?x WHERE {{ GRAPH {inferred} {{ ?x ?p ?o }} FILTER(isBlank(?x)) }}"
    assert len(list(store.query(about_blank))) >= 4  # typed zk:Place twice, partOf, hasPart
    stray = f"""ASK {{ GRAPH {inferred} {{ {{ ?x ?p ?o }} UNION {{ ?o ?p ?x }} }}
        FILTER(isBlank(?x)) FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?q ?r }} {blank} }} }}"""
    assert not store.query(stray)


@pytest.mark.parametrize("engine", ["oxigraph", "reference"])
def test_a_derived_graph_of_another_count_than_said_is_not_made(engine):
    """add_ntriples (a kept closure read back) refuses triples that are not as many as its
    manifest says, and leaves no closure graph and no count behind: a later step would
    otherwise take the load for reasoned."""
    kg = api.load(engine=engine)
    data = (
        b'<https://w3id.org/zonekg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
        b'<https://w3id.org/zonekg/id/y> <http://www.w3.org/2000/01/rdf-schema#label> "y" .\n'
    )
    with pytest.raises(engines.CountMismatch, match="it holds 2 triples"):
        kg.engine.add_ntriples(kg.loaded, INFERRED_GRAPH, data, 3)
    assert not kg.reasoned
    assert not list(kg.engine.quads(kg.loaded, [INFERRED_GRAPH]))
    assert kg.engine.add_ntriples(kg.loaded, INFERRED_GRAPH, data, 2) == 2
    assert kg.reasoned and len(list(kg.engine.quads(kg.loaded, [INFERRED_GRAPH]))) == 2


def _fast(data, shapes):
    kg = api.load(data, engine="oxigraph")
    report = api.validate(kg, shapes)  # the pipeline attaches the locations
    assert not kg.notes, "the compiled validator did the work, not the pySHACL hand-over"
    return report


def _results(data, shapes_file, fast_validator=_fast):
    shapes = load_shapes(shapes_file)
    reference = api.validate(api.load(data, engine="reference"), shapes)
    fast = fast_validator(data, shapes)
    ref = {(str(r.focus), str(r.path), str(r.source_shape)) for r in reference.results}
    got = {(str(r.focus), str(r.path), str(r.source_shape)) for r in fast.results}
    assert fast.conforms == reference.conforms
    return ref, got, fast


@pytest.mark.parametrize("shapes_file", SHAPES, ids=lambda p: p.name)
def test_validation_matches_pyshacl_on_real_data(shapes_file):
    ref, got, _ = _results(None, shapes_file)
    assert got == ref


@pytest.mark.parametrize("shapes_file", SHAPES, ids=lambda p: p.name)
def test_validation_matches_pyshacl_on_generated_data(generated, shapes_file):
    ref, got, fast = _results([generated], shapes_file)
    assert ref, "the generated violations must show"
    assert got == ref
    assert all(r.locations for r in fast.results), "every result points at file:line"


def test_the_shapes_compile_to_sparql(tmp_path):
    """The compiled validator is the one these tests exercise, not the pySHACL hand-over."""
    for shapes_file in SHAPES:
        checks = compile_shapes(Graph(skolemized(load_shapes(shapes_file).triples)))
        assert len(checks) >= 10
    refused = tmp_path / "refused.ttl"
    refused.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:closed true .\n",
        encoding="utf-8",
    )
    with pytest.raises(NotCompiled):
        compile_shapes(Graph(skolemized(load_shapes(refused).triples)))


def test_compiled_validation_matches_pyshacl_on_each_counter_example(tmp_path):
    """Small graphs that each break one constraint component, against the fixture shapes."""
    cases = {
        "label-without-language": '<{p}x> a zk:Place ; rdfs:label "x" ; '
        "prov:wasDerivedFrom <{d}d> .",
        "two-english-labels": '<{p}x> a zk:Place ; rdfs:label "a"@en, "b"@en ; '
        "prov:wasDerivedFrom <{d}d> .",
        "wrong-language": '<{p}x> a zk:Place ; rdfs:label "x"@fr ; prov:wasDerivedFrom <{d}d> .',
        "no-provenance": '<{p}x> a zk:Place ; rdfs:label "x"@en .',
        "provenance-not-a-source": '<{p}x> a zk:Place ; rdfs:label "x"@en ; '
        "prov:wasDerivedFrom <{p}x> .",
        "wrong-iri": '<https://w3id.org/zonekg/id/zone/x> a zk:Place ; rdfs:label "x"@en ; '
        "prov:wasDerivedFrom <{d}d> .",
        "negative-count": '<{c}s> a zk:DeclaredSet ; zk:declaredCount -1 ; rdfs:label "s"@en .',
        "two-counts": '<{c}s> a zk:DeclaredSet ; zk:declaredCount 1, 2 ; rdfs:label "s"@en .',
        "count-not-integer": '<{c}s> a zk:DeclaredSet ; zk:declaredCount "2" ; rdfs:label "s"@en .',
        "no-english-label": '<{c}s> a zk:DeclaredSet ; zk:declaredCount 2 ; rdfs:label "s"@zh .',
        "bad-currency": '<{a}m> a schema:MonetaryAmount ; schema:currency "yen" .',
        "negative-value": '<{a}m> a schema:MonetaryAmount ; schema:currency "CNY" ; '
        "schema:value -5.0 .",
        "quote-not-in-text": '<{d}q> a zk:Passage ; dct:isPartOf <{d}d> ; oa:exact "absent" . '
        '<{d}d> a zk:SourceDocument ; zk:fullText "present words" .',
        "part-of-nothing": '<{d}q> a zk:Passage ; oa:exact "x" .',
    }
    prefixes = (
        "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix schema: <http://schema.org/> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
    )
    kinds = {
        "p": "https://w3id.org/zonekg/id/place/",
        "d": "https://w3id.org/zonekg/id/document/",
        "c": "https://w3id.org/zonekg/id/collection/",
        "a": "https://w3id.org/zonekg/id/amount/",
    }
    for name, body in cases.items():
        file = tmp_path / f"{name}.ttl"
        file.write_text(prefixes + body.format(**kinds) + "\n", encoding="utf-8")
        ref, got, fast = _results([file], FIXTURE_SHAPES)
        assert ref, f"{name}: the reference finds nothing to compare"
        assert got == ref, name


def test_generated_violations_are_the_ones_announced(tmp_path):
    # Two copies, so that the five violations are spread over copies and kinds.
    per_copy = generate(1, tmp_path / "one").triples
    made = generate(2 * per_copy, tmp_path / "two", seed=3, violations=5)
    assert made.copies == 2 and len(made.violations) == 5
    # The project's shapes: the fixture's quote check reads only a document's own text,
    # which a copy's documents do not hold (they share copy 0's, through the local copy).
    report = api.validate(api.load([tmp_path / "two"]))
    broken = {str(r.focus) for r in report.results}
    clean = api.validate(api.load([paths.DATA]))
    baseline = {str(r.focus) for r in clean.results}
    announced = {focus for _, focus in made.violations}
    # Copies of the real data repeat its own results; the rest are exactly the announced ones.
    new = {f for f in broken if not any(f == b or f.startswith(b + "-z") for b in baseline)}
    detectable = {f for kind, f in made.violations if kind != "missing-declared-count"}
    assert detectable <= new <= announced
    assert set(VIOLATION_KINDS) >= {kind for kind, _ in made.violations}


def test_generator_is_deterministic(tmp_path):
    per_copy = generate(1, tmp_path / "one").triples  # one copy: the real data as it is
    triples = 3 * per_copy  # three copies, so that the seed changes amounts and violations
    a = generate(triples, tmp_path / "a", seed=11, violations=2)
    b = generate(triples, tmp_path / "b", seed=11, violations=2)
    c = generate(triples, tmp_path / "c", seed=12, violations=2)
    assert a.copies == 3 and len(a.files) == len(sorted(paths.DATA.glob("*.trig"))) > 0
    assert all(f.suffix == ".nq" for f in a.files)
    text = [sorted(f.read_text(encoding="utf-8") for f in m.files) for m in (a, b, c)]
    assert text[0] == text[1]
    assert text[0] != text[2]


def test_generated_statements_keep_their_source_graphs(tmp_path):
    """Each copy's statements are in the graphs of that copy's source documents."""
    import pyoxigraph as ox

    made = generate(2 * generate(1, tmp_path / "one").triples, tmp_path / "two")
    assert made.copies == 2
    graphs = set()
    for file in made.files:
        for quad in ox.parse(path=str(file), format=ox.RdfFormat.N_QUADS):
            assert isinstance(quad.graph_name, ox.NamedNode), f"{file.name}: a default-graph triple"
            graphs.add(quad.graph_name.value)
    real = set(api.load(engine="oxigraph").loaded.data_graphs)
    assert len(real) == 77
    copied = {g + "-z1" for g in real}
    assert graphs == real | copied
    report = api.validate(api.load([tmp_path / "two"]))
    assert report.conforms, [r.as_dict() for r in report.results][:3]


def test_a_generated_copy_shares_one_holder_of_each_text(tmp_path):
    """A copy keeps its documents' local copies, not their full texts: each file's text has
    one holder however many copies (held in every copy, the quotes' check inside Virtuoso,
    which tests a quote against every holder, grew with the square of the data)."""
    import pyoxigraph as ox

    made = generate(3 * generate(1, tmp_path / "one").triples, tmp_path / "three")
    assert made.copies == 3
    store = ox.Store()
    for file in made.files:
        store.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS)
    holders = {
        row["copy"].value: int(row["holders"].value)
        for row in store.query(
            f"SELECT ?copy (COUNT(DISTINCT ?h) AS ?holders) "
            f"{{ GRAPH ?g {{ ?h <{ZK}localCopy> ?copy ; <{ZK}fullText> ?text }} }} GROUP BY ?copy"
        )
    }
    assert holders and set(holders.values()) == {1}, holders
    copy_of = Counter(
        (re.search(r"-z(\d+)$", row["d"].value) or [None, "0"])[1]
        for row in store.query(f"SELECT DISTINCT ?d {{ GRAPH ?g {{ ?d <{ZK}localCopy> ?c }} }}")
    )
    assert set(copy_of) == {"0", "1", "2"} and len(set(copy_of.values())) == 1, copy_of
    report = api.validate(api.load([tmp_path / "three"]))
    assert report.conforms, [r.as_dict() for r in report.results][:3]


@pytest.mark.parametrize("store", ["memory", "disk", "reopened"])
def test_every_question_answers_as_expected_on_oxigraph(store, tmp_path):
    found = questions()
    assert found
    kg = api.load(engine="oxigraph", store=None if store == "memory" else tmp_path / "store")
    if store == "reopened":  # with the graphs the questions read made, the types and the
        for cq in found:  # merge as its default graph
            api.query(kg, cq)
        del kg
        kg = api.load(engine="oxigraph", store=tmp_path / "store")
        assert kg.loaded.reused
        assert kg.loaded.typed == kg.loaded.merged_count + kg.loaded.types_count
    for cq in found:
        assert csv_rows(api.query(kg, cq)) == expected_rows(cq), cq.name


def test_a_store_whose_default_graph_was_changed_is_loaded_again(tmp_path):
    """The default graph of a store on disk is read by the questions (the merge and the
    types together): one changed by another program is not trusted."""
    import pyoxigraph as ox

    from zonekg.core.questions import find_question

    kg = api.load(store=tmp_path / "store")
    api.query(kg, find_question("cq12"))  # the types: the default graph made
    typed = kg.loaded.typed
    assert typed == kg.loaded.merged_count + kg.loaded.types_count
    del kg
    again = api.load(store=tmp_path / "store")
    assert again.loaded.reused and again.loaded.typed == typed
    del again
    other = ox.Store(str(tmp_path / "store"))  # as another program would
    other.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("x")))
    del other
    changed = api.load(store=tmp_path / "store")
    assert not changed.loaded.reused and changed.loaded.typed is None


def test_a_store_whose_default_graph_and_manifest_were_changed_alike_is_loaded_again(tmp_path):
    """The default graph's size in the manifest is the merge's and the types' together: a
    triple added to the default graph with its recorded size raised to match is refused."""
    import json

    import pyoxigraph as ox

    from zonekg.core.questions import find_question
    from zonekg.engines.oxigraph.store import MANIFEST

    kg = api.load(store=tmp_path / "store")
    api.query(kg, find_question("cq12"))
    assert kg.loaded.typed is not None
    del kg
    other = ox.Store(str(tmp_path / "store"))
    other.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("x")))
    del other
    manifest = tmp_path / "store" / MANIFEST
    written = json.loads(manifest.read_text(encoding="utf-8"))
    written["typed"] += 1
    manifest.write_text(json.dumps(written), encoding="utf-8")
    assert not api.load(store=tmp_path / "store").loaded.reused


def test_a_store_s_default_graph_follows_the_types_made_again(tmp_path):
    """The default graph of a store on disk is the merge and the types together: when the
    types are made again, so is it (else questions would read the old types)."""
    from zonekg.core.namespaces import TYPES_GRAPH
    from zonekg.core.questions import find_question
    from zonekg.engines.oxigraph.store import default_size

    kg = api.load(store=tmp_path / "store")
    api.query(kg, find_question("cq12"))
    assert kg.loaded.types_count > 0
    assert kg.loaded.typed == kg.loaded.merged_count + kg.loaded.types_count
    kg.engine.add_graph(kg.loaded, TYPES_GRAPH, [])  # the types, none now
    assert kg.loaded.typed == kg.loaded.merged_count == default_size(kg.loaded.store)


def test_disk_store_is_reused_until_a_file_changes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    copied = sorted(paths.DATA.glob("*.trig"))
    assert copied
    for f in copied:
        (data / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "store"
    first = api.load([data], store=store)
    assert not first.loaded.reused
    n = first.count(first.asserted_graphs)
    del first
    second = api.load([data], store=store)
    assert second.loaded.reused and second.count(second.asserted_graphs) == n
    del second
    with (data / "zone.trig").open("a", encoding="utf-8") as handle:
        label = "<http://www.w3.org/2000/01/rdf-schema#label>"
        source = "<https://w3id.org/zonekg/id/document/article-2020-11-19>"
        handle.write(f'\n{source} {{ <https://w3id.org/zonekg/id/zone/x> {label} "x"@en . }}\n')
    third = api.load([data], store=store)
    assert not third.loaded.reused and third.count(third.asserted_graphs) == n + 1


def test_bad_turtle_names_file_and_line(tmp_path, engine):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '<https://x/a> <https://x/p> <https://x/b> .\n<https://x/a> <https://x/p> "open .\n'
    )
    with pytest.raises(LoadError) as caught:
        api.load([bad], engine=engine)
    assert caught.value.file == bad and caught.value.line == 2


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "INSERT DATA { <https://x/a> <https://x/p> <https://x/b> }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
def test_the_screen_refuses_updates_and_service(text):
    with pytest.raises(QueryError):
        screen(text)


def test_fast_query_imports_no_reasoner_or_validator():
    """A question that needs no closure loads neither owlrl nor pySHACL."""
    code = (
        "import sys\n"
        "from zonekg.cli import main\n"
        "sys.argv = ['zonekg', 'query', 'cq04', '--format', 'csv']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('owlrl', 'pyshacl', 'rdflib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "776785714.29" in out.stdout
    assert "HEAVY []" in out.stdout


def test_cli_fast_engine_answers_and_is_bounded(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "query", "cq04", "--engine", "oxigraph",
         "--format", "csv"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "776785714.29" in done.stdout
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    stopped = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "--timeout", "2", "query", "--engine", "oxigraph",
         "--text", runaway],
        capture_output=True, text=True,
    )  # fmt: skip
    assert stopped.returncode == 2
    assert "time limit" in stopped.stderr


def test_asserted_query_leaves_out_the_closure_once_it_is_stored():
    """The union-of-graphs shortcut must not pull the inferred graph into asserted queries."""
    kg = api.load(engine="oxigraph")
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def count(reasoned: bool) -> int:
        return int(api.query(kg, text, reasoned=reasoned).rows[0][0].value)

    before = count(False)
    with_closure = count(True)  # computes and stores the closure
    assert with_closure > before
    assert count(False) == before


def test_a_from_question_without_graph_is_answered_in_the_store_not_a_copy():
    """cq06 names FROM graphs and no FROM NAMED, and reads no named graph: its empty named set
    made the fast engine copy the whole load into a store of its own (1.6 s at 100k triples)."""
    kg = api.load(engine="oxigraph")
    question = api.query(kg, "cq06")
    assert question.rows
    assert kg.loaded.views == {}
    # a question that reads the named graphs still gets exactly those FROM NAMED gives it
    one = "https://w3id.org/zonekg/id/document/article-2020-11-19"
    text = f"SELECT DISTINCT ?g FROM NAMED <{one}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert [row[0].value for row in api.query(kg, text).rows] == [one]


@pytest.mark.parametrize("merged_first", [False, True], ids=["alone", "after-the-merge"])
def test_the_asserted_merge_graph_holds_each_asserted_triple_once(merged_first):
    """graph/asserted is copied from the default graph when that holds the merge already (a
    third faster at a million triples); either way it is the asserted graphs' merge."""
    from pyoxigraph import NamedNode

    from zonekg.core.namespaces import ASSERTED_GRAPH

    kg = api.load(engine="oxigraph")
    if merged_first:
        kg.loaded.merge_asserted()
    count = kg.engine.add_merge(kg.loaded, ASSERTED_GRAPH, kg.asserted_graphs)

    def stored(graph: str) -> list:  # as the store holds them (literals in canonical form)
        return [
            q.triple for q in kg.loaded.store.quads_for_pattern(None, None, None, NamedNode(graph))
        ]

    stated = [t for g in kg.asserted_graphs for t in stored(g)]
    assert len(set(stated)) < len(stated)  # some triples are stated by two sources
    assert count == len(set(stated))
    assert sorted(map(str, stored(ASSERTED_GRAPH))) == sorted(map(str, set(stated)))


_OWN_ONTOLOGY = """\
@prefix ex: <https://example.org/ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Firm a owl:Class ; rdfs:subClassOf ex:Organisation .
ex:Organisation a owl:Class .
ex:Investor a owl:Class .
ex:Project a owl:Class .
ex:Region a owl:Class .
ex:invests a owl:ObjectProperty ; rdfs:domain ex:Investor ; owl:inverseOf ex:fundedBy .
ex:fundedBy a owl:ObjectProperty .
ex:partOf a owl:ObjectProperty, owl:TransitiveProperty .
ex:name a owl:DatatypeProperty ; rdfs:subPropertyOf rdfs:label .
"""
_OWN_DATA = """\
@prefix ex: <https://example.org/ns#> .
ex:acme a ex:Firm ; ex:name "Acme" ; ex:invests ex:bridge .
ex:beta a ex:Firm .
ex:bridge a ex:Project .
ex:dam a ex:Project .
ex:ward ex:partOf ex:district . ex:district ex:partOf ex:region .
ex:region a ex:Region .
"""
#: Each shape is met, or broken, only through an OWL-RL entailment: a subclass, a
#: subproperty, an inverse with a domain, a transitive property.
_OWN_SHAPES = """\
@prefix ex: <https://example.org/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:OrganisationShape a sh:NodeShape ; sh:targetClass ex:Organisation ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .
ex:ProjectShape a sh:NodeShape ; sh:targetClass ex:Project ;
    sh:property [ sh:path ex:fundedBy ; sh:minCount 1 ; sh:class ex:Investor ] .
ex:PlaceShape a sh:NodeShape ; sh:targetSubjectsOf ex:partOf ;
    sh:property [ sh:path ex:partOf ; sh:qualifiedValueShape [ sh:class ex:Region ] ;
                  sh:qualifiedMinCount 1 ] .
"""


def _own_graph(tmp_path: Path) -> tuple[list[Path], list[Path], Path]:
    files = {"ontology.ttl": _OWN_ONTOLOGY, "data.ttl": _OWN_DATA, "shapes.ttl": _OWN_SHAPES}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [tmp_path / "data.ttl"], [tmp_path / "ontology.ttl"], tmp_path / "shapes.ttl"


def _findings(report) -> set[tuple[str, str, str]]:
    return {(str(r.focus), str(r.path), str(r.component)) for r in report.results}


def test_validation_after_owl_rl_inference_is_the_fast_engines_and_matches_pyshacl(tmp_path):
    """The fast engine validated with OWL-RL inference by handing the whole run to pySHACL
    (over two minutes on the project's graph, past the time limit); it now validates the
    data with the closure its reasoner makes, and finds what pySHACL finds."""
    data, ontology, shapes_file = _own_graph(tmp_path)
    shapes = load_shapes(shapes_file)
    found = {}
    for name in ("oxigraph", "reference"):
        kg = api.load(data, ontology=ontology, engine=name)
        found[name] = api.validate(kg, shapes, inference="owlrl")
        assert not kg.notes, f"{name}: {kg.notes}"  # no hand-over
    fast, reference = found["oxigraph"], found["reference"]
    ex, sh = "https://example.org/ns#", "http://www.w3.org/ns/shacl#"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    # by hand: beta is an organisation (a firm) without a label; the dam has no investor
    expected = {
        (ex + "beta", label, sh + "MinCountConstraintComponent"),
        (ex + "dam", ex + "fundedBy", sh + "MinCountConstraintComponent"),
    }
    assert _findings(reference) == expected
    assert _findings(fast) == expected and not fast.conforms
    # without inference the verdicts differ: the test sees the entailment at work
    plain = api.validate(api.load(data, ontology=ontology), shapes)
    assert _findings(plain) != expected


def test_validation_with_inference_leaves_the_store_as_it_was(tmp_path):
    """What a validation with inference adds for its run (the graphs' descriptions, the
    closure) is gone afterwards, also when the run stops at the triple cap; an on-disk store
    is trusted again after a run that ended, and holds the same graphs."""
    kg = api.load(store=tmp_path / "store")
    api.validate(kg)  # the merge, made once
    graphs, size = kg.loaded.named(), len(kg.loaded.store)
    assert api.validate(kg, inference="owlrl").conforms
    assert (kg.loaded.named(), len(kg.loaded.store)) == (graphs, size)
    del kg  # (the store's folder is locked while it is open)
    capped = api.load(store=tmp_path / "store", limits=api.Limits(max_triples=7000))
    assert capped.loaded.reused
    with pytest.raises(LimitError):
        api.validate(capped, inference="owlrl")
    assert (capped.loaded.named(), len(capped.loaded.store)) == (graphs, size)
    del capped
    # a run stopped half-way never leaves a store taken for its inputs: it is loaded again
    again = api.load(store=tmp_path / "store")
    assert not again.loaded.reused
    api.validate(again)  # the merge, made again
    assert (again.loaded.named(), len(again.loaded.store)) == (graphs, size)


def test_the_asserted_graphs_are_merged_once_as_graph_asserted():
    """A question that reads the asserted graphs and names graph/asserted (cq01: its GRAPH
    ranges over the published graphs) makes one merge: graph/asserted, which its default
    graph is; the store's default graph stays empty (it held a second copy)."""
    import pyoxigraph as ox

    from zonekg.core.namespaces import ASSERTED_GRAPH
    from zonekg.core.questions import find_question

    kg = api.load(engine="oxigraph")
    cq01 = find_question("cq01")
    assert api.query(kg, cq01.text).rows
    store = kg.loaded.store
    merged = {
        q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ASSERTED_GRAPH))
    }
    asserted = {
        q.triple
        for g in kg.asserted_graphs
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    }
    assert merged == asserted and kg.loaded.merged_count == len(merged)
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_an_on_disk_store_of_the_earlier_layout_is_loaded_again(tmp_path):
    """A store whose manifest names no layout (written while the merge was its default
    graph) is not taken for its inputs: it is loaded again."""
    import json

    from zonekg.engines.oxigraph.store import MANIFEST

    kg = api.load(store=tmp_path / "store")
    api.validate(kg)
    del kg
    manifest = tmp_path / "store" / MANIFEST
    written = json.loads(manifest.read_text(encoding="utf-8"))
    assert api.load(store=tmp_path / "store").loaded.reused
    written.pop("layout")
    manifest.write_text(json.dumps(written), encoding="utf-8")
    assert not api.load(store=tmp_path / "store").loaded.reused


def test_an_on_disk_store_is_not_trusted_while_validation_adds_to_it(tmp_path):
    """Validation adds `G a zk:DataGraph` to an on-disk store's graph/asserted for its run
    and took them out afterwards, with the store's manifest in place all along: a run killed
    in between left a store that later commands trusted, with those triples in its data."""
    from zonekg.engines.oxigraph.store import MANIFEST

    kg = api.load(store=tmp_path / "store")
    manifest = tmp_path / "store" / MANIFEST
    assert manifest.is_file()
    seen = []
    api.validate(kg, progress=lambda _step, _n: seen.append(manifest.exists()))
    assert seen and not any(seen), "the manifest was there while the run's triples were"
    assert manifest.is_file()  # sealed again once they are out


_THINGS_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:select "SELECT $this WHERE { $this <http://example.org/state> 'bad' }" ;
    ] .
"""


def test_the_reference_engine_parses_a_sparql_constraint_once_not_per_focus_node(monkeypatch):
    """pySHACL hands rdflib a SPARQL constraint's text again for every focus node, and
    rdflib parsed it each time: 200 of the 262 s of the project's OWL-RL validation. Each
    text is now parsed once a run, and the report is pySHACL's own (run here alone)."""
    import pyshacl
    from rdflib import Graph as RdfGraph
    from rdflib import plugin
    from rdflib.namespace import SH
    from rdflib.plugins.sparql.processor import SPARQLProcessor
    from rdflib.query import Processor

    from zonekg.engines.reference import shacl as reference_shacl

    things = [(f"t{i}", "bad" if i % 7 == 0 else "good") for i in range(20)]
    data = RdfGraph().parse(
        data="".join(
            f"<http://example.org/{n}> a <http://example.org/Thing> ; "
            f'<http://example.org/state> "{state}" .\n'
            for n, state in things
        ),
        format="turtle",
    )
    shapes = RdfGraph().parse(data=_THINGS_SHAPES, format="turtle")
    parsed, parse = [], reference_shacl.parseQuery
    monkeypatch.setattr(reference_shacl, "parseQuery", lambda text: parsed.append(1) or parse(text))
    report = reference_shacl.validate(data, RdfGraph(), shapes, "none")
    assert len(parsed) == 1, f"parsed {len(parsed)} times for {len(things)} focus nodes"
    assert plugin.get("sparql", Processor) is SPARQLProcessor  # rdflib's own again after
    conforms, alone, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    assert report.conforms is conforms is False
    expected = {f"http://example.org/{n}" for n, state in things if state == "bad"}
    assert {str(r.focus) for r in report.results} == expected
    assert {str(f) for f in alone.objects(None, SH.focusNode)} == expected


def test_the_fast_engine_compiles_a_shapes_graph_once_for_many_validations(monkeypatch):
    """Compiling the project's shapes took twice as long as validating a small file with
    them, and every validation compiled them again."""
    from rdflib import BNode

    from zonekg.engines.oxigraph import shacl

    compiled = []

    def counting(graph):
        compiled.append(graph)
        return compile_shapes(graph)

    monkeypatch.setattr(shacl, "compile_shapes", counting)
    examples = sorted(paths.INVALID.glob("*.trig"))[:3]
    assert len(examples) == 3
    shapes = load_shapes()
    for example in examples:
        report = api.validate(api.load([example], engine="oxigraph"), shapes)
        assert not report.conforms, example.name
    assert len(compiled) == 1
    # the same file read again has blank nodes of its own, which its results must name
    again = load_shapes()
    report = api.validate(api.load([examples[1]], engine="oxigraph"), again)
    assert len(compiled) == 2
    sources = [r.source_shape for r in report.results]
    assert any(isinstance(s, BNode) for s in sources), "no blank-node shape: proves nothing"
    assert all((s, None, None) in again.graph for s in sources)


def test_a_report_counts_the_data_graphs_triples_once(tmp_path):
    """The fast engine counts the data's triples from the merge, less what only the
    ontology states: a triple the data restates from the ontology is the data's too, and a
    triple two data graphs state counts once."""
    import pyoxigraph as ox

    ontology = next(ox.parse(path=str(paths.ONTOLOGY), format=ox.RdfFormat.TURTLE)).triple
    data = tmp_path / "restating.trig"
    data.write_text(
        f"<https://w3id.org/zonekg/id/document/a> {{ {ontology} . <http://example.org/x> "
        "<http://example.org/p> 1 . }\n"
        "<https://w3id.org/zonekg/id/document/b> { <http://example.org/x> "
        "<http://example.org/p> 1 . }\n",
        encoding="utf-8",
    )
    for inputs in ([data], [*sorted(paths.DATA.glob("*.trig"))], [data, paths.DATA]):
        kg = api.load(inputs, engine="oxigraph")
        counted = kg.engine.distinct_count(kg.loaded, kg.loaded.data_graphs)
        assert api.validate(kg).data_triples == counted
    assert api.validate(api.load([data], engine="oxigraph")).data_triples == 2


def test_checks_run_on_several_threads_report_as_one_thread_does(generated):
    """The compiled checks run on a pool of threads at once (Oxigraph evaluates without
    the GIL): the results, in their order, are those one thread gives, on data with a
    violation of every kind the generator makes."""
    import threading

    shapes = load_shapes()
    kg = api.load([generated], engine="oxigraph")
    pools = set()

    def seen(step, _count):
        pools.update(t.name for t in threading.enumerate() if t.name.startswith("zonekg-work"))

    alone = kg.engine.validate(kg.loaded, shapes, threads=1, progress=seen)
    assert not pools, "one thread starts no pool"
    together = kg.engine.validate(kg.loaded, shapes, threads=3, progress=seen)
    assert len(pools) > 1, "the checks ran on a pool of threads"
    assert len(alone.results) >= len(VIOLATION_KINDS)
    assert [r.as_dict() for r in together.results] == [r.as_dict() for r in alone.results]


def test_usable_threads_are_at_most_the_cpus_the_process_may_run_on():
    import os

    cpus = len(os.sched_getaffinity(0))
    assert api.Limits(threads=1).usable_threads == 1
    assert api.Limits(threads=cpus + 5).usable_threads == cpus
    assert api.Limits().usable_threads == min(4, cpus)


def test_answer_each_runs_the_questions_on_threads_and_answers_as_one_by_one(
    generated, monkeypatch
):
    """Every competency question at once (``query --all``, ``run``): the queries run on a
    pool of threads, each answer as ``answer`` gives it alone, in the questions' order."""
    import os
    import threading

    from zonekg.api.querying import screen_job

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    jobs = [api.job_for(cq) for cq in api.all_questions()]
    limits = api.Limits(threads=3)
    screened = [screen_job(job, limits) for job in jobs]
    reasoned = [job.needs_reasoning for job in jobs]
    alone = api.load([generated], engine="oxigraph", limits=limits, reopen=False)
    expected = [csv_rows(api.answer(alone, s, r)) for s, r in zip(screened, reasoned, strict=True)]

    kg = api.load([generated], engine="oxigraph", limits=limits, reopen=False)
    ran_on = []
    query = kg.engine.query
    together = threading.Barrier(2, timeout=10)  # broken unless two queries are in flight

    def recorded(*args, **kwargs):
        name = threading.current_thread().name
        ran_on.append(name)
        if sum(n.startswith("zonekg-work") for n in ran_on) <= 2 and name.startswith("zonekg"):
            together.wait()  # the first two on the pool wait for each other
        return query(*args, **kwargs)

    monkeypatch.setattr(kg.engine, "query", recorded)
    found = api.answer_each(kg, screened, reasoned)
    assert [csv_rows(result) for result in found] == expected
    assert any(result.rows for result in found)
    asked = [name for name in ran_on if name.startswith("zonekg-work")]
    assert len(asked) == len(jobs) and len(set(asked)) > 1, ran_on
