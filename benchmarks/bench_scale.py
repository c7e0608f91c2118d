"""Benchmark the reference path (rdflib/owlrl/pyshacl) against the fast path (Oxigraph).

Run by `make bench`. For each size, generated data is processed by each path in
its own process (so peak memory is that path's own), with a time limit: a path
that runs out of time is reported as "> T s (timed out)", not waited for.
Prints a table of medians, peak memory and ratios; writes build/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = [10_000, 100_000, 1_000_000]
STEPS = ["load", "validate", "reason", "queries", "export"]


def worker(path: str, data: Path, shapes: Path, out: Path) -> dict:
    """One full pipeline; print step timings as JSON (the parent enforces the time limit)."""
    from zonekg.query import questions

    found = questions()
    times: dict[str, float] = {}
    t = time.perf_counter()
    if path == "reference":
        from zonekg.load import load
        from zonekg.query import run
        from zonekg.reason import reason
        from zonekg.validate import load_shapes, validate

        kg = load([data])
        times["load"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        validate(kg, shapes=load_shapes(shapes))
        times["validate"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        inferred = reason(kg)
        times["reason"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        asserted = kg.asserted()
        asserted.serialize(out / "reference.nt", format="nt")
        times["export"] = time.perf_counter() - t
        _emit(times)
        closure = kg.asserted()
        for triple in inferred:
            closure.add(triple)
        graphs = {False: asserted, True: closure}
        t = time.perf_counter()
        for cq in found:
            s = time.perf_counter()
            list(run(graphs[cq.needs_reasoning], cq.text, cq.name))
            times[cq.name.split("-")[0]] = time.perf_counter() - s
            _emit(times)
        times["queries"] = time.perf_counter() - t
    else:
        import pyoxigraph as ox

        from zonekg import engines

        graph = engines.load([data])
        times["load"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        engines.validate(graph, shapes)
        times["validate"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        engines.reason(graph)
        times["reason"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        triples = (q.triple for g in graph.asserted_graphs
                   for q in graph.store.quads_for_pattern(None, None, None, g))  # fmt: skip
        ox.serialize(triples, output=str(out / "fast.nt"), format=ox.RdfFormat.N_TRIPLES)
        times["export"] = time.perf_counter() - t
        _emit(times)
        t = time.perf_counter()
        for cq in found:
            s = time.perf_counter()
            list(engines.query(graph, cq.text, cq.needs_reasoning, cq.name))
            times[cq.name.split("-")[0]] = time.perf_counter() - s
            _emit(times)
        times["queries"] = time.perf_counter() - t
    _emit(times)
    return times


def _emit(times: dict) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print("STEP " + json.dumps({"times": times, "peak": peak}), flush=True)


def run_one(path: str, data: Path, shapes: Path, out: Path, limit: float) -> dict:
    command = [sys.executable, __file__, "--worker", path, str(data), str(shapes), str(out)]
    start = time.perf_counter()
    # 1M generated triples are past the default input-size and closure caps (limits.py),
    # which guard user input; the benchmark measures the engines, so it lifts them.
    env = {**os.environ, "ZONEKG_MAX_INPUT_MB": "4096", "ZONEKG_MAX_TRIPLES": "100000000"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        stdout, stderr = process.communicate(timeout=limit)
        timed_out = False
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        timed_out = True
    last = {"times": {}, "peak": 0}
    for line in stdout.splitlines():
        if line.startswith("STEP "):
            last = json.loads(line[5:])
    if process.returncode not in (0, None) and not timed_out:
        print(stderr[-2000:], file=sys.stderr)
    last["timed_out"] = timed_out
    last["wall"] = time.perf_counter() - start
    last["limit"] = limit
    return last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES)
    parser.add_argument("--reference-limit", type=float, default=150.0)
    parser.add_argument("--fast-limit", type=float, default=240.0)
    parser.add_argument("--repeats", type=int, default=3, help="runs per path at sizes <= 10k")
    parser.add_argument("--shapes", type=Path, help="shapes file (default: the project's)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from zonekg import paths
    from zonekg.generate import generate

    shapes = args.shapes or paths.SHAPES
    if not Path(shapes).is_file():
        sys.exit(f"no shapes file at {shapes}: give one with --shapes")
    build = ROOT / "build" / "bench"
    report = {"machine": machine(), "shapes": str(shapes), "sizes": []}
    for size in args.sizes:
        data = build / f"data-{size}"
        made = generate(size, data, seed=1)
        entry = {"triples": made.triples, "paths": {}}
        for path in ("reference", "fast"):
            limit = args.reference_limit if path == "reference" else args.fast_limit
            repeats = args.repeats if size <= 10_000 else 1
            runs = [run_one(path, data, shapes, build, limit) for _ in range(repeats)]
            entry["paths"][path] = summarise(runs)
        report["sizes"].append(entry)
        print_table(entry)
    from zonekg.atomic import write_atomic

    write_atomic(ROOT / "build" / "bench.json", json.dumps(report, indent=2))
    print(f"\nmachine: {report['machine']}; shapes: {report['shapes']}; JSON: build/bench.json")


def summarise(runs: list[dict]) -> dict:
    steps = sorted({k for r in runs for k in r["times"]})
    medians = {k: statistics.median(r["times"][k] for r in runs if k in r["times"]) for k in steps}
    return {
        "runs": len(runs),
        "median": medians,
        "peak_bytes": max(r["peak"] for r in runs),
        "timed_out": any(r["timed_out"] for r in runs),
        "limit": runs[0]["limit"],
        "wall": statistics.median(r["wall"] for r in runs),
    }


def print_table(entry: dict) -> None:
    ref, fast = entry["paths"]["reference"], entry["paths"]["fast"]
    from zonekg.query import questions

    steps = STEPS + [cq.name.split("-")[0] for cq in questions()]
    print(
        f"\n{entry['triples']} triples (reference runs: {ref['runs']}, fast runs: {fast['runs']})"
    )
    print(f"{'step':<10} {'reference s':>22} {'fast s':>22} {'ratio':>8}")
    for step in [*steps, "pipeline"]:
        if step == "pipeline":
            r = _pipeline(ref)
            f = _pipeline(fast)
        else:
            r, f = ref["median"].get(step), fast["median"].get(step)
        print(f"{step:<10} {_cell(r, ref):>22} {_cell(f, fast):>22} {_ratio(r, f):>8}")
    print(
        f"{'peak MiB':<10} {ref['peak_bytes'] / 2**20:>22.0f} {fast['peak_bytes'] / 2**20:>22.0f}"
    )


def _pipeline(path: dict):
    keys = ["load", "validate", "reason", "queries"]
    if all(k in path["median"] for k in keys):
        return sum(path["median"][k] for k in keys)
    return None


def _done_queries(path: dict) -> float:
    return sum(v for k, v in path["median"].items() if k.startswith("cq"))


def _cell(value, path) -> str:
    if value is None:
        return f"> {path['limit']:.0f} s (timed out)" if path["timed_out"] else "failed"
    return f"{value:.3f}"


def _ratio(r, f) -> str:
    return f"{r / f:.1f}x" if r and f else "-"


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}, Python {python}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
