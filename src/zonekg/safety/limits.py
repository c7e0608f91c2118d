"""Bounded work: every expensive step has a limit that actually stops it.

rdflib has no query timeout and a Python thread cannot be stopped, so user
queries, validation and reasoning run in a forked worker process that the
parent kills when the time limit passes; the worker caps its own address space
(``RLIMIT_AS``) so that a runaway query fails with MemoryError instead of
taking the machine, dies with its parent (``PR_SET_PDEATHSIG``) and carries a
CPU-time limit of its own as a backstop. The parse limits (size, line length,
bracket nesting) are applied by ``inputs`` before any parser runs, and the
reasoners stop at a triple-count cap.

The limits are a value (``core.settings.Limits``) the caller passes; nothing here
reads the environment. An error at a limit names the setting that raises it.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import resource
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import fields
from typing import Any, TypeVar

from ..core.errors import MEMORY, LimitError, ZonekgError, environment_error
from ..core.settings import Limits

T = TypeVar("T")
R = TypeVar("R")


def in_order(fn: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """``fn`` of each item, in the items' order, with up to *threads* of them running at
    once (worth it where ``fn`` waits outside Python's lock, as Oxigraph does while it
    evaluates a query). A failure is raised where its item comes; closing the iterator, or
    a failure, cancels the calls not yet started and waits for those running (none is left
    to run beside what comes next). The worker's time limit stops them all."""
    if isinstance(items, Sized):
        threads = min(threads, len(items))  # one question: no thread to start (1-2 ms)
    if threads <= 1:
        yield from map(fn, items)
        return
    # imported here: with the logging it brings, 2 ms of every command's start, most of
    # which run nothing on threads
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(threads, thread_name_prefix="zonekg-work")
    try:
        yield from pool.map(fn, items)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class WorkerCrash(Exception):
    """The worker failed with an unexpected exception (a bug, not bad input)."""


# --- worker process ---------------------------------------------------------------


def bounded(fn: Callable[..., Any], *args: Any, what: str, limits: Limits, **kwargs: Any) -> Any:
    """Run ``fn(*args, **kwargs)`` in a forked worker under the time and memory *limits*.

    The worker inherits the parent's memory (nothing is pickled on the way in);
    its return value must pickle. A ZonekgError raised in the worker is raised
    here again; hitting a limit raises LimitError naming the limit. A worker that
    dies without an answer is reaped with its resource usage, so that a crash (a
    library's stack overflow on deep input) is told apart from running out of memory.
    """
    timeout = limits.timeout
    memory = int(limits.memory_mb * 1024 * 1024)
    receive, send = _pipe(memory)
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
        while True:
            if not receive.poll(max(0.0, limit[0] - time.monotonic())):
                raise limits.exceeded("timeout", f"{what} stopped after {timeout:g} s (time limit)")
            try:
                status, payload = receive.recv(limit[0])
            except TimeoutError:
                raise limits.exceeded(
                    "timeout", f"{what} stopped after {timeout:g} s (time limit)"
                ) from None
            except EOFError:
                ended = _reap(pid)
                raise died(what, *ended, limits) from None
            if status != "warning":
                break
            warnings.warn(_warning(*payload), stacklevel=2)  # the worker's, as it comes
    finally:
        if ended is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # a no-op when it has ended (not yet reaped)
            _reap(pid)
        receive.close()
    if status == "ok":
        return payload
    if status == "memory":
        raise _memory_error(what, limits)
    if status == "error":
        kind, values = payload
        raise kind(**values)
    crash = WorkerCrash(f"{what} failed in the worker: {payload.strip().splitlines()[-1]}")
    crash.add_note(f"in the worker:\n{payload}")  # shown with the traceback only
    raise crash


