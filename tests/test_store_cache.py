"""Issue 19, point 2: a later command does not parse again.

The default engine keeps each load in the cache folder (``stores/``): an Oxigraph store
keyed by the inputs' content digests, sealed with a manifest of its files, opened read-only
by the next command on the same inputs (engines/oxigraph/cached.py, safety/cache.py).
Here: the next load opens it without parsing; any change of the inputs (content with size
and time restored, a file added, removed or renamed) is another entry; a damaged or forged
entry is refused with a note and built again; a build killed at its last step leaves no
entry; the answers equal those of a load in memory on every question.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from zonekg import api
from zonekg.core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, TYPES_GRAPH
from zonekg.engines import oxigraph as oxigraph_engine
from zonekg.engines.oxigraph import cached

pytestmark = pytest.mark.slow

#: The zone's area as data/zone.trig writes it (cq01 answers it).
AREA_VALUE = b"qudt:numericValue 36.9 ;"


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "4096")
    # the command keeps its load itself (by default a process of its own does, for big inputs)
    monkeypatch.setenv("ZONEKG_CACHE_STORES_BUILD", "now")
    return folder


@pytest.fixture()
def data(data_copy) -> Path:
    return data_copy


def entries(cache: Path) -> list[Path]:
    """The entries of the store cache (never a folder being built)."""
    folder = cache / cached.KIND
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def answers(kg, names=None) -> dict[str, list]:
    found = {}
    for question in api.all_questions():
        job = api.job_for(question, None)
        if names and not job.label.startswith(tuple(names)):
            continue
        result = api.answer(kg, api.screen_job(job), job.needs_reasoning)
        rows = result.rows if result.rows is not None else result.triples
        found[job.label] = sorted(str(row) for row in rows)
    assert found, "the questions"
    return found


def areas(kg) -> set[str]:
    rows = api.query(kg, "cq01").rows
    return {row[2].value for row in rows if row[2] is not None}


def test_a_later_load_opens_the_kept_store_and_parses_nothing(cache, data, monkeypatch):
    first = api.load([data])
    assert first.loaded.kept is not None and first.loaded.kept.built
    expected = answers(first, ["cq01", "cq12"])
    kept = entries(cache)
    assert kept, "the load and its derived graphs are kept"

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(cached, "write_entry", no_parsing)
    monkeypatch.setattr(cached, "in_memory", no_parsing)
    monkeypatch.setattr(oxigraph_engine.stores, "open_store", no_parsing)  # the in-memory load
    again = api.load([data])
    assert again.loaded.reused and not again.loaded.kept.built
    assert again.loaded.kept.folder.name.endswith("-adit"), again.loaded.kept.folder
    # the default graph holds the merge and the types together (they share no triple)
    assert again.loaded.typed == again.loaded.merged_count + again.loaded.types_count
    assert answers(again, ["cq01", "cq12"]) == expected
    assert entries(cache) == kept, "nothing built or changed"


def test_answers_from_the_kept_store_equal_those_in_memory(cache, data, monkeypatch):
    built = answers(api.load([data]))
    reopened_kg = api.load([data])
    assert reopened_kg.loaded.reused
    reopened = answers(reopened_kg)
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0")
    memory_kg = api.load([data])
    assert memory_kg.loaded.kept is None
    memory = answers(memory_kg)
    assert len(memory) == len(api.all_questions())
    assert built == memory
    assert reopened == memory


def test_a_byte_changed_with_size_and_time_kept_is_another_entry(cache, data):
    # (data/sibling-zones.trig gives 36.9 too: the changed file's figure is the one to find)
    assert "36.8" not in areas(api.load([data]))
    file = data / "zone.trig"
    assert AREA_VALUE in file.read_bytes()
    before = file.stat()
    file.write_bytes(file.read_bytes().replace(AREA_VALUE, b"qudt:numericValue 36.8 ;"))
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = file.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    kg = api.load([data])
    assert kg.loaded.kept.built, "a new entry, not the old one"
    assert "36.8" in areas(kg)


@pytest.mark.parametrize("change", ["added", "removed", "renamed"])
def test_a_file_added_removed_or_renamed_is_another_entry(cache, data, tmp_path, change):
    first = api.load([data])
    size = first.count(first.asserted_graphs)
    victim = sorted(data.glob("*.trig"))[-1]
    if change == "added":
        (data / "zz-extra.trig").write_text(
            "@prefix ex: <https://example.org/> .\nex:g { ex:a ex:b ex:c . }\n", encoding="utf-8"
        )
    elif change == "removed":
        victim.unlink()
    else:
        victim.rename(data / ("zz-" + victim.name))
    kg = api.load([data])
    assert kg.loaded.kept.built, "a new entry, not the old one"
    assert kg.loaded.kept.folder != first.loaded.kept.folder
    assert sorted(kg.data_files) == sorted(data.glob("*.trig"))
    if change == "renamed":  # the same triples, in a file of another name
        assert kg.count(kg.asserted_graphs) == size
    else:
        assert kg.count(kg.asserted_graphs) != size


def _damage_sst(folder: Path) -> None:
    sst = max(folder.glob("*.sst"), key=lambda p: p.stat().st_size)
    with sst.open("ab") as handle:
        handle.write(b"\0")


def _forge_manifest(folder: Path) -> None:
    manifest = folder / "zonekg-cache.manifest.json"
    manifest.write_text(manifest.read_text().replace('"graphs": ', '"graphs": 1'))


def _extra_file(folder: Path) -> None:
    (folder / "thesis.txt").write_text("mine\n")


def _manifest_removed(folder: Path) -> None:
    (folder / "zonekg-cache.manifest.json").unlink()


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (_damage_sst, "is not the file its manifest records"),
        (_forge_manifest, "graphs"),
        (_extra_file, "does not hold the files its manifest lists"),
        (_manifest_removed, "has no manifest"),
    ],
)
def test_a_damaged_or_forged_entry_is_refused_and_built_again(cache, data, damage, why):
    expected = areas(api.load([data]))
    for entry in entries(cache):
        damage(entry)
    kg = api.load([data])
    assert any("was not used" in note and why in note for note in kg.notes), kg.notes
    assert kg.loaded.kept.built
    assert areas(kg) == expected
    assert not any((e / "thesis.txt").exists() for e in entries(cache))


def test_an_entry_whose_default_graph_is_not_the_merge_and_types_is_refused(cache, data):
    """The default graph's size an entry records is its merge's and types' together: an
    entry whose manifest says otherwise is removed with a note, not opened."""
    expected = areas(api.load([data]))
    [whole] = [e for e in entries(cache) if e.name.endswith("-adit")]
    manifest = whole / "zonekg-cache.manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    recorded["derived"]["default"] += 1
    manifest.write_text(json.dumps(recorded), encoding="utf-8")
    kg = api.load([data])
    [said] = [note for note in kg.notes if "was not used" in note]
    assert "not the merge and the types together" in said and whole.name in said
    assert not whole.exists() and kg.loaded.kept.folder != whole
    assert areas(kg) == expected


def test_an_entry_that_is_a_link_is_never_read(cache, data, tmp_path):
    api.load([data])
    [base] = [e for e in entries(cache) if "-" not in e.name]
    for entry in entries(cache):
        if entry != base:
            shutil.rmtree(entry)
    elsewhere = tmp_path / "elsewhere"
    base.rename(elsewhere)
    base.symlink_to(elsewhere, target_is_directory=True)
    kg = api.load([data])
    assert any("not a folder" in note for note in kg.notes), kg.notes
    assert kg.loaded.kept.built and not kg.loaded.kept.folder.is_symlink()
    assert elsewhere.is_dir(), "what the link led to is left alone"


def test_a_build_killed_at_its_last_step_leaves_no_entry(cache, data, tmp_path):
    signal_file = tmp_path / "building"
    env = {
        **os.environ,
        "ZONEKG_CACHE": str(cache),
        "ZONEKG_TEST_PAUSE_STORE_BUILD": str(signal_file),
    }
    code = "from zonekg import api; import sys; api.load([sys.argv[1]])"
    process = subprocess.Popen([sys.executable, "-c", code, str(data)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not signal_file.exists():
            assert process.poll() is None, "the run ended before the hook"
            assert time.monotonic() < deadline, "the hook was never reached"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    building = [p for p in (cache / cached.KIND).iterdir() if p.name.startswith(".build-")]
    assert building, "the killed run was building"
    assert entries(cache) == [], "no entry: the build was not renamed into place"
    kg = api.load([data])
    assert kg.loaded.kept.built and areas(kg) == {"36.9"}
    assert not any(p.name.startswith(".build-") for p in (cache / cached.KIND).iterdir()), (
        "the killed run's folder is removed once its process is gone"
    )


def test_entries_beyond_the_cap_are_evicted_oldest_first(cache, data, tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0.001")
    first = api.load([data])
    other = tmp_path / "other"
    shutil.copytree(data, other)
    (other / "zz-extra.trig").write_text(
        "@prefix ex: <https://example.org/> .\nex:g { ex:a ex:b ex:c . }\n", encoding="utf-8"
    )
    second = api.load([other])
    assert [e.name for e in entries(cache)] == [second.loaded.kept.folder.name]
    assert not first.loaded.kept.folder.exists()


def test_no_store_is_kept_when_the_cap_is_zero(cache, data, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0")
    kg = api.load([data])
    assert kg.loaded.kept is None
    assert areas(kg) == {"36.9"}
    assert entries(cache) == []


#: Two places the data names by blank nodes, one inside the other, inside a place of its own.
BLANK_PLACES = (
    "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
    "[] zk:partOf [ zk:partOf <urn:example:place> ] .\n"
)
#: Blank places with what they are part of, once the closure types them (zk:partOf has the
#: domain zk:Place and is transitive): the outer one in the inner one and in the place, the
#: inner one in the place.
BLANK_PLACE_ROWS = 3
BLANK_PLACES_QUERY = (
    "SELECT ?x ?y WHERE { ?x a <https://w3id.org/zonekg/def#Place> ; "
    "<https://w3id.org/zonekg/def#partOf> ?y FILTER(isBlank(?x)) }"
)


@pytest.mark.parametrize("build", ["now", "background"])
def test_a_closure_naming_blank_nodes_answers_alike_on_every_load(
    cache, data, tmp_path, monkeypatch, build
):
    """Regression: each load names a file's blank nodes anew, and a closure kept from an
    earlier load (in closure-*.nt, or in a kept store beside a load of its own) spoke of
    the old names: the second load found 1 row where the first found 3."""
    monkeypatch.setenv("ZONEKG_CACHE_STORES_BUILD", build)
    blank = tmp_path / "blank.ttl"
    blank.write_text(BLANK_PLACES, encoding="utf-8")
    screened = api.screen_job(api.Job("blank", "", BLANK_PLACES_QUERY, True))
    for _ in range(3):
        kg = api.load([data, blank])
        rows = api.answer(kg, screened, True).rows
        assert len(rows) == BLANK_PLACE_ROWS
    assert not list(cache.glob("closure-*")), "no closure naming a blank node is kept"


#: A blank node part of a place (untyped: the types name no blank node, and are kept).
BLANK_PART = "[] <https://w3id.org/zonekg/def#partOf> <urn:example:place> .\n"
#: The blank node in the default graph joined with the graphs stating it: the file's graph
#: and graph/asserted, their merge (2 rows; none if the default graph named it anew).
BLANK_PART_QUERY = (
    "SELECT ?x ?g WHERE { ?x <https://w3id.org/zonekg/def#partOf> <urn:example:place> "
    "GRAPH ?g { ?x <https://w3id.org/zonekg/def#partOf> <urn:example:place> } "
    "FILTER(isBlank(?x)) }"
)


@pytest.mark.parametrize("where", ["kept", "store"])
def test_a_default_graph_on_disk_names_the_blank_nodes_of_the_graphs_it_joins(
    cache, data, tmp_path, where
):
    """On disk, the default graph holds graph/asserted and graph/types together (one graph:
    the questions ran 1.3x faster on it). Copied as text, it would name the data's blank
    nodes anew, and a question joining it with a GRAPH pattern would find nothing."""
    blank = tmp_path / "blank.ttl"
    blank.write_text(BLANK_PART, encoding="utf-8")
    screened = api.screen_job(api.Job("blank", "", BLANK_PART_QUERY, False))
    store = tmp_path / "store" if where == "store" else None
    for load in range(3):
        kg = api.load([data, blank], store=store)
        named = [*kg.asserted_graphs, ASSERTED_GRAPH, TYPES_GRAPH]  # the store's own
        rows = api.answer(kg, screened, False, named_graphs=named).rows
        assert len(rows) == 2, (load, rows)
        assert {row[1].value for row in rows} == {ASSERTED_GRAPH, kg.inputs.files[-1].graph}
        if load:  # opened, with the default graph the first load made
            assert kg.loaded.typed == kg.loaded.merged_count + kg.loaded.types_count
        del kg  # (an on-disk store is locked while it is open)


def test_a_kept_closure_naming_a_blank_node_is_refused(cache, data, monkeypatch):
    """A closure entry whose triples name a blank node (as kept before the regression above
    was mended), its manifest agreeing, is discarded with a note and made again."""
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0")  # the closure kept in closure-*.nt
    api.reason(api.load([data]))
    (kept,) = cache.glob("closure-*.nt")
    text = kept.read_bytes()
    assert b"_:" not in text
    _subject, rest = text.split(b" ", 1)
    forged = b"_:b1 " + rest  # the first triple about a blank node instead
    manifest = kept.with_name(kept.name + ".manifest.json")
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    recorded.update(sha256=hashlib.sha256(forged).hexdigest(), bytes=len(forged))
    kept.write_bytes(forged)
    manifest.write_text(json.dumps(recorded), encoding="utf-8")
    again = api.load([data])
    count = api.reason(again)
    assert any("names a blank node" in note for note in again.notes), again.notes
    assert count == recorded["count"]
    closure = list(again.engine.quads(again.loaded, [INFERRED_GRAPH]))
    assert not any(isinstance(q.subject, ox.BlankNode) for q in closure), "made again"


def _forge_closure(cache: Path) -> None:
    """The kept closure without its last triple, its manifest made to agree."""
    (kept,) = cache.glob("closure-*.nt")
    forged = b"".join(kept.read_bytes().splitlines(keepends=True)[:-1])
    manifest = kept.with_name(kept.name + ".manifest.json")
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    recorded.update(
        sha256=hashlib.sha256(forged).hexdigest(), bytes=len(forged), count=recorded["count"] - 1
    )
    kept.write_bytes(forged)
    manifest.write_text(json.dumps(recorded), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"])
def test_the_closure_of_a_kept_store_is_written_from_its_kept_text_as_from_memory(
    cache, data, monkeypatch, fmt
):
    """A later ``reason -o`` on a kept store reads the closure's kept N-Triples instead of the
    store's graph (a million triples: 5.6 -> 3.2 s): the same text in every format; and
    the store's graph where the kept text is not that closure (a triple short)."""
    first = api.load([data])
    expected = api.closure_text(first, fmt)  # reasoned in memory, written from there
    assert not first.loaded.on_disk
    del first
    from_store = api.load([data])
    assert from_store.reasoned and from_store.loaded.on_disk, "the entry with the closure"
    engine = type(from_store.engine)
    store_quads = engine.quads

    def not_read(self, loaded, graphs):
        if INFERRED_GRAPH in graphs:
            raise AssertionError("the closure was read from the store")
        return store_quads(self, loaded, graphs)

    monkeypatch.setattr(engine, "quads", not_read)
    assert api.closure_text(from_store, fmt) == expected
    monkeypatch.setattr(engine, "quads", store_quads)
    _forge_closure(cache)
    again = api.load([data])
    assert again.loaded.on_disk
    assert api.closure_text(again, fmt) == expected, "the store's graph, not the forged text"
    (kept,) = cache.glob("closure-*.nt")
    kept.write_bytes(kept.read_bytes().replace(b"<", b"[", 1))  # its manifest no longer agrees
    damaged = api.load([data])
    assert api.closure_text(damaged, fmt) == expected
    [said] = [n for n in damaged.notes if "was not used" in n]
    assert said.endswith("read from the store"), said
