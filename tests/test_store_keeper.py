"""Issue 19, point 2, by default: a command on big inputs that finds no kept store asks a
process of its own, the keeper, to keep one (api/keeping.py, api/keeper.py), and goes on in
memory; the next command opens what the keeper kept.

The keeper is a real process here. Its threshold (``BACKGROUND_FROM_BYTES``, 4 MiB) is the
command's to apply; the tests lower it in the asking process so that the project's data
(0.5 MB) is enough.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zonekg import api
from zonekg.api import keeping
from zonekg.core import settings
from zonekg.core.errors import ZonekgError
from zonekg.engines.oxigraph import cached

pytestmark = pytest.mark.slow


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    monkeypatch.delenv("ZONEKG_CACHE_STORES_MB", raising=False)  # the defaults
    monkeypatch.delenv("ZONEKG_CACHE_STORES_BUILD", raising=False)
    return folder


@pytest.fixture()
def data(data_copy) -> Path:
    return data_copy


@pytest.fixture()
def small_enough(monkeypatch):
    monkeypatch.setattr(cached, "BACKGROUND_FROM_BYTES", 0)


def entries(cache: Path) -> list[Path]:
    folder = cache / cached.KIND
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def requests(cache: Path) -> list[Path]:
    folder = cache / cached.KIND
    return sorted(folder.glob(".keep-*")) if folder.exists() else []


def at_work(request: Path) -> bool:
    """Whether a keeper holds *request* (its lock taken)."""
    fd = os.open(request, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_for_keepers(cache: Path, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while any(at_work(r) for r in requests(cache) if r.exists()):
        assert time.monotonic() < deadline, "the keeper never ended"
        time.sleep(0.05)


def answers(kg) -> dict[str, list]:
    found = {}
    for question in api.all_questions():
        job = api.job_for(question, None)
        result = api.answer(kg, api.screen_job(job), job.needs_reasoning)
        rows = result.rows if result.rows is not None else result.triples
        found[job.label] = sorted(str(row) for row in rows)
    assert len(found) == len(api.all_questions())
    return found


def test_a_first_command_goes_on_in_memory_and_the_next_opens_what_the_keeper_kept(
    cache, data, small_enough
):
    first = api.load([data])
    assert first.loaded.kept is None, "the command itself works in memory"
    [request] = requests(cache)
    expected = answers(first)
    wait_for_keepers(cache)
    assert not request.exists(), "the keeper removes its request when done"
    names = [e.name for e in entries(cache)]
    assert any(n.endswith("-adit") for n in names), names  # types, closure, default graph
    again = api.load([data])
    assert again.loaded.reused and again.loaded.kept.folder.name.endswith("-adit")
    assert answers(again) == expected
    assert again.loaded.kept.folder.name.endswith("-adit"), "no derived graph made again"


def test_inputs_below_the_threshold_ask_no_keeper(cache, data):
    assert sum(p.stat().st_size for p in data.iterdir()) < cached.BACKGROUND_FROM_BYTES
    kg = api.load([data])
    assert kg.loaded.kept is None and not kg.loaded.entry_wanted
    assert requests(cache) == [] and entries(cache) == []


def test_a_second_command_while_a_keeper_works_starts_none(cache, data, small_enough):
    first = api.load([data])
    assert first.loaded.entry_wanted
    [request] = requests(cache)
    assert at_work(request)
    assert keeping.request(first.inputs, first.engine.name) == (False, "")
    wait_for_keepers(cache)
    assert len([e for e in entries(cache) if e.name.endswith("-adit")]) == 1


def test_the_keeper_keeps_nothing_when_a_file_changed_after_the_command_checked_it(
    cache, data, small_enough, monkeypatch
):
    monkeypatch.setattr(cached, "plan", lambda _inputs: "")  # the command asks for no keeper
    kg = api.load([data])
    zone = data / "zone.trig"
    zone.write_bytes(zone.read_bytes().replace(b"36.9", b"99.9"))
    assert keeping.request(kg.inputs, kg.engine.name) == (True, "")
    wait_for_keepers(cache)
    assert entries(cache) == [], "nothing kept for inputs the command did not check"
    assert requests(cache) == []


def test_a_command_s_output_is_not_held_open_by_its_keeper(cache, data):
    """The keeper is given none of the command's descriptors: a caller reading the command's
    output to its end (a pipe, ``capture_output``) is not kept waiting for the keeper."""
    code = (
        "import sys; from zonekg import api; from zonekg.engines.oxigraph import cached\n"
        "cached.BACKGROUND_FROM_BYTES = 0\n"
        "kg = api.load([sys.argv[1]]); print('loaded', kg.loaded.entry_wanted)\n"
    )
    env = {**os.environ, "ZONEKG_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "loaded True"
    [request] = requests(cache)
    assert at_work(request), "the output was read to its end while the keeper still worked"
    wait_for_keepers(cache)
    assert any(e.name.endswith("-adit") for e in entries(cache))


def paused_keeper(cache: Path, data: Path, signal_file: Path, monkeypatch) -> int:
    """The process id of a keeper a command started, paused just before it commits."""
    monkeypatch.setenv("ZONEKG_TEST_PAUSE_STORE_BUILD", str(signal_file))
    api.load([data])
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        assert time.monotonic() < deadline, "the keeper never reached the hook"
        time.sleep(0.05)
    [building] = [p for p in (cache / cached.KIND).iterdir() if p.name.startswith(".build-")][:1]
    return int(building.name.split("-")[1])


def test_the_keeper_runs_only_on_cpu_time_the_commands_leave(
    cache, data, small_enough, tmp_path, monkeypatch
):
    """SCHED_IDLE, not only nice 19: on two CPUs a nice keeper slowed the next command."""
    keeper_pid = paused_keeper(cache, data, tmp_path / "building", monkeypatch)
    try:
        assert os.sched_getscheduler(keeper_pid) == os.SCHED_IDLE
    finally:
        os.kill(keeper_pid, signal.SIGKILL)


def test_a_keeper_killed_half_way_keeps_nothing_and_the_next_command_asks_again(
    cache, data, small_enough, tmp_path, monkeypatch
):
    keeper_pid = paused_keeper(cache, data, tmp_path / "building", monkeypatch)
    os.kill(keeper_pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while any(at_work(r) for r in requests(cache)):
        assert time.monotonic() < deadline, "the killed keeper still holds its request"
        time.sleep(0.05)
    assert entries(cache) == [], "no entry: the keeper was killed before it put one in place"
    assert requests(cache), "its request is left, unlocked"
    assert b'"tries": 1' in requests(cache)[0].read_bytes()
    monkeypatch.delenv("ZONEKG_TEST_PAUSE_STORE_BUILD")
    again = api.load([data])
    assert again.loaded.kept is None and again.loaded.entry_wanted
    wait_for_keepers(cache)
    assert any(e.name.endswith("-adit") for e in entries(cache))
    assert not any(p.name.startswith(".build-") for p in (cache / cached.KIND).iterdir()), (
        "the killed keeper's folders are removed once its process is gone"
    )


def test_an_unknown_builder_setting_is_named(monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_STORES_BUILD", "later")
    with pytest.raises(ZonekgError, match="ZONEKG_CACHE_STORES_BUILD") as caught:
        settings.store_build()
    assert "background" in caught.value.hint


def test_a_keeper_that_fails_says_why_and_the_next_command_starts_no_other(
    cache, data, small_enough, monkeypatch
):
    """A keeper that cannot keep the load (here: the files are over its size limit) leaves
    its reason; the next command on the same inputs says it, with the file to remove to try
    again, instead of starting a keeper that fails the same way."""
    monkeypatch.setenv("ZONEKG_MAX_INPUT_MB", "0.01")  # the keeper's limit, not the command's
    first = api.load([data], limits=settings.Limits())
    assert first.loaded.entry_wanted
    wait_for_keepers(cache)
    assert entries(cache) == []
    [request] = requests(cache)
    again = api.load([data], limits=settings.Limits())
    [said] = [n for n in again.notes if "not kept" in n]
    assert "Largest input file" in said or "size" in said, said
    assert str(request) in said and "remove" in said
    assert not any(at_work(r) for r in requests(cache)), "no keeper started again"
    request.unlink()
    monkeypatch.delenv("ZONEKG_MAX_INPUT_MB")
    api.load([data], limits=settings.Limits())
    wait_for_keepers(cache)
    assert any(e.name.endswith("-adit") for e in entries(cache)), "kept once the request went"


def test_a_load_for_many_questions_opens_only_a_kept_store_holding_every_derived_graph(
    cache, data, small_enough, monkeypatch
):
    """``reopen="derived"`` (``query --all``) opens the kept store the keeper made, which
    holds every graph the questions read (at a million triples the 29 questions took 12.1 s
    there, 17.3 s in memory); one that lacks some is not opened (they would be made in
    memory from the files again, after the store was opened), nor any with ``reopen=False``
    (``run``, which changes the load); nor below WHOLE_FROM_BYTES of inputs."""
    first = api.load([data])
    expected = answers(first)
    wait_for_keepers(cache)
    kept = entries(cache)
    [whole] = [e for e in kept if e.name.endswith("-adit")]
    assert sum(f.stat().st_size for f in data.rglob("*.*")) < cached.WHOLE_FROM_BYTES
    assert api.load([data], reopen="derived").loaded.kept is None, "small: in memory"
    monkeypatch.setattr(cached, "WHOLE_FROM_BYTES", 0)
    kg = api.load([data], reopen="derived")
    assert kg.loaded.reused and kg.loaded.kept.folder == whole
    assert answers(kg) == expected
    assert entries(cache) == kept, "nothing made"
    del kg
    assert api.load([data], reopen=False).loaded.kept is None
    shutil.rmtree(whole)
    kg = api.load([data], reopen="derived")
    assert kg.loaded.kept is None and not kg.loaded.reused
    assert api.query(kg, "cq01").rows
    assert requests(cache) == [], "nothing asked again (a load is kept)"
    with pytest.raises(ValueError, match="reopen"):
        api.load([data], reopen="whole")


def test_keepers_that_keep_ending_without_a_word_are_not_started_again(cache, data, small_enough):
    """A keeper stopped by its CPU limit (or killed) records nothing: after three of them on
    the same inputs, the next command says so instead of starting a fourth."""
    kg = api.load([data])
    wait_for_keepers(cache)
    [request] = requests(cache) or [None]
    assert request is None, "the first keeper kept the load and removed its request"
    [entry] = [e for e in entries(cache) if e.name.endswith("-adit")]
    for kept in entries(cache):
        shutil.rmtree(kept)
    digest = kg.inputs.digest()
    path = keeping._request_path(cache, digest)
    path.write_text(
        json.dumps({"format": keeping.FORMAT, "inputs": digest, "tries": keeping.MAX_TRIES}),
        encoding="utf-8",
    )
    again = api.load([data])
    [said] = [n for n in again.notes if "not kept" in n]
    assert "3 keepers ended without keeping it" in said and str(path) in said, said
    assert not at_work(path) and entries(cache) == []


def test_a_request_nested_past_the_depth_limit_is_not_parsed(cache, data, small_enough):
    """The request file is read from the cache folder like anything from outside: a deeply
    nested one is refused before the JSON parser recurses, and a new request replaces it."""
    kg = api.load([data], reopen=False, limits=settings.Limits())
    wait_for_keepers(cache)
    for kept in entries(cache):
        shutil.rmtree(kept)
    path = keeping._request_path(cache, kg.inputs.digest())
    path.write_text("[" * 200_000, encoding="utf-8")
    again = api.load([data])
    assert not [n for n in again.notes if "not kept" in n], again.notes
    wait_for_keepers(cache)
    assert any(e.name.endswith("-adit") for e in entries(cache))


def test_a_keeper_asked_from_a_command_s_worker_waits_for_the_worker_to_end(
    cache, data, small_enough
):
    """A command's keeper works once the command's worker has ended, not beside it (beside a
    first validate of 100k triples, on CPU time left over, it took 0.1 s of 1.2)."""

    def task() -> list[str]:
        assert api.load([data]).loaded.entry_wanted
        time.sleep(3)  # a keeper working at once has begun its entry by now
        return sorted(p.name for p in (cache / cached.KIND).iterdir())

    seen = api.bounded(task, what="a load")
    assert [name for name in seen if name.startswith(".keep-")], "a keeper was asked for"
    assert [name for name in seen if not name.startswith(".keep-")] == [], "nothing built yet"
    wait_for_keepers(cache)
    assert entries(cache), "kept once the worker ended"


def test_validate_loads_in_memory_beside_a_kept_store(cache, data, small_enough, monkeypatch):
    """Validation writes into the store (its scratch graph), so a kept store it opened was
    copied into memory from the files again: a later ``validate`` at 100k triples took
    1.54 s against the first's 1.14 s. It loads in memory, as ``run`` does; ``reason``,
    which reads the closure a kept store may hold, still opens it."""
    from cli_support import zonekg_in_process

    api.load([data])
    wait_for_keepers(cache)
    assert entries(cache), "the keeper kept the load"

    def opened(*args, **kwargs):
        raise AssertionError("validate opened the kept store")

    monkeypatch.setattr(cached, "open_cached", opened)
    done = zonekg_in_process("validate", "--data", str(data))
    assert done.returncode == 0 and done.stdout.startswith("Conforms"), done.stderr
    refused = zonekg_in_process("reason", "--data", str(data))
    assert refused.returncode != 0 and "validate opened the kept store" in refused.stderr
