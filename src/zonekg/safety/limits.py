"""Bounded work: every expensive step has a limit that actually stops it.

rdflib has no query timeout and a Python thread cannot be stopped, so user
queries, validation and reasoning run in a forked worker process that the
parent kills when the time limit passes; the worker caps its own address space
(``RLIMIT_AS``) so that a runaway query fails with MemoryError instead of
taking the machine, dies with its parent (``PR_SET_PDEATHSIG``) and carries a
CPU-time limit of its own as a backstop. The parse limits (size, line length,
bracket nesting) are applied by ``inputs`` before any parser runs, and the
reasoners stop at a triple-count cap.

Each limit has an environment variable (and the global CLI options
``--timeout``/``--memory`` for the first two); the error names both.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from ..core.errors import LimitError, ZonekgError, environment_error


class WorkerCrash(Exception):
    """The worker failed with an unexpected exception (a bug, not bad input)."""


@dataclass(frozen=True)
class Limit:
    env: str
    default: float
    unit: str
    option: str = ""

    def value(self) -> float:
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if value <= 0:
            raise ZonekgError(
                f"${self.env}={raw!r} is not a positive number",
                hint=f"set {self.env} to a number of {self.unit}, or unset it "
                f"(default {self.default:g})",
            )
        return value

    def how_to_raise(self) -> str:
        via = f"{self.option} or " if self.option else ""
        return f"raise it with {via}{self.env}=<{self.unit}> (now {self.value():g})"


TIMEOUT = Limit("ZONEKG_TIMEOUT", 120, "seconds", "--timeout")
MEMORY_MB = Limit("ZONEKG_MEMORY_MB", 4096, "MB", "--memory")
MAX_TRIPLES = Limit("ZONEKG_MAX_TRIPLES", 20_000_000, "triples")
MAX_INPUT_MB = Limit("ZONEKG_MAX_INPUT_MB", 1024, "MB")
MAX_LINE = Limit("ZONEKG_MAX_LINE", 100_000, "characters")
MAX_DEPTH = Limit("ZONEKG_MAX_DEPTH", 32, "levels")
#: Operators chained at one nesting level of a query (a path's steps, UNION, &&, +, ...):
#: parsers build a tree level per link, and Oxigraph plans a 300-step path for 13 s.
MAX_CHAIN = Limit("ZONEKG_MAX_CHAIN", 256, "operators")
MAX_TERMS = Limit("ZONEKG_MAX_TERMS", 100_000, "terms")
#: The body of one reply from a remote endpoint (safety.http reads no more).
MAX_REPLY_MB = Limit("ZONEKG_MAX_REPLY_MB", 256, "MB")


def set_from_options(timeout: float | None = None, memory: float | None = None) -> None:
    """Apply the CLI's --timeout/--memory (they win over the environment)."""
    for limit, value in ((TIMEOUT, timeout), (MEMORY_MB, memory)):
        if value is None:
            continue
        if value <= 0:
            raise ZonekgError(f"{limit.option} must be a positive number of {limit.unit}")
        os.environ[limit.env] = repr(value)


# --- worker process ---------------------------------------------------------------


