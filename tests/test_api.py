"""The Python API does what docs/python-api.md says it does, on every engine."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from zonekg import api
from zonekg.core import paths
from zonekg.core.errors import LoadError, QueryError
from zonekg.core.render import csv_rows


def test_readme_example_runs(engine):
    kg = api.load(engine=engine)
    assert api.validate(kg).conforms
    assert api.reason(kg) > 0
    rows = csv_rows(api.query(kg, "cq04"))
    (row,) = [r for r in rows if r["source"].endswith("/document/article-2020-11-19")]
    assert row["totalInvestment"] == "21750000000"
    assert row["currency"] == "CNY"


def test_query_accepts_sparql_text(kgs, engine):
    result = api.query(
        kgs[engine], "SELECT ?n WHERE { zone:chengdu zk:totalArea/qudt:numericValue ?n }"
    )
    assert csv_rows(result) == [{"n": "36.9"}]


def test_errors_are_typed():
    with pytest.raises(LoadError):
        api.load(["/nonexistent/file.ttl"])
    with pytest.raises(QueryError):
        api.query(api.load(), "cq99")


def test_inferred_triples_are_plain_rdf(kgs, engine):
    """owlrl derives literal-subject triples; reason() must not pass them on (export broke)."""
    import pyoxigraph as ox

    inferred = api.inferred(kgs[engine])
    assert len(inferred) > 0
    assert not [t for t in inferred if isinstance(t.subject, ox.Literal)]
    same = "http://www.w3.org/2002/07/owl#sameAs"
    assert not [t for t in inferred if t.predicate.value == same and t.subject == t.object]


def test_a_step_the_fast_engine_cannot_do_is_handed_over_with_a_note():
    kg = api.load(engine="oxigraph")
    report = api.validate(kg, inference="rdfs")
    assert report.conforms
    assert any("pySHACL" in note for note in kg.notes)


def test_separate_loads_of_the_same_inputs_reason_once(tmp_path, monkeypatch):
    """The closure is kept under the digest of the inputs and the reasoner, and read back."""
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path))
    first = api.load()
    count = api.reason(first)
    cached = list(tmp_path.glob("closure-*.nt"))
    assert len(cached) == 1
    second = api.load()
    calls = []
    monkeypatch.setattr(second.engine, "reason", lambda *a, **k: calls.append(a))
    assert api.reason(second) == count
    assert calls == []
    assert set(api.inferred(second)) == set(api.inferred(first))


def test_a_kept_closure_is_not_checked_for_consistency_again(tmp_path, monkeypatch):
    """A closure is kept only once found consistent, so a later load of the same inputs
    takes it without running the OWL 2 RL inconsistency rules again."""
    from zonekg.engines import consistency

    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path))
    api.reason(api.load())
    checked = []
    violations = consistency.violations
    monkeypatch.setattr(
        consistency, "violations", lambda *a, **k: checked.append(1) or violations(*a, **k)
    )
    api.reason(api.load())
    assert checked == []
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "empty"))
    api.reason(api.load())  # no closure kept: the rules run
    assert checked == [1]


def test_an_inconsistent_closure_is_not_kept(tmp_path, monkeypatch):
    """An inconsistent load is refused by every command: its closure is never kept (a kept
    one is taken as consistent), and the second refusal names the same rule."""
    from zonekg.engines.consistency import Inconsistent

    inconsistent = paths.ROOT / "tests" / "fixtures" / "inconsistent-two-declared-counts.trig"
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path))
    for _ in range(2):
        with pytest.raises(Inconsistent) as refused:
            api.reason(api.load([inconsistent]))
        assert refused.value.rule == "dt-diff"
        assert not list(tmp_path.glob("closure-*"))


def test_the_closed_schema_is_kept_and_read_back_for_other_data(tmp_path, monkeypatch):
    """The schema closes the same way whatever the data (owlrl: 1.2 s of the 1.4 s it takes
    to reason over the project's data): it is kept under the digest of its triples."""
    from zonekg.engines.reference import owlrl

    monkeypatch.setattr(paths, "SCHEMA_CLOSURE", tmp_path / "none.nt")  # not shipped
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "kept"))
    api.reason(api.load())
    assert len(list((tmp_path / "kept").glob("schema-*.nt"))) == 1
    closed = []
    close = owlrl.close_schema
    monkeypatch.setattr(owlrl, "close_schema", lambda triples: closed.append(1) or close(triples))
    (part,) = [p for p in sorted(paths.DATA.glob("*.trig")) if p.stem == "areas"]
    again = api.load([part])  # other data, its closure not kept: the schema is
    api.reason(again)
    assert closed == []
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "empty"))
    fresh = api.load([part])
    api.reason(fresh)
    assert closed == [1]
    assert set(api.inferred(again)) == set(api.inferred(fresh))
    assert api.inferred(fresh)