class _Receiver:
    """The parent's end of the pipe from a worker: pickled messages, each after its size
    in 8 bytes. Python's own ``multiprocessing.Pipe`` does the same; importing
    multiprocessing took 10 ms of a cold ``zonekg query``'s 250."""

    def __init__(self, fd: int, cap: int) -> None:
        self.fd = fd
        self.cap = cap  # no message is longer: the worker cannot hold more

    def poll(self, timeout: float) -> bool:
        """Whether a message (or the end of the pipe) can be read within *timeout* s (poll,
        not select: a process with a thousand files open has descriptors select refuses)."""
        waiting = select.poll()
        waiting.register(self.fd, select.POLLIN)
        return bool(waiting.poll(math.ceil(max(0.0, timeout) * 1000)))

    def recv(self, until: float) -> Any:
        """The next message; EOFError when the worker ended without one (or died half-way
        through it), TimeoutError when it is not whole by *until* (``time.monotonic``)."""
        size = int.from_bytes(self._read(8, until), "big")
        if size > self.cap:  # not a size the worker can have sent whole: a broken pipe
            raise EOFError
        return pickle.loads(self._read(size, until))

    def _read(self, n: int, until: float) -> bytearray:
        found = bytearray(n)  # read in place: an answer may be most of the memory limit
        view, got = memoryview(found), 0
        while got < n:
            if not self.poll(max(0.0, until - time.monotonic())):
                raise TimeoutError
            part = os.readv(self.fd, [view[got:]])
            if not part:
                raise EOFError
            got += part
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class _Sender:
    """The worker's end of the pipe (``_Receiver``)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        header = len(data).to_bytes(8, "big")
        # a small message in one write (whole, as a pipe takes up to 4 KiB at once); a large
        # one after its header, not copied
        for chunk in [header + data] if len(data) < 4000 else [header, data]:
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.fd, view) :]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _pipe(cap: int) -> tuple[_Receiver, _Sender]:
    read, write = os.pipe()
    return _Receiver(read, cap), _Sender(write)


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
        with warnings.catch_warnings():
            warnings.showwarning = _forwarding(send)
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
            import traceback  # (a crash only)

            reply = ("crash", traceback.format_exc())
    try:
        send.send(reply)
    except MemoryError:
        send.send(("memory", None))
    finally:
        send.close()


def _forwarding(send):
    """How the worker shows a warning: sent to the parent, which issues it again (the
    worker's own stderr may be one only it has, as under a test's captured output)."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        kind = category if _picklable(category) else UserWarning
        with contextlib.suppress(OSError, ValueError):
            send.send(("warning", (kind, str(message))))

    return show


def _warning(category: type, text: str) -> Warning:
    """The worker's warning made again; a library's class that takes other arguments
    than a message comes as a UserWarning with its text."""
    try:
        made = category(text)
    except Exception:  # any constructor of any library's warning class
        return UserWarning(text)
    return made if isinstance(made, Warning) else UserWarning(text)


def _picklable(category: type) -> bool:
    import pickle

    try:
        pickle.dumps(category)
    except Exception:  # a class pickle cannot find again by its name
        return False
    return True


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


def _memory_error(what: str, limits: Limits) -> LimitError:
    return limits.exceeded(
        "memory_mb",
        f"{what} stopped: it needed more than {limits.memory_mb:g} MB (memory limit)",
    )


def died(
    what: str, exitcode: int, usage: resource.struct_rusage | None, limits: Limits
) -> ZonekgError | WorkerCrash:
    """Why a worker ended without an answer, from how it ended and what it used.

    Under RLIMIT_AS, Python raises MemoryError (answered by the worker itself), while
    native code aborts (SIGABRT: "memory allocation failed") or faults growing its stack
    (SIGSEGV); the system's OOM killer sends SIGKILL. Each of those is the memory limit
    only when the worker's peak resident memory came near the limit: a recursive parser
    overflowing its stack on deeply nested input dies of SIGSEGV at a few dozen MB, and
    that is a crash to report, not a reason to raise the memory limit (*limits*).
    """
    memory = int(limits.memory_mb * 1024 * 1024)
    if exitcode == -signal.SIGXCPU:
        return limits.exceeded(
            "timeout", f"{what} stopped: it used more CPU time than the limit allows"
        )
    peak = usage.ru_maxrss * 1024 if usage is not None else 0  # Linux counts in KiB
    fatal = (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS)
    if exitcode in fatal and peak >= memory // 2:
        return _memory_error(what, limits)
    if exitcode == -signal.SIGKILL:
        return LimitError(
            f"{what} stopped: its worker was killed (SIGKILL) from outside, for example by "
            f"the system running out of memory (it had used {peak / 2**20:.0f} MB)",
            hint=f"free memory, or lower the work ({MEMORY}, smaller input), then run again",
            settings=(MEMORY,),
            limit="memory_mb",
        )
    if exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else ""
        return WorkerCrash(
            f"{what} crashed: its worker died of signal {-exitcode} {name}".rstrip()
            + f" after using {peak / 2**20:.0f} MB of its {memory / 2**20:.0f} MB, "
            "so not for lack of memory: a library failed on this input"
        )
    return WorkerCrash(f"{what}: the worker exited with code {exitcode} without an answer")