def bounded(fn: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
    """Run ``fn(*args, **kwargs)`` in a forked worker under the time and memory limits.

    The worker inherits the parent's memory (nothing is pickled on the way in);
    its return value must pickle. A ZonekgError raised in the worker is raised
    here again; hitting a limit raises LimitError naming the limit. A worker that
    dies without an answer is reaped with its resource usage, so that a crash (a
    library's stack overflow on deep input) is told apart from running out of memory.
    """
    timeout = TIMEOUT.value()
    memory = int(MEMORY_MB.value() * 1024 * 1024)
    receive, send = multiprocessing.Pipe(duplex=False)
    parent = os.getpid()
    limit = (time.monotonic() + timeout, cpu_backstop(timeout))
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        code = 1
        try:
            receive.close()
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stdin.close()  # as multiprocessing does: the worker reads no input
                sys.stdin = open(os.devnull)  # noqa: SIM115
            _work(send, parent, memory, limit, fn, args, kwargs)
            code = 0
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    send.close()
    ended = None  # (exit code, resource usage) once reaped
    try:
        if not receive.poll(timeout):
            raise LimitError(
                f"{what} stopped after {timeout:g} s (time limit)",
                hint=TIMEOUT.how_to_raise(),
            )
        try:
            status, payload = receive.recv()
        except EOFError:
            ended = _reap(pid)
            raise died(what, *ended, memory) from None
    finally:
        if ended is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # a no-op when it has ended (not yet reaped)
            _reap(pid)
        receive.close()
    if status == "ok":
        return payload
    if status == "memory":
        raise _memory_error(what)
    if status == "error":
        kind, values = payload
        raise kind(**values)
    crash = WorkerCrash(f"{what} failed in the worker: {payload.strip().splitlines()[-1]}")
    crash.add_note(f"in the worker:\n{payload}")  # shown with the traceback (--debug) only
    raise crash


def _reap(pid: int) -> tuple[int, resource.struct_rusage | None]:
    """Wait for the worker *pid*: its exit code (-N: killed by signal N) and its usage."""
    try:
        _, status, usage = os.wait4(pid, 0)
    except ChildProcessError:  # reaped elsewhere already
        return 0, None
    return os.waitstatus_to_exitcode(status), usage


def deadline() -> float | None:
    """When the bounded work this process runs will be stopped (``time.monotonic``), or
    None outside a worker: work that can end itself before then says better why."""
    return _DEADLINE[0]


_DEADLINE: list[float | None] = [None]


def _work(send, parent: int, memory: int, limit, fn, args, kwargs) -> None:
    _DEADLINE[0], cpu_seconds = limit
    die_with_parent(parent)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard == resource.RLIM_INFINITY or cpu_seconds < cpu_hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_hard))
    try:
        reply = ("ok", fn(*args, **kwargs))
    except MemoryError:
        reply = ("memory", None)
    except ZonekgError as exc:
        reply = ("error", (type(exc), {f.name: getattr(exc, f.name) for f in fields(exc)}))
    except BaseException as exc:
        problem = environment_error(exc)  # a full or read-only disk is not a bug
        if problem is not None:
            reply = (
                "error",
                (type(problem), {f.name: getattr(problem, f.name) for f in fields(problem)}),
            )
        else:
            reply = ("crash", traceback.format_exc())
    try:
        send.send(reply)
    except MemoryError:
        send.send(("memory", None))
    finally:
        send.close()


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere a no-op).

    A worker whose CLI or server was killed would otherwise run on unbounded.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def cpu_backstop(timeout: float) -> int:
    """CPU seconds a worker may use: the wall-clock limit on every core, plus slack.

    The parent kills a worker at the time limit; this stops one whose parent
    could not (it was itself stopped) even if the parent-death signal is missed.
    """
    return int(timeout * max(os.cpu_count() or 1, 1)) + 30


def _memory_error(what: str) -> LimitError:
    return LimitError(
        f"{what} stopped: it needed more than {MEMORY_MB.value():g} MB (memory limit)",
        hint=MEMORY_MB.how_to_raise(),
    )


def died(
    what: str, exitcode: int, usage: resource.struct_rusage | None, memory: int
) -> ZonekgError | WorkerCrash:
    """Why a worker ended without an answer, from how it ended and what it used.

    Under RLIMIT_AS, Python raises MemoryError (answered by the worker itself), while
    native code aborts (SIGABRT: "memory allocation failed") or faults growing its stack
    (SIGSEGV); the system's OOM killer sends SIGKILL. Each of those is the memory limit
    only when the worker's peak resident memory came near the limit: a recursive parser
    overflowing its stack on deeply nested input dies of SIGSEGV at a few dozen MB, and
    that is a crash to report, not a reason to raise ``--memory``.
    """
    if exitcode == -signal.SIGXCPU:
        return LimitError(
            f"{what} stopped: it used more CPU time than the limit allows",
            hint=TIMEOUT.how_to_raise(),
        )
    peak = usage.ru_maxrss * 1024 if usage is not None else 0  # Linux counts in KiB
    fatal = (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS)
    if exitcode in fatal and peak >= memory // 2:
        return _memory_error(what)
    if exitcode == -signal.SIGKILL:
        return LimitError(
            f"{what} stopped: its worker was killed (SIGKILL) from outside, for example by "
            f"the system running out of memory (it had used {peak / 2**20:.0f} MB)",
            hint="free memory, or lower the work (--memory, smaller input), then run again",
        )
    if exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        return WorkerCrash(
            f"{what} crashed: its worker died of signal {-exitcode} {name}".rstrip()
            + f" after using {peak / 2**20:.0f} MB of its {memory / 2**20:.0f} MB, "
            "so not for lack of memory: a library failed on this input"
        )
    return WorkerCrash(f"{what}: the worker exited with code {exitcode} without an answer")
