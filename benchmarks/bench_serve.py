"""Load benchmark for `zonekg serve` (run by `make bench`, not by `make test`).

Starts the server on 127.0.0.1 and a free port, then runs N concurrent clients
(default 32) for a fixed time (default 30 s), each picking at random among page
views, content-negotiated IRI lookups and SPARQL queries. Reports requests/s,
p50/p99 latency and errors per kind of request, and each kind's p50 as a ratio
of /healthz measured in the same run (the server's floor). Only loopback is used.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serve_support import running_server  # noqa: E402

from zonekg import api  # noqa: E402
from zonekg.core.namespaces import BASE, ID  # noqa: E402
from zonekg.core.questions import questions  # noqa: E402

RDF_ACCEPTS = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/rdf+xml;q=0.9, text/turtle;q=0.5",
    "*/*",
]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY_ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"]
#: "query" repeats the competency questions (answered from the result cache after the
#: first time); "query-new" makes each text unique, so a worker really runs it.
MIX = [("page", 3), ("lookup", 4), ("query", 1), ("query-new", 1), ("healthz", 1)]


def requests_for(paths: list[str], cq_texts: list[str]):
    def page(rng):
        choice = rng.random()
        if choice < 0.25:
            return "GET", "/", {"Accept": BROWSER}, None
        if choice < 0.35:
            return "GET", "/query", {"Accept": BROWSER}, None
        return "GET", rng.choice(paths), {"Accept": BROWSER, "Accept-Language": "zh,en;q=0.5"}, None

    def lookup(rng):
        return "GET", rng.choice(paths), {"Accept": rng.choice(RDF_ACCEPTS)}, None

    def query(rng):
        return (
            "POST",
            "/sparql",
            {"Accept": rng.choice(QUERY_ACCEPTS)},
            {"query": rng.choice(cq_texts)},
        )

    def query_new(rng):
        text = rng.choice(cq_texts) + f"\n# {rng.getrandbits(64):x}\n"
        return "POST", "/sparql", {"Accept": rng.choice(QUERY_ACCEPTS)}, {"query": text}

    def healthz(rng):
        return "GET", "/healthz", {}, None

    return {
        "page": page,
        "lookup": lookup,
        "query": query,
        "query-new": query_new,
        "healthz": healthz,
    }


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    httpx costs more CPU per request than the server does for a cached lookup, and
    client and server share the machine's two cores; this keeps the load generator
    light so the figures are the server's.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, headers, data) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = urllib.parse.urlencode(data).encode() if data else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if data:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self):
        if self.writer is not None:
            self.writer.close()


async def client(url, makers, deadline, results, errors, seed):
    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    parsed = urllib.parse.urlsplit(url)
    connection = Connection(parsed.hostname, parsed.port)
    try:
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            method, path, headers, data = makers[kind](rng)
            started = time.perf_counter()
            try:
                ok = await connection.request(method, path, headers, data) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
                await connection.close()
                connection = Connection(parsed.hostname, parsed.port)
            elapsed = (time.perf_counter() - started) * 1000
            results[kind].append(elapsed)
            if not ok:
                errors[kind] += 1
    finally:
        await connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def run(url: str, clients: int, duration: float, paths, cq_texts):
    makers = requests_for(paths, cq_texts)
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + duration
    started = time.monotonic()
    await asyncio.gather(
        *(client(url, makers, deadline, results, errors, seed) for seed in range(clients))
    )
    return results, errors, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={w}" for k, w in MIX),
        help="weights of the kinds of request, e.g. lookup=1,healthz=1",
    )
    args = parser.parse_args()
    MIX[:] = [(k, int(w)) for k, _, w in (item.partition("=") for item in args.mix.split(","))]

    kg = api.load()
    subjects = sorted({str(s) for s in kg.rdf.data.subjects() if str(s).startswith(ID)})
    paths = ["/" + iri[len(BASE) :] for iri in subjects]
    cq_texts = [q.text for q in questions() if not q.needs_reasoning]
    assert paths and cq_texts, "no IRIs or competency questions to use"

    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as server:
        # warm up each kind once so start-up costs are not counted
        with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as http:
            http.get("/")
            http.get(paths[0], headers={"Accept": "text/turtle"})
            http.post("/sparql", data={"query": cq_texts[0]})
        results, errors, elapsed = asyncio.run(
            run(server.url, args.clients, args.duration, paths, cq_texts)
        )

    total = sum(len(v) for v in results.values())
    failed = sum(errors.values())
    floor = statistics.median(results["healthz"]) if results["healthz"] else float("nan")
    print(f"zonekg serve: {args.clients} clients for {elapsed:.1f} s against 127.0.0.1")
    print(f"{total} requests, {total / elapsed:.1f} requests/s, {failed} errors")
    header = f"{'kind':<10} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header + f" {'p50/healthz':>12}")
    for kind, _ in MIX:
        values = results[kind]
        if not values:
            continue
        p50 = percentile(values, 50)
        print(
            f"{kind:<10} {len(values):>7} {len(values) / elapsed:>8.1f} {p50:>8.1f} "
            f"{percentile(values, 99):>8.1f} {errors[kind]:>7} {p50 / floor:>12.2f}"
        )
    lookup_p99 = percentile(results["lookup"], 99)
    print(
        f"target: zero errors ({'met' if failed == 0 else 'MISSED'}), "
        f"lookup p99 under 100 ms ({lookup_p99:.1f} ms: {'met' if lookup_p99 < 100 else 'MISSED'})"
    )
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
