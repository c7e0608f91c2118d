"""The first command on new inputs loads each file while the next one is checked
(inputs/preload.py): the store it hands the engine is the one the engine would load, and
a check that fails leaves nothing loaded and no thread running."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from zonekg import api, engines
from zonekg.core.errors import LoadError
from zonekg.inputs import collect
from zonekg.publish.generate import generate


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    monkeypatch.setenv("ZONEKG_CACHE_STORES_MB", "0")  # no kept store: the load is in memory
    return folder


@pytest.fixture()
def data(tmp_path) -> Path:
    out = tmp_path / "data"
    made = generate(3000, out, seed=3)
    assert made.triples >= 3000
    return out


def quads(store) -> set:
    return set(store.quads_for_pattern(None, None, None, None))


def preloading() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "zonekg-preload"]


def test_files_checked_now_are_loaded_meanwhile_as_the_engine_loads_them(cache, data):
    inputs = collect([data], preload=True)
    assert all(f.checked_now for f in inputs.files)
    assert inputs.preloaded is not None
    assert not preloading()
    own = api.load([data], limits=api.Limits(threads=1))  # the engine's own load
    assert quads(inputs.preloaded) == quads(own.loaded.store)
    assert len(quads(own.loaded.store)) >= 3000


def test_the_engine_takes_the_preloaded_store_once(cache, data):
    inputs = collect([data], preload=True)
    preloaded = inputs.preloaded
    loaded = engines.get("oxigraph").load(inputs)
    assert loaded.store is preloaded
    assert inputs.preloaded is None


def test_files_whose_checks_are_remembered_are_not_preloaded(cache, data):
    collect([data])
    again = collect([data], preload=True)
    assert not any(f.checked_now for f in again.files)
    assert again.preloaded is None


@pytest.fixture()
def loads(monkeypatch) -> list[tuple[str, str]]:
    """(thread, file name) of each file loaded into a store, as it happens."""
    from zonekg.inputs import InputFile

    seen: list[tuple[str, str]] = []
    load_into = InputFile.load_into

    def recorded(self, store, bulk=False):
        seen.append((threading.current_thread().name, self.path.name))
        return load_into(self, store, bulk)

    monkeypatch.setattr(InputFile, "load_into", recorded)
    return seen


def test_a_failed_check_at_the_end_leaves_no_store_and_no_thread(cache, data, loads):
    bad = data / "zz-ill-typed.ttl"  # read last: the ill-typed literals are raised after all
    bad.write_text(
        '<http://example.org/a> <http://example.org/p> "soon"^^'
        "<http://www.w3.org/2001/XMLSchema#date> .\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match="zz-ill-typed.ttl"):
        collect([data], preload=True)
    assert loads and {thread for thread, _ in loads} == {"zonekg-preload"}, "it had started"
    assert not preloading()


def test_a_file_that_fails_half_way_stops_the_loading_there(cache, data, loads):
    names = sorted(p.name for p in data.iterdir() if p.suffix in (".ttl", ".trig", ".nq"))
    assert len(names) >= 4
    broken = data / (names[len(names) // 2].rsplit(".", 1)[0] + "-broken.ttl")
    broken.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="-broken.ttl"):
        collect([data], preload=True)
    data_loaded = [name for _, name in loads if name in names]
    assert data_loaded, "data files before it were loaded meanwhile"
    assert all(name < broken.name for name in data_loaded), loads
    assert len(data_loaded) < len(names), "none after it"
    assert not preloading()


def test_a_command_on_new_inputs_loads_them_while_it_checks_them(cache, data, loads, monkeypatch):
    """Through api.load, as the commands call it: on two CPUs or more the engine's own
    load does not run (it would be a second parse of every file)."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    kg = api.load([data])
    assert loads and {thread for thread, _ in loads} == {"zonekg-preload"}, loads
    assert len(loads) == len(kg.inputs.files)
