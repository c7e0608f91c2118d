"""Case 18: kill -9 between release's two renames left no release folder (the old one sat
in .rel.old.*); staging folders and temp files of killed runs were never cleaned up.

safety/targets.swap_folder exchanges the folders in one renameat2(RENAME_EXCHANGE);
where that is missing, the fallback's leftover is put back by the next run
(recover_folder), which also removes dead runs' staging folders; write_atomic removes
dead runs' temporary files under its folder lock. The kill -9 runs are in test_chaos.py.
"""

from __future__ import annotations

import subprocess
import sys

from zonekg.safety import targets
from zonekg.safety.atomic import write_atomic


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _bundle(folder, text):
    folder.mkdir()
    (folder / "zonekg.ttl").write_text(text)
    targets.mark(folder, "release")


def test_the_swap_is_one_exchange(tmp_path, monkeypatch):
    target, staging = tmp_path / "rel", tmp_path / ".rel.staging.1.x"
    _bundle(target, "old")
    _bundle(staging, "new")
    renames = []
    monkeypatch.setattr(targets.os, "rename", lambda *a: renames.append(a))
    targets.swap_folder(staging, target)
    assert renames == [], "the exchange needed no rename"
    assert (target / "zonekg.ttl").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


def test_the_fallback_s_leftover_is_put_back(tmp_path):
    target = tmp_path / "rel"
    old = tmp_path / f".rel.old.{_dead_pid()}"
    _bundle(old, "old")  # killed after `rename(target, old)`: no target
    assert not target.exists()
    targets.recover_folder(target)
    assert (target / "zonekg.ttl").read_text() == "old"


def test_the_fallback_swaps_too(tmp_path, monkeypatch):
    monkeypatch.setattr(targets, "_exchange", lambda a, b: False)
    target, staging = tmp_path / "rel", tmp_path / ".rel.staging.1.x"
    _bundle(target, "old")
    _bundle(staging, "new")
    targets.swap_folder(staging, target)
    assert (target / "zonekg.ttl").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


def test_dead_runs_staging_folders_go_live_runs_stay(tmp_path):
    target = tmp_path / "rel"
    dead = tmp_path / f".rel.staging.{_dead_pid()}.abc"
    live = tmp_path / f".rel.staging.{subprocess.os.getppid()}.abc"
    dead.mkdir()
    live.mkdir()
    targets.recover_folder(target)
    assert not dead.exists() and live.exists()


def test_dead_runs_temp_files_go(tmp_path):
    stale = tmp_path / ".out.ttl.zkt.abcd.tmp"
    stale.write_text("half a file")
    mine = tmp_path / "notes.tmp"
    mine.write_text("not ours")
    write_atomic(tmp_path / "other.ttl", "x")
    assert not stale.exists() and mine.exists()