def test_the_shipped_schema_closure_is_what_owlrl_adds_to_the_project_s_schema():
    """ontology/zonekg.schema-closure.nt is made by `make schema-closure`: after the ontology
    changes, this fails until it is made again."""
    from zonekg.api.reasoning import shipped_schema

    made = shipped_schema(api.load())
    assert made.count("\n") > 500
    assert paths.SCHEMA_CLOSURE.read_text(encoding="utf-8") == made, (
        "ontology/zonekg.schema-closure.nt is stale: run `make schema-closure`"
    )


def test_a_first_reasoning_run_takes_the_shipped_schema_closure(tmp_path, monkeypatch):
    """An empty cache (a new clone, an installed package): the project's schema is not
    closed by owlrl again, and the closure is the one owlrl's schema closure gives."""
    from zonekg.engines.reference import owlrl

    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "empty"))
    closed = []
    close = owlrl.close_schema
    monkeypatch.setattr(owlrl, "close_schema", lambda triples: closed.append(1) or close(triples))
    shipped = set(api.inferred(api.load()))
    assert closed == []
    monkeypatch.setattr(paths, "SCHEMA_CLOSURE", tmp_path / "none.nt")
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "again"))
    assert set(api.inferred(api.load())) == shipped
    assert closed == [1]


def test_a_shipped_schema_closure_for_another_schema_is_not_taken(tmp_path, monkeypatch):
    from zonekg.engines.reference import owlrl

    text = paths.SCHEMA_CLOSURE.read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    other = tmp_path / "other.nt"
    other.write_text(first[:-8] + "0" * 8 + "\n" + body, encoding="utf-8")
    monkeypatch.setattr(paths, "SCHEMA_CLOSURE", other)
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "empty"))
    closed = []
    close = owlrl.close_schema
    monkeypatch.setattr(owlrl, "close_schema", lambda triples: closed.append(1) or close(triples))
    api.reason(api.load())
    assert closed == [1]


def test_a_damaged_shipped_schema_closure_is_named(tmp_path, monkeypatch):
    text = paths.SCHEMA_CLOSURE.read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.nt"
    damaged.write_text(text.partition("\n")[0] + "\n<a> <b> .\n", encoding="utf-8")
    monkeypatch.setattr(paths, "SCHEMA_CLOSURE", damaged)
    monkeypatch.setenv("ZONEKG_CACHE", str(tmp_path / "empty"))
    with pytest.raises(LoadError, match="closed schema does not parse") as refused:
        api.reason(api.load())
    assert refused.value.file == damaged
    assert "make schema-closure" in refused.value.hint


def test_from_and_from_named_select_source_graphs(kgs, engine):
    """A query's FROM / FROM NAMED choose among the source graphs, on every engine alike."""
    kg = kgs[engine]
    reference = kgs["reference"].rdf
    one = "https://w3id.org/zonekg/id/document/peoples-daily-japanese-2020-11-20"
    two = "https://w3id.org/zonekg/id/document/article-2020-11-19"
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ {} }}"

    def n(dataset: str, pattern: str = "?s ?p ?o") -> int:
        return int(api.query(kg, count.format(dataset, pattern)).rows[0][0].value)

    assert n(f"FROM <{one}>") == len(reference.graph(one)) > 0
    assert n(f"FROM <{one}> FROM <{two}>") == len(reference.merged([one, two]))
    assert n(f"FROM NAMED <{one}>", "GRAPH ?g { ?s ?p ?o }") == len(reference.graph(one))
    assert n(f"FROM <{one}>", "GRAPH ?g { ?s ?p ?o }") == 0  # FROM alone names no graph


