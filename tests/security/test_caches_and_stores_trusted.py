"""Issue 18, class D: caches and stores trusted.

A closure cache cut at a line boundary was used silently (a part of the closure, exit 0);
triples appended to it showed in answers (the zone's area: 36.9 and 999999); its key left
out the base IRI, so a moved checkout sharing the cache answered with the other place's
IRIs; it was read by the native parser through a symlink leading out of every allowed
folder; any folder with a file named CURRENT was taken for a store (the storage engine
wrote into it, then exit 3).

safety/cache.py: every entry has a manifest written after it (key, SHA-256, size, count),
checked on read; a regular file in the cache folder, never a link; anything else is
discarded with a note and computed again. The key holds everything that changes the
result. engines/oxigraph/store.py: a store is recognised by our own marker, and only
while every file in it is the storage engine's.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from safety_support import ROOT, flat, run_cli, tree_hashes

from zonekg import api
from zonekg.core.errors import InputWarning, LoadError
from zonekg.inputs import InputFile, collect, read_file

# Slow: a closure computed and cached afresh per test.
pytestmark = pytest.mark.slow

AREA = "https://w3id.org/zonekg/id/quantity/chengdu-zone-total-area"
NUMERIC_VALUE = "http://qudt.org/schema/qudt/numericValue"


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    # The closure cache is read when no kept store holds the closure (tests/test_store_cache.py
    # checks the kept stores): keep none, so that each load reads the cached closure.
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0")
    return folder


def _closure(cache):
    """A closure computed and kept in *cache*: (its triples, the payload file)."""
    triples = set(api.inferred(api.load()))
    [payload] = cache.glob("closure-*.nt")
    assert len(triples) > 1000
    return triples, payload


def _verdicts(cache) -> list:
    return [p for p in (cache / "checked").glob("*.json") if not p.name.endswith(".manifest.json")]


def _areas(kg) -> set[str]:
    """The areas cq01 gives (its planned areas have no figure)."""
    return {row[2].value for row in api.query(kg, "cq01", reasoned=True).rows if row[2] is not None}


def test_a_closure_cache_cut_at_a_line_boundary_is_not_used(cache):
    full, payload = _closure(cache)
    lines = payload.read_bytes().splitlines(keepends=True)
    payload.write_bytes(b"".join(lines[: len(lines) // 2]))  # still valid N-Triples
    kg = api.load()
    assert set(api.inferred(kg)) == full
    assert any("not used" in note and "cut or extended" in note for note in kg.notes), kg.notes
    assert len(payload.read_bytes().splitlines()) == len(lines), "computed again and kept"


def test_triples_appended_to_the_closure_cache_never_reach_answers(cache):
    _, payload = _closure(cache)
    assert _areas(api.load()) == {"36.9"}
    forged = f'<{AREA}> <{NUMERIC_VALUE}> "999999"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    with payload.open("a") as handle:
        handle.write(forged)
    kg = api.load()
    assert _areas(kg) == {"36.9"}
    assert any("not used" in note for note in kg.notes), kg.notes


def test_a_closure_cache_changed_in_place_is_not_used(cache):
    full, payload = _closure(cache)
    text = payload.read_bytes()
    payload.write_bytes(text.replace(b"Organization", b"Organisation", 1))  # same size
    kg = api.load()
    assert set(api.inferred(kg)) == full
    assert any("SHA-256" in note for note in kg.notes), kg.notes


def test_a_closure_cache_without_its_manifest_is_not_used(cache):
    full, payload = _closure(cache)
    manifest = cache / (payload.name + ".manifest.json")
    record = json.loads(manifest.read_text())
    assert record["count"] == len(full) and record["bytes"] == payload.stat().st_size
    manifest.unlink()
    payload.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    assert set(api.inferred(api.load())) == full


def test_the_cache_is_never_read_through_a_symlink(cache, tmp_path):
    _, payload = _closure(cache)
    outside = tmp_path / "outside.nt"
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    outside.write_text(f'<{AREA}> <{comment}> "read from outside the cache" .\n')
    payload.unlink()
    payload.symlink_to(outside)
    kg = api.load()
    found = api.query(kg, f"SELECT ?c WHERE {{ ?s <{comment}> ?c }}", reasoned=True)
    assert found.rows == []
    assert any("symbolic link" in note for note in kg.notes), kg.notes
    assert not payload.is_symlink() and outside.read_text().startswith("<")  # left alone


def test_a_cache_folder_linked_out_of_the_cache_is_not_used(cache, tmp_path):
    data = tmp_path / "small.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n")
    read_file(data)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(cache / "checked", elsewhere)
    (cache / "checked").symlink_to(elsewhere)
    with pytest.warns(InputWarning, match="leads outside the cache folder"):
        read_file(data)
    assert list(elsewhere.iterdir()), "nothing out of the cache folder is removed"


def test_a_forged_input_check_verdict_is_checked_again(cache, tmp_path):
    data = tmp_path / "small.trig"
    data.write_text("<http://example.org/g> { <http://example.org/a> <http://example.org/p> 1 }\n")
    assert read_file(data).graphs == {"http://example.org/g"}
    [verdict] = _verdicts(cache)
    stored = json.loads(verdict.read_text())
    stored["graphs"] = ["http://example.org/other"]  # the same count, another graph
    verdict.write_text(json.dumps(stored))
    with pytest.warns(InputWarning, match="was not used"):
        assert read_file(data).graphs == {"http://example.org/g"}


def test_a_verdict_naming_a_reserved_graph_is_refused_all_the_same(cache, tmp_path):
    """What collect refuses, it refuses whatever a verdict says (the check reads f.graphs)."""
    data = tmp_path / "small.trig"
    data.write_text("<http://example.org/g> { <http://example.org/a> <http://example.org/p> 1 }\n")
    collect([data], [])
    [verdict] = _verdicts(cache)
    manifest = verdict.with_name(verdict.name + ".manifest.json")
    stored = json.loads(verdict.read_text())
    stored["graphs"] = ["https://w3id.org/zonekg/graph/inferred"]
    text = json.dumps(stored).encode()
    record = json.loads(manifest.read_text())
    record.update(sha256=hashlib.sha256(text).hexdigest(), bytes=len(text))
    verdict.write_bytes(text)  # a verdict forged with a matching manifest
    manifest.write_text(json.dumps(record))
    with pytest.raises(LoadError, match="graph namespace"):
        collect([data], [])


def test_the_cache_key_holds_each_file_s_base(monkeypatch):
    inputs = collect()
    before = inputs.digest()
    monkeypatch.setattr(InputFile, "base", property(lambda f: "https://example.org/elsewhere/"))
    assert inputs.digest() != before


def test_a_moved_checkout_sharing_the_cache_answers_with_its_own_iris(tmp_path):
    relative = (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        '<local-thing> a zk:Company ; rdfs:label "a company named relative to its file"@en .\n'
    )
    homes = []
    for name in ("first", "second"):
        home = tmp_path / name
        shutil.copytree(ROOT / "ontology", home / "ontology")
        (home / "data").mkdir()
        for source in (ROOT / "data").glob("*.trig"):
            shutil.copy(source, home / "data")
        (home / "data" / "local.ttl").write_text(relative)
        homes.append(home)
    env = {"ZONEKG_CACHE": str(tmp_path / "shared-cache")}
    outputs = []
    for home in homes:
        done = run_cli("reason", env={**env, "ZONEKG_HOME": str(home)})
        assert done.returncode == 0, done.stderr
        assert "local-thing" in done.stdout
        outputs.append(done.stdout)
    for output in outputs:
        assert "file:" not in output and str(tmp_path) not in output
    assert outputs[0] == outputs[1]  # the same files mean the same triples, wherever they are


def _store_query(store):
    return run_cli("query", "cq01", "--store", str(store), "--format", "csv")


@pytest.mark.parametrize("with_own_file", [False, True])
def test_a_folder_holding_current_is_not_taken_for_a_store(tmp_path, with_own_file):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "CURRENT").write_text("my own notes\n")
    if with_own_file:
        (folder / "thesis.txt").write_text("my thesis\n")
    before = tree_hashes(folder)
    done = _store_query(folder)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is not a zonekg store" in flat(done.stderr)
    if with_own_file:
        assert "it holds thesis.txt" in flat(done.stderr)
    assert tree_hashes(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no LOCK, no LOG


def test_a_store_with_a_file_added_is_left_alone_naming_it(tmp_path):
    store = tmp_path / "store"
    assert _store_query(store).returncode == 0
    (store / "thesis.txt").write_text("my thesis\n")
    done = _store_query(store)
    assert done.returncode == 2 and "it holds thesis.txt" in flat(done.stderr), done.stderr
    (store / "thesis.txt").unlink()
    assert _store_query(store).returncode == 0


def test_a_store_marker_that_is_a_link_is_not_a_marker(tmp_path):
    store = tmp_path / "store"
    assert _store_query(store).returncode == 0
    marker = store / ".zonekg-output"
    copy = tmp_path / "marker"
    copy.write_bytes(marker.read_bytes())
    marker.unlink()
    marker.symlink_to(copy)
    done = _store_query(store)
    assert done.returncode == 2 and "is not a zonekg store" in flat(done.stderr), done.stderr


def test_files_a_killed_bulk_load_left_are_the_store_s_own_and_go(tmp_path):
    store = tmp_path / "store"
    assert _store_query(store).returncode == 0
    (store / "zonekg-manifest.json").unlink()  # killed while loading again
    leftover = store / "bulk-123456789.sst"
    leftover.write_bytes(b"half an sst file")
    done = _store_query(store)
    assert done.returncode == 0, done.stderr
    assert not leftover.exists()
