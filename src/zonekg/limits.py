"""Bounded work: every expensive step has a limit that actually stops it.

rdflib has no query timeout and a Python thread cannot be stopped, so user
queries, validation and reasoning run in a forked worker process that the
parent kills when the time limit passes; the worker caps its own address space
(``RLIMIT_AS``) so that a runaway query fails with MemoryError instead of
taking the machine. Parsing is bounded before rdflib sees the text (size, line
length, bracket nesting; no DOCTYPE/ENTITY in RDF/XML), and the reasoner stops
at a triple-count cap.

Each limit has an environment variable (and the global CLI options
``--timeout``/``--memory`` for the first two); the error names both.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ZonekgError


class LimitError(ZonekgError):
    """Work stopped because it reached a limit; the hint says how to raise it."""


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
MAX_TRIPLES = Limit("ZONEKG_MAX_TRIPLES", 1_000_000, "triples")
MAX_INPUT_MB = Limit("ZONEKG_MAX_INPUT_MB", 20, "MB")
MAX_LINE = Limit("ZONEKG_MAX_LINE", 100_000, "characters")
MAX_DEPTH = Limit("ZONEKG_MAX_DEPTH", 32, "levels")

ALL = (TIMEOUT, MEMORY_MB, MAX_TRIPLES, MAX_INPUT_MB, MAX_LINE, MAX_DEPTH)


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
    here again; hitting a limit raises LimitError naming the limit.
    """
    timeout = TIMEOUT.value()
    memory = int(MEMORY_MB.value() * 1024 * 1024)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(send, memory, fn, args, kwargs), daemon=True)
    worker.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise LimitError(
                f"{what} stopped after {timeout:g} s (time limit)",
                hint=TIMEOUT.how_to_raise(),
            )
        try:
            status, payload = receive.recv()
        except EOFError:
            worker.join()
            raise _died(what, worker.exitcode) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
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


def _work(send, memory: int, fn, args, kwargs) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        reply = ("ok", fn(*args, **kwargs))
    except MemoryError:
        reply = ("memory", None)
    except ZonekgError as exc:
        reply = ("error", (type(exc), {f.name: getattr(exc, f.name) for f in fields(exc)}))
    except BaseException:
        reply = ("crash", traceback.format_exc())
    try:
        send.send(reply)
    except MemoryError:
        send.send(("memory", None))
    finally:
        send.close()


def _memory_error(what: str) -> LimitError:
    return LimitError(
        f"{what} stopped: it needed more than {MEMORY_MB.value():g} MB (memory limit)",
        hint=MEMORY_MB.how_to_raise(),
    )


def _died(what: str, exitcode: int | None) -> Exception:
    if exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT):
        return _memory_error(what)
    return WorkerCrash(f"{what}: the worker exited with code {exitcode} without an answer")


# --- bounded entry points for the CLI and the server ------------------------------


def run_query(graph, text: str, source: str, fmt: str) -> tuple[str, Any]:
    """Run and render a query in a worker.

    Returns ``("table", (columns, rows))`` for SELECT/ASK shown as a table, else
    ``("text", serialised result)``.
    """
    return bounded(_answer, graph, text, source, fmt, what=f"query {source}")


def _answer(graph, text: str, source: str, fmt: str) -> tuple[str, Any]:
    from . import query

    result = query.run(graph, text, source)
    if fmt == "table" and result.type in ("SELECT", "ASK"):
        return "table", query.table_cells(result)
    return "text", query.render(result, "csv" if fmt == "table" else fmt)


# --- reasoning cap ----------------------------------------------------------------


def capped(semantics: type) -> type:
    """An owlrl semantics class that stops when the closure would pass MAX_TRIPLES."""
    cap = int(MAX_TRIPLES.value())

    class Capped(semantics):
        _zk_base = 0

        def empty_stored_triples(self):
            # once per cycle: the graph only grows between cycles
            self._zk_base = len(self.destination)
            super().empty_stored_triples()

        def store_triple(self, t):
            super().store_triple(t)
            if self._zk_base + len(self.added_triples) > cap:
                raise LimitError(
                    f"reasoning stopped: the closure passed {cap} triples (triple-count cap)",
                    hint=MAX_TRIPLES.how_to_raise(),
                )

    Capped.__name__ = f"Capped{semantics.__name__}"
    return Capped


# --- parse limits -----------------------------------------------------------------

#: What Turtle's brackets can hide in: strings (long and short), IRIs, comments.
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
    r"|([\[\(\{])|([\]\)\}])",
    re.DOTALL,
)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_file_size(file: Path) -> None:
    """Refuse a file bigger than MAX_INPUT_MB before reading it."""
    try:
        size = Path(file).stat().st_size
    except OSError:
        return  # the reader reports missing and unreadable files
    cap = MAX_INPUT_MB.value() * 1024 * 1024
    if size > cap:
        raise LimitError(
            f"the file is {size} bytes, over the input size limit ({int(cap)} bytes)",
            hint=MAX_INPUT_MB.how_to_raise(),
            file=Path(file),
        )


def check_folder_readable(folder: Path) -> None:
    """Refuse a folder that cannot be listed, instead of treating it as empty."""
    try:
        os.scandir(folder).close()
    except OSError as exc:
        raise ZonekgError(
            f"cannot read this folder: {exc.strerror}",
            hint="check its permissions (it must be readable and searchable), or name the files",
            file=Path(folder),
        ) from None


def check_turtle(text: str, file: Path) -> None:
    """Line length and bracket nesting limits for Turtle/N-Triples text, before parsing."""
    max_line = int(MAX_LINE.value())
    if len(text) > max_line:
        for number, line in enumerate(text.split("\n"), start=1):
            if len(line) > max_line:
                raise LimitError(
                    f"line {number} is {len(line)} characters long, over the line length limit",
                    hint="break the line (Turtle allows newlines between terms and in "
                    f'"""long strings"""), or {MAX_LINE.how_to_raise()}',
                    file=Path(file),
                    line=number,
                )
    max_depth = int(MAX_DEPTH.value())
    depth = 0
    for match in _TURTLE_TOKENS.finditer(text):
        if match.group(1):
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - text.rfind("\n", 0, match.start())
                raise LimitError(
                    f"brackets nested more than {max_depth} deep",
                    hint=f"flatten the nesting with named nodes, or {MAX_DEPTH.how_to_raise()}",
                    file=Path(file),
                    line=line,
                    column=column,
                )
        elif match.group(2):
            depth = max(depth - 1, 0)


def check_rdfxml(data: str | bytes, source: Path | str) -> None:
    """Refuse DOCTYPE and ENTITY declarations: entity expansion can take minutes."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    match = _DOCTYPE.search(raw)
    if match:
        line = raw.count(b"\n", 0, match.start()) + 1
        raise LimitError(
            f"RDF/XML with a {match.group(1).decode().upper()} declaration is refused",
            hint="remove the DOCTYPE/ENTITY declarations and write the IRIs out in full",
            file=Path(source),
            line=line,
        )


def check_text(text: str | bytes, source: Path | str, fmt: str) -> None:
    """The pre-parse checks that apply to *fmt* (an rdflib format name)."""
    if fmt in ("xml", "application/rdf+xml", "trix"):
        check_rdfxml(text, source)
    elif fmt in ("turtle", "ttl", "nt", "ntriples", "nt11", "n3", "trig", "nquads"):
        check_turtle(text if isinstance(text, str) else text.decode("utf-8", "replace"), source)
