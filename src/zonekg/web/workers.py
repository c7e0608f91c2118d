"""SPARQL queries run in worker processes that can be killed.

rdflib cannot cancel a query that is under way, and a Python thread cannot be
stopped from outside, so a time limit enforced in the server process would only
stop *waiting*: the query would keep a core busy. Each query therefore runs in
a worker subprocess that holds its own copy of the graph; when a query passes
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
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger("zonekg.serve")

#: Media type → rdflib serializer name, for SELECT/ASK results and for graphs.
RESULT_SERIALIZERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_SERIALIZERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
MEMORY_LIMIT = 3 * 1024**3
CACHEABLE = {200, 400, 403, 406, 422}
CACHE_ENTRIES = 512
CACHE_BODY_LIMIT = 1024 * 1024
START_TIMEOUT = 120.0


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    rows: int = 0


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# --- inside the worker process -------------------------------------------------------


def _worker_main(conn: Connection, data: list[str] | None, max_rows: int) -> None:
    from .. import guard

    guard.install(data or [])  # a spawned worker is a new interpreter: guard it too
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # Queries are the heavy, best-effort part: lookups and pages in the server process
    # should not wait for CPU behind them.
    with contextlib.suppress(OSError):
        os.nice(5)
    import rdflib.plugins.sparql as sparql

    # Never fetch a graph named in FROM / FROM NAMED (they are checked before they get
    # here; this is the second lock), and keep the inferred graph out of the default graph.
    sparql.SPARQL_LOAD_GRAPHS = False
    sparql.SPARQL_DEFAULT_GRAPH_UNION = False
    dataset = build_dataset([Path(p) for p in data] if data else None)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = execute(dataset, job, max_rows)
        except MemoryError:
            reply = error_reply(
                503, "the query needed more memory than a query may use; narrow it down"
            )
        except Exception as exc:  # a query that rdflib fails on must not end the worker
            reply = error_reply(500, f"the query failed while running: {exc}")
        conn.send(reply)


def build_dataset(data: list[Path] | None):
    """Named graph per file plus the OWL-RL closure; the default graph is the asserted union."""
    from ..load import load
    from ..reason import reason

    kg = load(data)
    reason(kg)
    dataset = kg.dataset
    default = dataset.default_context
    for triple in kg.asserted():
        default.add(triple)
    return dataset


def execute(dataset, job: dict, max_rows: int) -> Reply:
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.query import Result

    from ..namespaces import bind_prefixes
    from ..query import tsv
    from .sparql import prepare

    prepared = prepare(job)
    if isinstance(prepared, Reply):
        return prepared
    prepared, media_type = prepared
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in job.get("default", [])]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in job.get("named", [])]
    if (
        clause
    ):  # the protocol's default-graph-uri / named-graph-uri override FROM (SPARQL 1.1 §2.1.4)
        prepared.algebra["datasetClause"] = clause
    result = dataset.query(prepared)
    if result.type == "SELECT":
        rows = []
        for row in itertools.islice(result, max_rows + 1):
            rows.append(
                {
                    var: value
                    for var, value in zip(result.vars, row, strict=True)
                    if value is not None
                }
            )
        if len(rows) > max_rows:
            return too_many(max_rows, "rows")
        capped = Result("SELECT")
        capped.vars = result.vars
        capped.bindings = rows
        if media_type == "text/tab-separated-values":
            body = tsv(result.vars, rows).encode("utf-8")
        else:
            body = capped.serialize(format=RESULT_SERIALIZERS[media_type])
        return Reply(200, _with_charset(media_type), body, len(rows))
    if result.type == "ASK":
        body = result.serialize(format=RESULT_SERIALIZERS[media_type])
        return Reply(200, _with_charset(media_type), body, 1)
    graph = result.graph
    if len(graph) > max_rows:
        return too_many(max_rows, "triples")
    bind_prefixes(graph)
    body = serialize_graph(graph, media_type)
    return Reply(200, _with_charset(media_type), body, len(graph))


def serialize_graph(graph, media_type: str) -> bytes:
    """A graph in *media_type*; JSON-LD gets an inline @context of the graph's prefixes
    (never a remote one), so that it reads as compactly as the Turtle."""
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
    return graph.serialize(format=GRAPH_SERIALIZERS[media_type], encoding="utf-8")


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

    def __init__(self, data: list[str] | None, max_rows: int):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, data, max_rows),
            daemon=True,
            name=f"zonekg-query-{next(self._ids)}",
        )
        self.process.start()
        child.close()
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        tag, self.pid = self.conn.recv()

    def call(self, job: dict, timeout: float) -> Reply | None:
        """The reply, or None when the time ran out or the worker died (it is then dead)."""
        try:
            self.conn.send(job)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        self.kill()
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of workers; a killed worker is replaced in the background."""

    def __init__(self, size: int, data: list[str] | None, timeout: float, max_rows: int):
        self.size = size
        self.data = data
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
        worker = Worker(self.data, self.max_rows)
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
        if reply is None:
            self.killed += 1
            asyncio.get_running_loop().create_task(self._replace(worker))
            return error_reply(
                503,
                f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                "narrow it down (fewer unbound patterns, a LIMIT) and try again",
            )
        self._idle.put_nowait(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            workers, self.workers = self.workers, []
        for worker in workers:
            worker.kill()
