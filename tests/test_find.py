"""Finding entities by name (`find`), and `why` by name, with what points at an entity and
where sources disagree about it: through the API (each engine) and the CLI (a subprocess).

The expected matches were read from the data by hand (grep for the name in data/*.trig):
- "Mitsubishi Heavy Industries"@en, "三菱重工"@zh and "三菱重工業株式会社"@ja name
  organization:mitsubishi-heavy-industries (organizations.trig);
- "騎竜"@ja names place:qilong and "成都高新区"@zh (skos:altLabel) place:chengdu-hi-tech-zone;
- "国家発展改革委員会"@ja and "NDRC"@en (skos:altLabel) name organization:ndrc;
- "intelligent manufacturing"@en is the skos:prefLabel of sector:intelligent-manufacturing;
- "MHI" occurs only inside longer names, among them "RMB 5.8 billion (total investment of the
  MHI joint venture)" (amount:mhi-joint-venture-total-investment);
- "中日(成都)地方发展合作示范区"@zh (ASCII parentheses) names zone:chengdu;
- nine entities have a name holding "Qilong" (areas, disagreements, events, sectors, sources).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zonekg import api
from zonekg.core.errors import InvalidValue, UnknownName

ID = "https://w3id.org/zonekg/id/"
DOC = ID + "document/"
ZK = "https://w3id.org/zonekg/def#"
MHI = ID + "organization/mitsubishi-heavy-industries"


def zonekg(*args: str) -> subprocess.CompletedProcess:
    """The CLI, piped, 200 columns wide: the tests read whole lines (tests/test_output_fit.py
    checks the wrapping)."""
    return subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


def _entities(found) -> list[str]:
    return [m.entity for m in found.matches]


# --- find, through the API ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity", "rank"),
    [
        ("Mitsubishi Heavy Industries", MHI, "exact"),  # English
        ("mitsubishi", MHI, "prefix"),
        ("三菱重工", MHI, "exact"),  # Chinese
        ("三菱重工業株式会社", MHI, "exact"),  # Japanese
        ("騎竜", ID + "place/qilong", "exact"),
        ("国家発展改革委員会", ID + "organization/ndrc", "exact"),
        ("NDRC", ID + "organization/ndrc", "exact"),  # skos:altLabel
        ("成都高新区", ID + "place/chengdu-hi-tech-zone", "exact"),  # skos:altLabel@zh
        ("intelligent manufacturing", ID + "sector/intelligent-manufacturing", "exact"),
    ],
)
def test_find_matches_names_in_every_language_and_label_property(kgs, engine, text, entity, rank):
    found = api.find(kgs[engine], text)
    assert found.matches[0].entity == entity, _entities(found)
    assert found.matches[0].rank == rank


def test_find_folds_case_and_width(kgs, engine):
    kg = kgs[engine]
    assert api.find(kg, "MITSUBISHI HEAVY INDUSTRIES").matches[0].entity == MHI
    assert api.find(kg, "ＣＨＥＮＧＤＵ").matches[0].entity == ID + "place/chengdu"
    # full-width letters: "MHI" stands only inside longer names
    wide = api.find(kg, "ＭＨＩ")
    assert ID + "amount/mhi-joint-venture-total-investment" in _entities(wide)
    assert {m.rank for m in wide.matches} == {"substring"}
    assert _entities(wide) == _entities(api.find(kg, "mhi"))
    # full-width parentheses find the name written with ASCII ones
    zone = api.find(kg, "中日（成都）地方发展合作示范区")
    assert zone.matches[0].entity == ID + "zone/chengdu"
    assert zone.matches[0].rank == "exact"


def test_find_ranks_exact_then_prefix_then_substring(kgs, engine):
    found = api.find(kgs[engine], "qilong")
    assert found.total == 9
    ranked = [(m.entity.removeprefix(ID), m.rank) for m in found.matches]
    assert ranked[:3] == [
        ("place/qilong", "exact"),  # "Qilong"
        ("place/qilong-innovation-park", "prefix"),  # "Qilong Innovation Park" (shorter)
        ("claim/initial-construction-area-hkcd", "prefix"),  # "Qilong is the zone's …"
    ]
    assert {rank for _, rank in ranked[3:]} == {"substring"}
    assert {entity for entity, _ in ranked[3:]} == {
        "plan/qilong-innovation-park-urban-design",
        "event/qilong-innovation-park-design-call-2020-04",
        "document/yidezhubao-2020-09-18",
        "document/prnasia-2020-09-21",
        "claim/initial-construction-area-prnasia",
        "claim/initial-construction-area-yidezhubao",
    }


def test_find_gives_kind_and_every_name(kgs, engine):
    match = api.find(kgs[engine], "騎竜").matches[0]
    assert ZK + "PlannedArea" in match.kinds
    names = {(n.text, n.language) for n in match.names}
    assert {("Qilong", "en"), ("騎竜", "ja"), ("骑龙", "zh")} <= names
    assert match.label == "Qilong"


def test_find_limits_the_matches_it_returns(kgs, engine):
    found = api.find(kgs[engine], "chengdu", limit=3)
    assert len(found.matches) == 3 and found.total > 3
    assert found.matches[0].entity == ID + "place/chengdu"


def test_find_suggests_close_names_when_nothing_matches(kgs, engine):
    found = api.find(kgs[engine], "chengdoo")
    assert not found and found.total == 0
    assert "Chengdu" in found.suggestions


@pytest.mark.parametrize(
    ("text", "limit", "parameter"),
    [
        ("", 20, "text"),
        ("   ", 20, "text"),
        ("x" * (api.FIND_MAX_TEXT + 1), 20, "text"),
        ("a\nb", 20, "text"),
        ("a\ud800b", 20, "text"),  # a lone surrogate
        ("chengdu", 0, "limit"),
        ("chengdu", 201, "limit"),
    ],
)
def test_find_refuses_bad_input(kg, text, limit, parameter):
    with pytest.raises(InvalidValue) as caught:
        api.find(kg, text, limit)
    assert caught.value.parameter == parameter


def test_find_takes_the_longest_text_allowed(kg):
    assert api.find(kg, "x" * api.FIND_MAX_TEXT).total == 0


# --- why: by name, what points at it, where sources disagree -------------------------------


def test_why_by_a_name_with_one_exact_match_explains_it(kgs, engine):
    found = api.why(kgs[engine], "chengdu")
    assert found.entity == ID + "place/chengdu"
    assert found.found is not None and found.found.exact[0].matched.text == "Chengdu"


@pytest.mark.parametrize(
    ("name", "entity"),
    [("三菱重工", MHI), ("騎竜", ID + "place/qilong"), ("NDRC", ID + "organization/ndrc")],
)
def test_why_by_a_name_in_any_language(kgs, engine, name, entity):
    assert api.why(kgs[engine], name).entity == entity


def test_why_never_takes_a_part_of_a_name_on_trust(kgs, engine):
    """ "mitsubishi" is in five names (none is exactly it; the fifth is the Suzhou zone's
    "三菱重スマートシティ", sibling-zones.md); "and manga b" is inside one name only
    ("China-Japan animation and manga block"): both are listed, neither explained."""
    with pytest.raises(UnknownName, match=r"the names of 5 entities hold it") as caught:
        api.why(kgs[engine], "mitsubishi")
    assert _entities(caught.value.found)[0] == MHI
    with pytest.raises(UnknownName, match=r"the name of 1 entity holds it") as caught:
        api.why(kgs[engine], "and manga b")
    assert _entities(caught.value.found) == [ID + "project/china-japan-animation-and-manga-block"]


def test_why_by_a_name_several_have_lists_them(kgs, engine):
    with pytest.raises(UnknownName) as caught:
        api.why(kgs[engine], "Chengdu Hi-tech Zone")
    assert caught.value.exit_code == 2
    assert sorted(_entities(caught.value.found)) == [
        ID + "organization/chengdu-hi-tech-zone",
        ID + "place/chengdu-hi-tech-zone",
    ]


def test_why_by_a_name_nobody_has_suggests_close_ones(kgs, engine):
    refused = "'chengdoo' is not an IRI or a CURIE, and no entity is named so"
    with pytest.raises(UnknownName, match=refused) as caught:
        api.why(kgs[engine], "chengdoo")
    assert "Chengdu" in caught.value.found.suggestions
    assert "Chengdu" in caught.value.hint


def test_why_shows_what_points_at_the_entity_with_its_sources(kgs, engine):
    """collection:six-china-japan-zones zk:hasMember zone:chengdu in the graphs of kantsuu.com
    (People's Daily, 2020-05-22), mechuban and People's Daily 2020-11-20 (zone.trig), and of
    the three pages sibling-zones.md quotes for the approval of the six cities on 2020-04-27
    (jp.dl.gov.cn 2020-08-25, regional.chinadaily.com.cn, The Mirror 2021-01-29)."""
    found = api.why(kgs[engine], "zone:chengdu")
    links = {(k.subject, k.predicate): k for k in found.pointed_by}
    six = links[(ID + "collection/six-china-japan-zones", ZK + "hasMember")]
    assert six.sources == [
        DOC + "china-daily-dalian-jinpu-jconstruction",
        DOC + "dalian-government-2020-08-25-27062",
        DOC + "kantsuu-2020-05-22",
        DOC + "mechuban-2020",
        DOC + "peoples-daily-japanese-2020-11-20",
        DOC + "the-mirror-2021-01-29",
    ]
    assert six.label.startswith("the six China-Japan")
    # every link is a triple of each source graph named, and each such triple is listed
    reference = kgs["reference"].rdf
    documents = _source_documents(kgs["reference"])
    from rdflib import URIRef

    listed = {(k.subject, k.predicate, s) for k in found.pointed_by for s in k.sources}
    stated = {
        (str(s), str(p), name)
        for name in documents
        for s, p in reference.graph(name).subject_predicates(URIRef(found.entity))
    }
    assert listed == stated and len(listed) > 20


def _source_documents(kg) -> list[str]:
    rows = api.query(kg, "SELECT ?d WHERE { ?d a zk:SourceDocument }").rows
    assert rows
    return [r[0].value for r in rows]


def test_why_shows_where_sources_disagree_about_the_entity(kgs, engine):
    """disagreements.trig: the approval month (April 2020, People's Daily 2020-11-20, of the
    six zones | May 2020, china.org.cn, of the zones, and the zone launched in May 2020, the
    Chinese Embassy in Japan), what the 36.9 km² are (sibling-zones.md adds the asiapresswire
    repost's "当初の範囲"), the initial construction area, and (sibling-zones.md's table of
    disagreements) Chengdu's approval in April 2020 against its establishment on 2020-05-20."""
    found = api.why(kgs[engine], "zone:chengdu")
    points = {d.disagreement.removeprefix(ID): d for d in found.disagreements}
    assert sorted(points) == [
        "disagreement/approval-month",
        "disagreement/area-36-9-km2",
        "disagreement/chengdu-approval-and-launch",
        "disagreement/initial-construction-area",
    ]
    month = points["disagreement/approval-month"]
    assert month.point == "the month in which NDRC approved the zones"
    sides = {(c.side, c.source.removeprefix(DOC), c.value.value, c.about) for c in month.claims}
    assert sides == {
        ("one side", "peoples-daily-japanese-2020-11-20", "2020-04", False),
        ("other side", "china-org-cn-2021-07-18", "2020-05", False),
        ("other side", "chinese-embassy-in-japan-2020-11-19", "2020-05", True),
    }
    area = points["disagreement/area-36-9-km2"]
    assert {
        (c.side, c.predicate.removeprefix(ZK), c.source.removeprefix(DOC)) for c in area.claims
    } == {
        ("one side", "totalArea", "article-2020-11-19"),
        ("one side", "totalArea", "afpbb-2020-11-21"),
        ("other side", "firstPhaseArea", "peoples-daily-japanese-2020-11-20"),
        ("other side", "firstPhaseArea", "asiapresswire-2020-05"),
    }
    launch = points["disagreement/chengdu-approval-and-launch"]
    assert {
        (c.side, c.predicate.removeprefix(ZK), c.source.removeprefix(DOC), c.value.value)
        for c in launch.claims
    } == {
        ("one side", "approvalDate", "hkcd-2022-05-18", "2020-04"),
        ("one side", "approvalDate", "peoples-china-2022-07-12", "2020-04"),
        ("other side", "establishmentDate", "kantsuu-2020-05-22", "2020-05-20"),
    }
    assert len(points["disagreement/initial-construction-area"].claims) == 4


def test_why_shows_a_disagreement_whose_claim_has_the_entity_as_object(kgs, engine):
    """disagreements.trig: only hkcd.com's claim names place:qilong (as rdf:object)."""
    (point,) = api.why(kgs[engine], "place:qilong").disagreements
    assert point.disagreement == ID + "disagreement/initial-construction-area"
    about = [c.source for c in point.claims if c.about]
    assert about == [DOC + "hkcd-2022-05-18"] and len(point.claims) == 4


def test_why_of_an_entity_no_claim_names_shows_no_disagreement(kgs, engine):
    assert api.why(kgs[engine], "organization:mitsubishi-heavy-industries").disagreements == []


# --- the CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "curie"),
    [
        ("mitsubishi", "organization:mitsubishi-heavy-industries"),
        ("三菱重工", "organization:mitsubishi-heavy-industries"),
        ("騎竜", "place:qilong"),
        ("ＭＨＩ", "amount:mhi-joint-venture-total-investment"),
    ],
)
def test_cli_find_prints_curie_kind_and_names(text, curie):
    result = zonekg("find", text)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith(curie + " "))
    assert "match:" in line


