"""Issue 19: a later command does not read its inputs again to hash them, and a changed input
is always detected.

A file of ``RECALL_FROM_BYTES`` or more has its SHA-256 remembered under its identity
(device, inode, size, modification and change times) once it has been left alone for
``SETTLED_NS``; a later command looks the digest up instead of reading the file, and a step
that needs the bytes reads them then, verified against that digest.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from safety_support import flat, run_cli

from zonekg.core.errors import InputWarning, LoadError
from zonekg.inputs import collect, files

SUBJECT = "http://example.org/s7"
QUERY = f"SELECT ?o WHERE {{ <{SUBJECT}> <http://example.org/p> ?o }}"


def _big_turtle(path, value: str = "value 00007"):
    """A Turtle file over RECALL_FROM_BYTES: 3,000 triples, one of them holding *value*."""
    lines = [
        f'<http://example.org/s{i}> <http://example.org/p> "value {i:05d}" .\n' for i in range(3000)
    ]
    lines[7] = f'<{SUBJECT}> <http://example.org/p> "{value}" .\n'
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size >= files.RECALL_FROM_BYTES
    return path


def _rewrite_keeping_times(path, old: str, new: str) -> None:
    """The same number of bytes, one value changed, the modification time put back (as a
    tool that restores times would): only the change time tells."""
    assert len(old) == len(new)
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONEKG_CACHE", str(folder))
    return folder


@pytest.fixture()
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are written (the end-to-end test below waits)."""
    monkeypatch.setattr(files, "SETTLED_NS", 0)


def _remembered(cache) -> list:
    found = sorted((cache / "seen").glob("*.txt")) if (cache / "seen").exists() else []
    return found


def test_a_settled_file_is_hashed_once_then_not_read_to_be_hashed(cache, tmp_path, settled_at_once):
    data = _big_turtle(tmp_path / "big.ttl")
    first = collect([data], []).files[0]
    assert first.raw is not None
    assert len(_remembered(cache)) == 1
    later = collect([data], []).files[0]
    assert later.raw is None, "the later read looked its digest up"
    assert later.digest == first.digest == hashlib.sha256(data.read_bytes()).hexdigest()
    assert later.data == data.read_bytes(), "read when needed, and verified"


def test_a_file_changed_after_it_was_remembered_is_hashed_again(cache, tmp_path, settled_at_once):
    data = _big_turtle(tmp_path / "big.ttl")
    first = collect([data], []).files[0]
    _rewrite_keeping_times(data, "value 00007", "value 99999")
    later = collect([data], []).files[0]
    assert later.raw is not None, "another identity: read and hashed"
    assert later.digest == hashlib.sha256(data.read_bytes()).hexdigest() != first.digest


def test_a_file_changed_after_its_check_is_refused_when_its_bytes_are_needed(
    cache, tmp_path, settled_at_once
):
    data = _big_turtle(tmp_path / "big.ttl")
    collect([data], [])
    checked = collect([data], []).files[0]
    assert checked.raw is None
    _rewrite_keeping_times(data, "value 00007", "value 99999")
    with pytest.raises(LoadError, match="changed while the command ran") as caught:
        _ = checked.data
    assert caught.value.file == data


def test_a_file_changed_within_the_settling_time_is_not_remembered(cache, tmp_path):
    data = _big_turtle(tmp_path / "big.ttl")
    assert time.time_ns() - data.stat().st_ctime_ns < files.SETTLED_NS
    collect([data], [])
    assert _remembered(cache) == []
    assert collect([data], []).files[0].raw is not None


def test_a_small_file_is_read_and_hashed_every_time(cache, tmp_path, settled_at_once):
    data = tmp_path / "small.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    collect([data], [])
    assert _remembered(cache) == []
    assert collect([data], []).files[0].raw is not None


def test_a_damaged_remembered_digest_is_not_used(cache, tmp_path, settled_at_once):
    data = _big_turtle(tmp_path / "big.ttl")
    collect([data], [])
    [record] = _remembered(cache)
    record.write_text("0" * 64)  # another digest, its manifest not changed to match
    with pytest.warns(InputWarning, match="remembered digest .* was not used"):
        again = collect([data], []).files[0]
    assert again.raw is not None
    assert again.digest == hashlib.sha256(data.read_bytes()).hexdigest()


def test_a_later_command_answers_from_the_changed_file(tmp_path):
    """End to end, with the real settling time: a settled file is remembered by the first
    command; a later one, with the file rewritten to the same size and modification time,
    answers from the new bytes; one with the file untouched loads it in memory from the
    remembered digest (no kept store) and answers as the first."""
    data = _big_turtle(tmp_path / "big.ttl")
    env = {"ZONEKG_CACHE": str(tmp_path / "cache"), "ZONEKG_CACHE_STORES_MB": "0"}
    time.sleep(max(0.0, (data.stat().st_ctime_ns + files.SETTLED_NS - time.time_ns()) / 1e9))
    time.sleep(0.2)  # the clock that stamps files may run a tick behind

    def answer() -> str:
        result = run_cli("query", "--data", str(data), "--text", QUERY, "--format", "csv", env=env)
        assert result.returncode == 0, flat(result.stderr)
        return result.stdout

    assert answer() == "o\nvalue 00007\n"
    assert len(list((tmp_path / "cache" / "seen").glob("*.txt"))) == 1
    assert answer() == "o\nvalue 00007\n"
    _rewrite_keeping_times(data, "value 00007", "value 99999")
    assert answer() == "o\nvalue 99999\n"


def test_a_remembered_file_replaced_by_a_fifo_is_refused_not_waited_on(
    cache, tmp_path, settled_at_once
):
    """The bytes read when a step needs them are read as every input is: a named pipe put
    in the file's place since would block the read for ever."""
    import threading

    data = _big_turtle(tmp_path / "big.ttl")
    collect([data], [])
    checked = collect([data], []).files[0]
    assert checked.raw is None
    data.unlink()
    os.mkfifo(data)
    caught = []

    def read() -> None:
        try:
            _ = checked.data
        except LoadError as exc:
            caught.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "the read waited on the pipe"
    assert caught and "named pipe" in caught[0].message