ZK_NS = "https://w3id.org/zonekg/def#"
DOC = "https://w3id.org/zonekg/id/document/"


def test_why_lists_per_source_the_facts_it_states(kgs, engine):
    """Hand-checked against the sources: the article ("with a total area of 36.9 square
    kilometers") and Xinhua via AFPBB News (other-sources.md S3: "covers 36.9 km²") give 36.9
    km² as the total area; People's Daily, 2020-11-20 (more-sources.md P1) as the first-phase
    scope. People's Daily, 2020-05-22 via kantsuu.com (P2) dates the zone's establishment
    2020-05-20, the Chinese Embassy in Japan (P8) to May 2020."""
    found = api.why(kgs[engine], "zone:chengdu")
    assert found.entity == "https://w3id.org/zonekg/id/zone/chengdu"
    assert (
        found.label == "China-Japan (Chengdu) Regional Development Cooperation Demonstration Zone"
    )
    total = "https://w3id.org/zonekg/id/quantity/chengdu-zone-total-area"
    first_phase = "https://w3id.org/zonekg/id/quantity/chengdu-zone-first-phase-area"
    assert sorted(found.stating(ZK_NS + "totalArea", total)) == [
        DOC + "afpbb-2020-11-21",
        DOC + "article-2020-11-19",
    ]
    # People's Daily (more-sources.md P1) and a press-release copy (sibling-zones.md:
    # "当初の範囲は36.9平方キロ")
    assert sorted(found.stating(ZK_NS + "firstPhaseArea")) == [
        DOC + "asiapresswire-2020-05",
        DOC + "peoples-daily-japanese-2020-11-20",
    ]
    assert found.stating(ZK_NS + "firstPhaseArea", first_phase) == found.stating(
        ZK_NS + "firstPhaseArea"
    )
    assert found.stating(ZK_NS + "establishmentDate", "2020-05-20") == [DOC + "kantsuu-2020-05-22"]
    assert found.stating(ZK_NS + "establishmentDate", "2020-05") == [
        DOC + "chinese-embassy-in-japan-2020-11-19"
    ]
    sources = {s.document: s for s in found.sources}
    afpbb = sources[DOC + "afpbb-2020-11-21"]
    assert (afpbb.publisher, afpbb.issued, afpbb.url) == (
        "AFPBB News",
        "2020-11-21",
        "https://www.afpbb.com/articles/-/3317102",
    )
    assert afpbb.quotes == []  # its wording is not reproduced: the document is the source
    article = sources[DOC + "article-2020-11-19"]
    assert (article.publisher, article.issued) == ("PR Newswire", "2020-11-20")
    assert article.url.startswith("https://www.prnewswire.com/news-releases/focus-on-cultural")
    assert any("with a total area of 36.9 square kilometers" in q for q in article.quotes)
    daily = sources[DOC + "peoples-daily-japanese-2020-11-20"]
    assert (daily.publisher, daily.url) == (
        "People's Daily, Japanese edition",
        "http://j.people.cn/n3/2020/1120/c94476-9782562.html",
    )
    # Every fact is a triple of that source's graph, and every such triple is listed.
    reference = kgs["reference"].rdf
    for source in found.sources:
        graph = reference.graph(source.document)
        stated = {(str(p), str(o)) for p, o in graph.predicate_objects(URIRef(found.entity))}
        listed = {(f.predicate, f.value.value) for f in source.facts}
        assert _numbers_alike(listed) == _numbers_alike(stated), source.document
    # Sources in date order (undated ones last), each once: the 8 of the second edition and 8 pages
    # of sibling-zones.md (host city, approval, initial scope, focus, distinction of the zone).
    issued = [s.issued for s in found.sources]
    assert issued == sorted(issued, key=lambda d: d or "~")
    assert len(set(sources)) == len(found.sources) == 16


def _numbers_alike(pairs):
    """Oxigraph keeps numbers in canonical form (36.9 as "36.9", 6 as "6"): compare values."""
    from decimal import Decimal, InvalidOperation

    def norm(text):
        try:
            return str(Decimal(text).normalize())
        except InvalidOperation:
            return text

    return {(p, norm(o)) for p, o in pairs}


