"""Case 5: killing the CLI (kill -9) during a runaway query left its worker running
unbounded (seen: 38 minutes with limits of 5-10 s).

Workers ask for PR_SET_PDEATHSIG and carry RLIMIT_CPU (safety/limits.py,
web/workers.py): they die with their parent, and stop by themselves if that is missed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from safety_support import ROOT

RUNAWAY = """
import os, sys, time
from zonekg.core.settings import Limits
from zonekg.safety import limits
def spin():
    print(os.getpid(), flush=True)
    while True:
        pass
def task():
    return limits.bounded(spin, what="spin", limits=Limits())
print(os.getpid(), flush=True)
task()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_parent_takes_its_worker_with_it():
    parent = subprocess.Popen(
        [sys.executable, "-c", RUNAWAY],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ZONEKG_TIMEOUT": "60"},
    )
    try:
        assert int(parent.stdout.readline()) == parent.pid
        worker = int(parent.stdout.readline())
        assert worker != parent.pid and _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        parent.kill()


def test_a_worker_has_a_cpu_time_backstop():
    from zonekg.safety.limits import cpu_backstop

    assert 5 < cpu_backstop(5) < 5 * (os.cpu_count() or 1) + 60
