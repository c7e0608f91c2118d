"""Case 12: a --data folder holding `x.ttl -> /dev/urandom` read 2.7 GB before a
MemoryError (exit 3); a FIFO named `a.ttl` blocked `stats` forever.

inputs/files.py refuses anything but a regular file by stat, before opening it, and
never reads past the size limit.
"""

from __future__ import annotations

import os
import time

import pytest
from safety_support import flat, run_cli


@pytest.mark.parametrize("kind", ["fifo", "urandom", "zero", "folder-link"])
def test_special_files_are_refused_quickly(kind, tmp_path, small_data):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.ttl").write_bytes(small_data.read_bytes())
    odd = folder / "x.ttl"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "urandom":
        odd.symlink_to("/dev/urandom")
    elif kind == "zero":
        odd.symlink_to("/dev/zero")
    else:
        odd.symlink_to(tmp_path)
    started = time.monotonic()
    done = run_cli("stats", "--data", str(folder))
    assert time.monotonic() - started < 30
    assert done.returncode == 2, done.stdout + done.stderr
    assert "x.ttl" in flat(done.stderr)
    assert "internal error" not in done.stderr


def test_a_file_past_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "big.ttl"
    big.write_bytes(b"# " + b"x" * (2 * 1024 * 1024) + b"\n")
    done = run_cli("stats", "--data", str(big), env={"ZONEKG_MAX_INPUT_MB": "1"})
    assert done.returncode == 2, done.stdout + done.stderr
