"""The cache folder's file entries (closures, verdicts, remembered digests, framed
JSON-LD) are bounded like its kept stores: the least recently used go first.

Before, they were never removed: a working copy's cache held 638 MB of them (2,817 files,
closures of a million triples 80 MB each), one more closure for every version of the data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import zonekg_in_process

from zonekg.core import settings
from zonekg.core.errors import ZonekgError
from zonekg.safety import cache

MB = 2**20


@pytest.fixture()
def root(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    monkeypatch.setattr(cache, "_bounded", set())
    return folder


def keep(root: Path, name: str, size: int, used: int) -> Path:
    """An entry of *size* bytes written, then marked as last used *used* seconds after the
    epoch (a time long past, so that the order is the test's, not the clock's)."""
    payload = root / name
    payload.parent.mkdir(parents=True, exist_ok=True)
    cache.write(root, payload, payload.name, b"x" * size, 1)
    os.utime(cache.manifest_path(payload), (used, used))
    return payload


def kept(root: Path, payload: Path) -> bool:
    return cache.read(root, payload, payload.name, 2 * MB) is not None


def test_the_least_recently_used_entries_go_first_and_a_read_counts_as_a_use(root, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", "0.3")  # room for two entries of 120 kB
    monkeypatch.setattr(cache, "BOUND_EACH_FROM_BYTES", 0)  # every write bounds
    oldest = keep(root, "closure-a.nt", 120_000, 1_000)
    middle = keep(root, "checked/b.json", 120_000, 2_000)
    assert kept(root, oldest), "read: now the most recently used"
    newest = keep(root, "seen/c", 120_000, 3_000)
    assert [kept(root, p) for p in (oldest, middle, newest)] == [True, False, True]
    assert not middle.exists() and not cache.manifest_path(middle).exists()


def test_the_entry_just_written_stays_however_small_the_cap(root, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", "0")
    older = keep(root, "closure-a.nt", 1_000, 1_000)
    big = keep(root, "closure-b.nt", cache.BOUND_EACH_FROM_BYTES, 2_000)
    assert not kept(root, older) and kept(root, big)


def test_small_entries_bound_the_cache_once_a_process_big_ones_each_time(root, monkeypatch):
    """A first validate keeps some forty small entries; looking over the cache after each
    would cost some 10 ms apiece with a few thousand entries."""
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", "0")
    first = keep(root, "checked/a.json", 10, 1_000)
    second = keep(root, "checked/b.json", 10, 2_000)
    assert kept(root, first) and kept(root, second), "bounded at the first write only"
    big = keep(root, "closure-c.nt", cache.BOUND_EACH_FROM_BYTES, 3_000)
    assert not kept(root, first) and not kept(root, second) and kept(root, big)


def test_kept_stores_and_what_is_not_an_entry_are_left_alone(root, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", "0")
    monkeypatch.setattr(cache, "BOUND_EACH_FROM_BYTES", 0)
    store = root / cache.STORES / "abc"
    store.mkdir(parents=True)
    (store / cache.FOLDER_MANIFEST).write_text("{}")
    (store / "data.sst").write_bytes(b"x" * 1000)
    stray = root / "notes.txt"
    stray.write_text("not ours")
    keep(root, "closure-a.nt", 1_000, 1_000)
    keep(root, "closure-b.nt", 1_000, 2_000)
    assert sorted(p.name for p in store.iterdir()) == sorted([cache.FOLDER_MANIFEST, "data.sst"])
    assert stray.read_text() == "not ours"


def test_an_entry_linked_out_of_the_cache_folder_is_not_followed(root, tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", "0")
    monkeypatch.setattr(cache, "BOUND_EACH_FROM_BYTES", 0)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.manifest.json").write_text("{}")
    (outside / "x").write_text("someone else's")
    (root / "elsewhere").symlink_to(outside)
    keep(root, "closure-a.nt", 1_000, 1_000)
    assert (outside / "x").read_text() == "someone else's"
    assert (outside / "x.manifest.json").exists()


@pytest.mark.parametrize("given", ["-1", "lots", "inf", "nan"])
def test_a_cap_that_is_not_a_number_of_megabytes_is_named(monkeypatch, given):
    monkeypatch.setenv("ZONEKG_CACHE_FILES_MB", given)
    with pytest.raises(ZonekgError, match=r"\$ZONEKG_CACHE_FILES_MB=.* is not a number"):
        settings.file_cache_mb()


def test_a_command_removes_the_entries_of_data_no_longer_used(root, data_copy, monkeypatch):
    """Through the command line: an old closure beyond the cap is gone after a command that
    keeps something; what the command kept answers the next one."""
    old = keep(root, "closure-old.nt", 200_000, 1_000)
    monkeypatch.setattr(cache, "_bounded", set())  # the command's process: none yet
    env = {"ZONEKG_CACHE": str(root), "ZONEKG_CACHE_FILES_MB": "0.1"}
    done = zonekg_in_process("reason", "--data", str(data_copy), env=env)
    assert done.returncode == 0, done.stderr
    assert not old.exists() and not cache.manifest_path(old).exists()
    closures = [p for p in root.glob("closure-*.nt") if p != old]
    assert closures, "the command kept its closure"
    again = zonekg_in_process("reason", "--data", str(data_copy), env=env)
    assert again.returncode == 0 and again.stdout == done.stdout, again.stderr
