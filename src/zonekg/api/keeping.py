"""Kept loads made in the background: a command whose engine keeps loads, on inputs big
enough to gain from it, that finds none kept (``Loaded.entry_wanted``) asks a process of its
own to make one (``request``), and goes on in memory. That process, the keeper (``keeper``),
waits for a command's worker that asked to end (a pipe whose end the worker holds closes; at
most ``keeper.WAIT_FOR_REQUESTER_S``), then loads the inputs as a command with
``$ZONEKG_CACHE_STORES_BUILD=now`` does (the load kept, with its merge), makes the derived
graphs the questions read (kept too), and exits. The command pays a process start, not the
writing: a million triples take some 20 s to write into RocksDB, more than the command
itself spends on them.

The request is a file in the cache's ``stores/`` folder (``.keep-DIGEST``), locked
(``flock``) while a keeper works on it: the command takes the lock, writes what the keeper
must read (each file's path, role and SHA-256, and the digest of them all), and
hands the locked file to the keeper, which holds it until it ends. A second command on the
same inputs finds the lock taken and starts no second keeper; a keeper killed half-way leaves
the request unlocked, and the next command starts another (its building folders, named after
its process, are removed as any killed build's are).

The keeper trusts nothing of the request: it reads and checks the files as a command does,
within the limits, and loads only if they are the ones the command checked (each SHA-256, and
the digest of them all). It runs only on CPU time the commands leave (``SCHED_IDLE``),
under the command's memory and CPU limits (a child process has its parent's ``setrlimit``
values), its output thrown away; a failure keeps nothing, and leaves its reason in the
request: the next command on the same inputs says so (with the file to remove to try
again) instead of starting another.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from pathlib import Path

from .. import engines
from ..core import paths, settings
from ..core.errors import ZonekgError
from ..inputs import DATA, ONTOLOGY, Inputs, collect
from ..safety import cache
from ..safety.jsonread import read_json
from ..safety.limits import deadline

#: What a request file holds first (its layout).
FORMAT = "zonekg-keep 1"
#: The most bytes of a request read (the paths of 1,400 files take some 300 kB).
REQUEST_CAP = 16 * 2**20
#: The folder of the cache folder the requests are made in (the kept stores').
KIND = cache.STORES
#: Keepers started on the same inputs that ended without keeping them or saying why, after
#: which no other is started (each would be stopped the same way).
MAX_TRIES = 3
#: The keeper's module, run with ``python -m``.
KEEPER = "zonekg.api.keeper"


#: The keepers this process started (a long-running one reaps them as it asks again; a
#: command's worker ends first, and they are reaped by the system).
_KEEPERS: list = []
#: This process's ends of the pipes its keepers wait on (``request``).
_ALIVE: list[int] = []


class Changed(ValueError):
    """A requested file is not the one the command checked."""


def request(inputs: Inputs, engine: str) -> tuple[bool, str]:
    """Start a keeper for *inputs* loaded by *engine*: whether one was started (not when one
    is at work on them), and why none was when an earlier keeper failed on the same inputs
    (its request, left in place, says so until it is removed), else ""."""
    import subprocess

    root = paths.cache_folder()
    (root / KIND).mkdir(parents=True, exist_ok=True)
    digest = inputs.digest()
    path = _request_path(root, digest)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False, ""  # a keeper holds it
        failed, tries = _failure(fd, digest)
        if failed:
            return False, f"an earlier try failed ({failed}); remove {path} to try again"
        os.ftruncate(fd, 0)
        os.pwrite(fd, _request_body(inputs, engine, digest, tries + 1), 0)
        # The keeper gets the locked file itself: the lock belongs to the open file, so it
        # stays taken from here until the keeper ends, whichever process ends first.
        _KEEPERS[:] = [k for k in _KEEPERS if k.poll() is None]  # those ended, reaped
        # Asked from a command's worker, the keeper waits for it to end (its end of a pipe
        # closes) before it works: beside the command, even on CPU time left over, it slowed
        # a first validate of 100k triples by 0.1 s of 1.2 on two CPUs. (A program using the
        # API in process may not end for long: its keeper works at once.)
        ended, alive = os.pipe() if deadline() is not None else (-1, -1)
        try:
            keeper = subprocess.Popen(
                [sys.executable, "-m", KEEPER, str(fd), str(ended)],
                pass_fds=(fd, ended) if ended >= 0 else (fd,),
                env={
                    **os.environ,
                    settings.STORE_BUILD_ENV: "now",
                    settings.CACHE_ENV: os.fsdecode(root),
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # not stopped with the command's terminal or group
            )
        except BaseException:
            if alive >= 0:
                os.close(alive)
            raise
        finally:
            if ended >= 0:
                os.close(ended)
        if alive >= 0:
            _ALIVE.append(alive)  # never closed: this process's end closes it
        _KEEPERS.append(keeper)
        return True, ""
    finally:
        os.close(fd)


def _failure(fd: int, digest: str) -> tuple[str, int]:
    """What a failed keeper recorded in the request *fd* for the inputs *digest* ("" when
    none), and how many keepers were started on it before (one killed, by its CPU limit or
    by hand, records nothing: after ``MAX_TRIES`` of them no other is started)."""
    try:
        recorded = _read(os.pread(fd, REQUEST_CAP, 0) or b"{}")
    except (ZonekgError, OSError):
        return "", 0
    if not isinstance(recorded, dict) or recorded.get("inputs") != digest:
        return "", 0
    failed = recorded.get("failed")
    tries = recorded.get("tries")
    tries = tries if isinstance(tries, int) and tries >= 0 else 0
    if not isinstance(failed, str) and tries >= MAX_TRIES:
        failed = f"{tries} keepers ended without keeping it (stopped at a limit, or killed)"
    return (failed[:500] if isinstance(failed, str) else ""), tries


def record_failure(fd: int, digest: str, why: str) -> None:
    """Leave in the request *fd* why its keeper failed: the next command on the same inputs
    says so instead of starting a keeper that fails again."""
    body = json.dumps({"format": FORMAT, "inputs": digest, "failed": why}).encode()
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, body, 0)


def _request_body(inputs: Inputs, engine: str, digest: str, tries: int) -> bytes:
    files = [
        {"path": os.fsdecode(f.path), "role": f.role, "sha256": f.digest} for f in inputs.files
    ]
    wanted = {"format": FORMAT, "engine": engine, "inputs": digest, "files": files, "tries": tries}
    return json.dumps(wanted, sort_keys=True).encode()


def _read(raw: bytes):
    """A request file's JSON, its nesting bounded (the one reader of JSON from outside)."""
    return read_json(raw, what="a keeper's request")