def test_why_gives_an_address_without_a_scheme_as_the_citation(kgs, engine):
    found = api.why(kgs[engine], "event:ndrc-kick-off-meeting-2020-05-14")
    matsuda = next(s for s in found.sources if s.document == DOC + "matsuda-2020-05-18")
    # more-sources.md gives the page without a scheme; sibling-zones.md gives it with https.
    assert matsuda.citation == "matsuda.ne.jp/jp_200518_daliansinochina"
    assert matsuda.url == "https://matsuda.ne.jp/jp_200518_daliansinochina"
    assert (matsuda.publisher, matsuda.issued) == ("matsuda.ne.jp", "2020-05-18")
    assert {s.document for s in found.sources} == {
        DOC + "matsuda-2020-05-18",
        DOC + "mechuban-2020",
    }


def test_results_for_python_callers(kgs, engine):
    """ASK as a bool, SELECT as typed values or rdflib terms, graphs as rdflib Graphs."""
    import datetime
    from decimal import Decimal

    from rdflib import Graph, Literal

    kg = kgs[engine]
    assert bool(api.query(kg, "ASK { zone:chengdu ?p ?o }")) is True
    assert bool(api.query(kg, "ASK { zone:nowhere ?p ?o }")) is False
    typed = api.query(
        kg,
        "SELECT ?n ?d ?when ?yes ?text ?iri WHERE { VALUES (?n ?d ?when ?yes ?text ?iri) { (7 2.5 "
        '"2020-11-19"^^xsd:date true "成都"@zh zone:chengdu) } }',
    )
    (row,) = typed.values()
    assert row == {
        "n": 7,
        "d": Decimal("2.5"),
        "when": datetime.date(2020, 11, 19),
        "yes": True,
        "text": "成都",
        "iri": "https://w3id.org/zonekg/id/zone/chengdu",
    }
    (terms,) = typed.term_dicts()
    assert terms["text"] == Literal("成都", lang="zh")
    graph = api.query(kg, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5").graph()
    assert isinstance(graph, Graph) and len(graph) == 5
    assert not api.query(kg, "CONSTRUCT { ?s ?p ?o } WHERE { ?s <urn:x:none> ?o }")
    with pytest.raises(TypeError, match="no graph"):
        typed.graph()


def test_a_bad_choice_is_named_in_the_apis_words_and_the_cli_says_its_flag(kg):
    """Python callers read the parameter they passed; only cli/ speaks of flags."""
    from zonekg.cli.options import flag
    from zonekg.core.errors import InvalidChoice, words

    with pytest.raises(InvalidChoice) as caught:
        api.validate(kg, inference="magic")
    refused = caught.value
    assert (refused.parameter, refused.value, refused.choices) == (
        "inference",
        "magic",
        api.INFERENCE_CHOICES,
    )
    assert "inference='magic' is not one of: none, rdfs, owlrl" in str(refused)
    assert "--" not in str(refused)
    assert "--inference magic is not one of: none, rdfs, owlrl" in words(refused, flag)
    with pytest.raises(InvalidChoice, match="engine='nope' is not one of: oxigraph, reference"):
        api.load(engine="nope")


def test_limits_are_a_value_the_load_keeps_and_a_hint_names_as_such(tmp_path):
    from zonekg.cli.options import flag
    from zonekg.core.errors import LimitError, words

    data = tmp_path / "long.ttl"
    data.write_text('<http://x/a> <http://x/b> "' + "x" * 500 + '" .\n', encoding="utf-8")
    with pytest.raises(LimitError) as caught:
        api.load([data], ontology=[], limits=api.Limits(max_line=100))
    assert caught.value.limit == "max_line" and "Limits(max_line=…)" in caught.value.hint
    assert "--max-line or ZONEKG_MAX_LINE" in words(caught.value, flag)
    kg = api.load([data], ontology=[], limits=api.Limits(max_line=1000, timeout=7))
    assert kg.limits.timeout == 7 and kg.count(kg.asserted_graphs) == 1
