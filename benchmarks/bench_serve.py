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
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serve_support import running_server  # noqa: E402

from zonekg.load import load  # noqa: E402
from zonekg.namespaces import BASE, ID  # noqa: E402
from zonekg.query import questions  # noqa: E402

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


async def client(url, makers, deadline, results, errors, seed):
    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as http:
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            method, path, headers, data = makers[kind](rng)
            started = time.perf_counter()
            try:
                response = await http.request(method, path, headers=headers, data=data)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            results[kind].append(elapsed)
            if not ok:
                errors[kind] += 1


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

    kg = load()
    subjects = sorted({str(s) for s in kg.data.subjects() if str(s).startswith(ID)})
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