def _request_path(root: Path, digest: str) -> Path:
    return root / KIND / f".keep-{digest[:40]}"


def read_request(fd: int) -> dict:
    raw = os.pread(fd, REQUEST_CAP + 1, 0)
    if len(raw) > REQUEST_CAP:
        raise ValueError("the request is larger than any the cache writes")
    try:
        wanted = _read(raw)
    except ZonekgError as exc:
        raise ValueError(exc.message) from None
    if not isinstance(wanted, dict) or wanted.get("format") != FORMAT:
        raise ValueError("not a request of this version")
    if wanted.get("engine") not in engines.ENGINES or not isinstance(wanted.get("inputs"), str):
        raise ValueError("the request names no engine or inputs")
    if not isinstance(wanted.get("files"), list):
        raise ValueError("the request names no files")
    return wanted


def requested_inputs(files: list) -> Inputs:
    """The requested files, read and checked again as a command reads them, within the
    limits; each must be the one the command checked (its digest)."""
    roles = {}
    for item in files:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("path", "role", "sha256")
        ):
            raise ValueError("a file of the request is not described")
        roles[Path(item["path"])] = item["role"]
    inputs = collect(
        [p for p, role in roles.items() if role == DATA],
        [p for p, role in roles.items() if role == ONTOLOGY],
        ill_typed="report",
        limits=settings.Limits.from_env(),
    )
    read = [(os.fsdecode(f.path), f.role, f.digest) for f in inputs.files]
    if read != [(item["path"], item["role"], item["sha256"]) for item in files]:
        raise Changed("the files are not the ones the command checked")
    return inputs


def forget_request(fd: int) -> None:
    """Remove the request file while it is still the one locked (*fd*): by its name, which
    the file's own descriptor cannot give, found among the requests by inode."""
    with contextlib.suppress(OSError):
        mine = os.fstat(fd)
        for entry in os.scandir(paths.cache_folder() / KIND):
            if entry.name.startswith(".keep-"):
                found = entry.stat(follow_symlinks=False)
                if (found.st_dev, found.st_ino) == (mine.st_dev, mine.st_ino):
                    os.unlink(entry.path)
