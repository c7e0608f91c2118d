"""SPARQL queries run in worker processes that can be killed.

Neither engine can cancel a query that is under way, and a Python thread cannot be
stopped from outside, so a time limit enforced in the server process would only
stop *waiting*: the query would keep a core busy. Each query therefore runs in
a worker subprocess that holds its own copy of the graph, loaded by the engine
``--engine`` names (Oxigraph by default); when a query passes
the time limit its worker is killed (SIGKILL) and a fresh one is started in the
background. A worker also has a memory ceiling, so one query cannot take the
machine's memory before its time is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import multiprocessing
import os
import resource
import threading
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from pathlib import Path

from ..core.errors import QueryError
from .protocol import GRAPH_TYPES, RESULT_TYPES, Reply, error_reply, explain, prepare

log = logging.getLogger("zonekg.serve")

MEMORY_LIMIT = 3 * 1024**3
#: The most bytes one response body may have (``zonekg serve --max-bytes``): rows alone do
#: not bound it (one row may hold a string of hundreds of MB).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
CACHEABLE = {200, 400, 403, 406, 422}
CACHE_ENTRIES = 512
CACHE_BODY_LIMIT = 1024 * 1024
START_TIMEOUT = 120.0


# --- inside the worker process -------------------------------------------------------


def _worker_main(
    conn: Connection, parent: int, data: list[str] | None, engine: str | None, max_rows: int
) -> None:
    from .. import api
    from ..safety import guard, limits

    limits.die_with_parent(parent)  # a killed server leaves no worker running on
    guard.install(data or [])  # a spawned worker is a new interpreter: guard it too
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # Queries are the heavy, best-effort part: lookups and pages in the server process
    # should not wait for CPU behind them.
    with contextlib.suppress(OSError):
        os.nice(5)
    kg = api.load([Path(p) for p in data] if data else None, engine=engine)
    # Both derived graphs now, so that the named graphs are the same for every query
    # (the service description lists them).
    api.reason(kg)
    api.entail_types(kg)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = execute(kg, job, max_rows)
        except MemoryError:
            reply = error_reply(
                503, "the query needed more memory than a query may use; narrow it down"
            )
        except QueryError as exc:
            reply = error_reply(400, explain(exc))
        except Exception as exc:  # a query the engine fails on must not end the worker
            reply = error_reply(500, f"the query failed while running: {exc}")
        conn.send(reply)


def execute(kg, job: dict, max_rows: int) -> Reply:
    from .. import api
    from ..core import render
    from ..core.results import ASK

    prepared = prepare(job)
    if isinstance(prepared, Reply):
        return prepared
    media_type = prepared.media_type
    result = api.answer(
        kg, prepared.screened, default_graphs=prepared.default, named_graphs=prepared.named
    )
    if len(result) > max_rows and result.kind != ASK:
        return too_many(max_rows, "triples" if result.is_graph else "rows")
    max_bytes = int(job.get("max_bytes") or DEFAULT_MAX_BYTES)
    if result_bytes(result) > max_bytes:  # before writing a body that large
        return too_many(max_bytes, "bytes")
    if result.is_graph:
        body = serialize_triples(result.triples, media_type)
    else:
        body = render.render(result, RESULT_TYPES[media_type]).encode("utf-8")
    if len(body) > max_bytes:
        return too_many(max_bytes, "bytes")
    return Reply(200, _with_charset(media_type), body, len(result))


def result_bytes(result) -> int:
    """A lower bound of a result's size once written: the lengths of the terms' text."""
    total = 0
    rows = result.triples if result.is_graph else result.rows
    for row in rows:
        for term in row:
            if term is not None:
                value = getattr(term, "value", term)
                total += len(value) if isinstance(value, str) else len(str(term))
    return total


def serialize_triples(triples, media_type: str) -> bytes:
    """Triples from a query in *media_type* (JSON-LD through rdflib, with the prefixes used)."""
    from ..core import render

    name = GRAPH_TYPES[media_type]
    if name != "jsonld":
        return render.graph_text(triples, name).encode("utf-8")
    from rdflib import Graph

    from ..core.terms import triple_to_rdflib
    from ..core.vocab import bind_prefixes

    graph = bind_prefixes(Graph())
    for triple in triples:
        graph.add(triple_to_rdflib(triple))
    return serialize_graph(graph, media_type)


def serialize_graph(graph, media_type: str) -> bytes:
    """An rdflib graph in *media_type*; JSON-LD gets an inline @context of the graph's
    prefixes (never a remote one), so that it reads as compactly as the Turtle."""
    from rdflib import URIRef

    if media_type == "application/ld+json":
        iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
        iris |= {str(o.datatype) for o in graph.objects() if getattr(o, "datatype", None)}
        context = {
            prefix: str(ns)
            for prefix, ns in graph.namespaces()
            if prefix and any(iri.startswith(str(ns)) for iri in iris)
        }
        return graph.serialize(
            format="json-ld", context=context, auto_compact=True, encoding="utf-8"
        )
    rdflib_names = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}
    return graph.serialize(format=rdflib_names[GRAPH_TYPES[media_type]], encoding="utf-8")


def too_many(cap: int, what: str) -> Reply:
    return error_reply(
        422,
        f"the result has more than {cap} {what}, the most this endpoint returns; "
        "add a LIMIT (and ORDER BY / OFFSET to page through it) or narrow the query",
    )


def _with_charset(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"


# --- in the server process ------------------------------------------------------------


class Worker:
    _ids = itertools.count(1)

    def __init__(self, data: list[str] | None, engine: str | None, max_rows: int):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, os.getpid(), data, engine, max_rows),
            daemon=True,
            name=f"zonekg-query-{next(self._ids)}",
        )
        self.process.start()
        self.reaped = False  # set once its death was reaped here (see died)
        child.close()
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        tag, self.pid = self.conn.recv()

    def call(self, job: dict, timeout: float) -> Reply | None:
        """The reply; None when the time ran out (the worker is then killed); a 500 or 503
        reply saying why when the worker died on the job (a crash or its memory limit)."""
        try:
            self.conn.send(job)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            return self.died()
        self.kill()
        return None

    def died(self) -> Reply:
        """Reap the dead worker and say why it died, from its signal and peak memory."""
        from ..safety.limits import WorkerCrash, died

        self.reaped = True
        try:
            _, status, usage = os.wait4(self.pid, 0)
            code = os.waitstatus_to_exitcode(status)
        except ChildProcessError:  # reaped by multiprocessing already: no usage then
            self.process.join(5)
            code, usage = self.process.exitcode or 0, None
        self.conn.close()
        cause = died("the query", code, usage, MEMORY_LIMIT)
        log.warning("query worker %s ended: %s", self.pid, str(cause).splitlines()[0])
        if isinstance(cause, WorkerCrash):
            return error_reply(
                500,
                f"{cause}; the server goes on with a fresh worker. "
                "Please report the query to zonekg's maintainers.",
            )
        return error_reply(503, f"{cause.message}; narrow the query down and try again")

    def kill(self) -> None:
        if self.reaped:
            return  # its pid may belong to another process by now: never signal it
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of workers; a killed worker is replaced in the background."""

    def __init__(
        self,
        size: int,
        data: list[str] | None,
        timeout: float,
        max_rows: int,
        engine: str | None = None,
    ):
        self.size = size
        self.data = data
        self.engine = engine
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers: list[Worker] = []
        self.killed = 0
        self._idle: asyncio.Queue[Worker] | None = None
        # The graph is read-only while served, so the same request always gets the same
        # answer; time-outs and failures (503, 500) are not kept.
        self._cache: OrderedDict[str, Reply] = OrderedDict()
        self.cache_hits = 0
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size)))
        for worker in started:
            self._idle.put_nowait(worker)

    def _spawn(self) -> Worker:
        worker = Worker(self.data, self.engine, self.max_rows)
        with self._lock:
            self.workers.append(worker)
        return worker

    async def _replace(self, dead: Worker) -> None:
        with self._lock:
            if dead in self.workers:
                self.workers.remove(dead)
        try:
            worker = await asyncio.to_thread(self._spawn)
        except Exception as exc:  # keep serving with fewer workers rather than crash
            log.error("could not start a replacement query worker: %s", exc)
            return
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self.workers]

    async def run(self, job: dict) -> Reply:
        """Run *job* in a worker; replies that depend only on the job are remembered."""
        key = json.dumps(job, sort_keys=True)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.cache_hits += 1
            return cached
        reply = await self._run(job)
        if reply.status in CACHEABLE and len(reply.body) <= CACHE_BODY_LIMIT:
            self._cache[key] = reply
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return reply

    async def _run(self, job: dict) -> Reply:
        assert self._idle is not None, "QueryPool.start() was not awaited"
        started = time.monotonic()
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            return error_reply(
                503, f"all query workers stayed busy for {self.timeout:g} s; try again later"
            )
        left = max(0.1, self.timeout - (time.monotonic() - started))
        reply = await asyncio.to_thread(worker.call, job, left)
        if reply is None or worker.reaped:
            self.killed += 1
            asyncio.get_running_loop().create_task(self._replace(worker))
        else:
            self._idle.put_nowait(worker)
        if reply is None:
            return error_reply(
                503,
                f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                "narrow it down (fewer unbound patterns, a LIMIT) and try again",
            )
        return reply

    def close(self) -> None:
        with self._lock:
            workers, self.workers = self.workers, []
        for worker in workers:
            worker.kill()