def test_cli_find_prints_the_names_of_each_match():
    result = zonekg("find", "騎竜")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 match for '騎竜':")
    assert "place:qilong  zk:Place, zk:PlannedArea  (exact match:" in result.stdout
    assert 'rdfs:label "Qilong"@en, "騎竜"@ja, "骑龙"@zh' in result.stdout


def test_cli_find_nothing_exits_1_with_suggestions():
    result = zonekg("find", "chengdoo")
    assert result.returncode == 1
    assert "No entity is named 'chengdoo'." in result.stdout
    assert "Close names: Chengdu" in result.stdout


@pytest.mark.parametrize("args", [("find", ""), ("find", "x" * 201), ("find", "x", "--limit", "0")])
def test_cli_find_bad_input_exits_2(args):
    result = zonekg(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "--text" not in result.stderr  # the text is an argument, not a flag


def test_why_chengdu_is_no_sparql_syntax_error():
    """Issue 21: `zonekg why chengdu` said "SPARQL syntax error … fix the query at this
    position", though the user wrote no query; now the word is a name, and the one entity
    named "Chengdu" (place:chengdu, "Chengdu"@en in places.trig) is explained."""
    result = zonekg("why", "chengdu")
    assert result.returncode == 0, result.stderr
    assert "SPARQL" not in result.stderr
    assert result.stdout.startswith("place:chengdu — Chengdu")
    assert "'chengdu' names place:chengdu." in result.stderr


def test_cli_why_by_a_name_several_have_lists_them_and_exits_2():
    result = zonekg("why", "Chengdu Hi-tech Zone")
    assert result.returncode == 2
    assert result.stdout.startswith("2 matches for 'Chengdu Hi-tech Zone':")
    assert "\norganization:chengdu-hi-tech-zone  zk:Organization" in result.stdout
    assert "\nplace:chengdu-hi-tech-zone  zk:HighTechZone" in result.stdout
    assert "2 entities are named 'Chengdu Hi-tech Zone' exactly" in result.stderr


def test_cli_why_of_bad_text_names_its_argument():
    result = zonekg("why", "x" * 201)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ENTITY 'xxxx")
    assert "is not at most 200 characters long (201 given)" in result.stderr


def test_cli_why_of_an_unknown_curie_points_to_find():
    result = zonekg("why", "zone:atlantis")
    assert result.returncode == 2
    assert "or a name (see `find`)" in result.stderr


def test_cli_why_shows_pointed_to_by_and_disagreements():
    result = zonekg("why", "zone:chengdu")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    pointed = text[text.index("\nPointed to by (") : text.index("\nWhere sources disagree")]
    line = "  collection:six-china-japan-zones (the six China-Japan"
    assert line in pointed
    # The terminal width wraps long lines: compare the words of the entry.
    lines = pointed[pointed.index(line) :].splitlines()
    ends = [i for i, x in enumerate(lines) if i and x.startswith("  ") and x[2] != " "]
    entry = " ".join(" ".join(lines[: ends[0] if ends else None]).split())
    assert entry.split(" stated by ")[1].split(", ") == [
        "document:china-daily-dalian-jinpu-jconstruction",
        "document:dalian-government-2020-08-25-27062",
        "document:kantsuu-2020-05-22",
        "document:mechuban-2020",
        "document:peoples-daily-japanese-2020-11-20",
        "document:the-mirror-2021-01-29",
    ]
    disagree = text[text.index("\nWhere sources disagree") :]
    assert "the month in which NDRC approved the zones (disagreement:approval-month)" in disagree
    assert (
        "one side: NDRC approved the six China-Japan zones in April 2020 "
        "(People's Daily, Japanese edition)"
    ) in disagree
    assert "other side: NDRC approved the zones in May 2020 (china.org.cn)" in disagree
    assert (
        'collection:six-china-japan-zones zk:approvalDate "2020-04"^^xsd:gYearMonth  — '
        "document:peoples-daily-japanese-2020-11-20"
    ) in disagree
