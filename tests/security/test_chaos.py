"""Chaos: kill -9 at random moments of `export -o`, `release`, `fmt` and loading a
`--store`, N times each; the target is complete or untouched every time, and the store
answers what it answered before.

N is 5 in `make test`; set ZONEKG_CHAOS_N for more, and ZONEKG_CHAOS_SEED to replay a
run (the seed is printed when a test fails).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safety_support import ROOT, ZONEKG

# Slow: runs killed at random points, again and again.
pytestmark = pytest.mark.slow

N = int(os.environ.get("ZONEKG_CHAOS_N", "5"))
SEED = int(os.environ.get("ZONEKG_CHAOS_SEED", str(random.randrange(1 << 30))))
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SMALL = "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n"


@pytest.fixture()
def rng(request):
    seed = SEED + sum(map(ord, request.node.name))
    print(f"chaos seed: ZONEKG_CHAOS_SEED={SEED}")
    return random.Random(seed)


def _timed(argv, env=None, cwd=None) -> float:
    started = time.monotonic()
    done = subprocess.run(
        argv, capture_output=True, env={**os.environ, **(env or {})}, cwd=cwd or ROOT
    )
    assert done.returncode == 0, done.stderr.decode()
    return time.monotonic() - started


def _kill_at_random(argv, duration: float, rng, env=None, cwd=None) -> None:
    """Start *argv*, kill -9 it (and its worker) at a random moment of its usual run."""
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        start_new_session=True,
    )
    time.sleep(rng.uniform(0.0, duration * 1.1))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".zkt." in p.name or ".staging." in p.name)


def test_export_killed_leaves_the_old_file_or_the_new_one(tmp_path, rng):
    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    target = tmp_path / "out" / "zone.nt"
    target.parent.mkdir()
    _timed([*ZONEKG, "export", "--data", str(small), "-o", str(target)])
    old = target.read_bytes()
    reference = tmp_path / "reference.nt"
    duration = _timed([*ZONEKG, "export", "-o", str(reference)])
    new = reference.read_bytes()
    assert old != new
    for _ in range(N):
        target.write_bytes(old)
        _kill_at_random([*ZONEKG, "export", "-o", str(target)], duration, rng)
        assert target.read_bytes() in (old, new)
    _timed([*ZONEKG, "export", "-o", str(target)])
    assert target.read_bytes() == new
    assert _leftovers(target.parent) == []


RELEASE = """
import sys
from pathlib import Path
from zonekg import api
from zonekg.publish import release
release.build(api.load([Path(sys.argv[1])]), Path(sys.argv[2]), diagrams=False)
"""


def test_release_killed_leaves_a_complete_bundle(tmp_path, rng):
    from zonekg.publish import release

    small = tmp_path / "small.ttl"
    small.write_text(SMALL)
    target = tmp_path / "rel"
    argv = [sys.executable, "-c", RELEASE, str(small), str(target)]
    duration = _timed(argv)
    assert release.verify(target) == []
    for _ in range(N):
        _kill_at_random(argv, duration, rng)
        assert target.is_dir() and release.verify(target) == [], "the bundle is not whole"
    _timed(argv)
    assert release.verify(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel", "small.ttl"]


def test_fmt_killed_leaves_the_old_file_or_the_new_one(tmp_path, rng):
    source = max((ROOT / "data").glob("*.trig"), key=lambda p: p.stat().st_size)
    new = source.read_bytes()  # the project's data is in the canonical form
    old = new + b"\n\n"  # not canonical: fmt rewrites it
    target = tmp_path / source.name
    env = {"ZONEKG_ALLOW": str(tmp_path)}
    target.write_bytes(old)
    duration = _timed([*ZONEKG, "fmt", str(target)], env=env)
    assert target.read_bytes() == new
    for _ in range(N):
        target.write_bytes(old)
        _kill_at_random([*ZONEKG, "fmt", str(target)], duration, rng, env=env)
        assert target.read_bytes() in (old, new)
    target.write_bytes(old)
    _timed([*ZONEKG, "fmt", str(target)], env=env)  # the next run cleans up after the killed
    assert target.read_bytes() == new
    assert _leftovers(tmp_path) == []


def _count(store: Path) -> int:
    done = subprocess.run(
        [*ZONEKG, "query", "--text", COUNT, "--store", str(store), "--format", "csv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_store_killed_while_loading_still_answers_as_before(tmp_path, rng):
    store = tmp_path / "store"
    argv = [*ZONEKG, "query", "--text", COUNT, "--store", str(store), "--format", "csv"]
    started = time.monotonic()
    full = _count(store)
    duration = time.monotonic() - started
    for i in range(N):
        if i == 0:
            shutil.rmtree(store)  # a store killed while it is first made
        else:
            (store / "zonekg-manifest.json").unlink()  # a reload, killed
        _kill_at_random(argv, duration, rng)
        assert _count(store) == full
