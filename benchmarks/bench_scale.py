"""Scale benchmark: the pipeline as users run it, beside the libraries it is built on.

Run by `make bench-scale`. For each size of generated data it measures, in one run:

* **as users run it**: `zonekg validate`, `zonekg reason -o`, `zonekg query --all` as three
  cold processes with the default engine and default limits (wall time, peak memory of
  each process), and `zonekg run` (the same work on one load);
* **in process**, through the API: load, validate, reason, the questions, export, per
  engine (the reference engine in its own process, stopped at a time limit);
* **baselines** on the same files: pyoxigraph parsing them (the floor for loading),
  pyrudof validating them with the project's shapes, `reasonable` computing the OWL-RL
  closure of ontology + data;

and, on the real graph, a cold `zonekg query cq01` against a cold `python -c "import
pyoxigraph"`. Figures are medians; ratios are against baselines of the same run, since
the machines are noisy. Writes build/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ZONEKG = str(BIN / "zonekg")
SIZES = [10_000, 100_000, 1_000_000]


# --- measuring processes -------------------------------------------------------------------


def timed(command: list[str], limit: float, env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Wall time and peak RSS of one process (and its children), stopped at *limit* seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    deadline = start + limit
    status = rusage = None
    while time.perf_counter() < deadline:
        pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.01)
    else:
        process.kill()
        _, status, rusage = os.wait4(process.pid, 0)
        return {"seconds": None, "peak_mib": rusage.ru_maxrss / 1024, "timed_out": True}
    elapsed = time.perf_counter() - start
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    ok = os.waitstatus_to_exitcode(status) in (0, 1)  # 1: the data fails a check, still done
    return {
        "seconds": elapsed if ok else None,
        # wait4's figure is the largest of the process and its waited-for workers
        "peak_mib": rusage.ru_maxrss / 1024,
        "timed_out": False,
        "error": None if ok else error[-800:],
    }


def median_run(command, limit, repeats, env=None) -> dict:
    runs = [timed(command, limit, env) for _ in range(repeats)]
    done = [r["seconds"] for r in runs if r["seconds"] is not None]
    return {
        "seconds": statistics.median(done) if len(done) == len(runs) else None,
        "peak_mib": max(r["peak_mib"] for r in runs),
        "timed_out": any(r["timed_out"] for r in runs),
        "error": next((r.get("error") for r in runs if r.get("error")), None),
        "limit": limit,
    }


def python_step(code: str, limit: float, repeats: int = 1) -> dict:
    return median_run([sys.executable, "-c", code], limit, repeats)


# --- the measurements -----------------------------------------------------------------------


def user_commands(data: Path, out: Path, limit: float, repeats: int) -> dict:
    """What a user runs, cold, with every default: three commands, and `zonekg run`."""
    cache = out / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"ZONEKG_CACHE": str(cache)}  # a fresh cache per size: the first command fills it
    steps = {}
    for name, command in (
        ("validate", [ZONEKG, "validate", "--data", str(data)]),
        ("reason -o", [ZONEKG, "reason", "--data", str(data), "-o", str(out / "inferred.ttl")]),
        ("query --all", [ZONEKG, "query", "--all", "--data", str(data), "--format", "csv"]),
    ):
        steps[name] = median_run(command, limit, 1, env)
    shutil.rmtree(cache, ignore_errors=True)
    steps["run (one load)"] = median_run(
        [ZONEKG, "run", "--data", str(data), "-o", str(out / "inferred-run.ttl")], limit, 1, env
    )
    for step in steps.values():
        step["repeats"] = 1
    done = [steps[k]["seconds"] for k in ("validate", "reason -o", "query --all")]
    steps["three commands"] = {
        "seconds": sum(done) if None not in done else None,
        "peak_mib": max(steps[k]["peak_mib"] for k in ("validate", "reason -o", "query --all")),
        "timed_out": any(steps[k]["timed_out"] for k in ("validate", "reason -o", "query --all")),
        "limit": limit,
    }
    return steps


IN_PROCESS = """
import json, sys, time, resource
from pathlib import Path
from zonekg import api
from zonekg.core.questions import questions
data, engine, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
times = {}
def emit():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("STEP " + json.dumps({"times": times, "peak_mib": peak}), flush=True)
def step(name, work):
    t = time.perf_counter()
    value = work()
    times[name] = time.perf_counter() - t
    emit()
    return value
kg = step("load", lambda: api.load([data], engine=engine))
step("validate", lambda: api.validate(kg))
step("reason", lambda: kg.engine.reason(kg.loaded, cap=10**9))
step("export", lambda: api.export(kg, "ntriples", output=out / f"{engine}.nt"))
t = time.perf_counter()
for cq in questions():
    s = time.perf_counter(); api.query(kg, cq); times[cq.number] = time.perf_counter() - s
times["questions"] = time.perf_counter() - t; emit()
"""


def in_process(data: Path, engine: str, out: Path, limit: float) -> dict:
    """Each step through the API, in one process of its own; partial figures if stopped."""
    command = [sys.executable, "-c", IN_PROCESS, str(data), engine, str(out)]
    env = {**os.environ, "ZONEKG_CACHE": str(out / "no-cache")}
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
    last = {"times": {}, "peak_mib": 0.0}
    for line in stdout.splitlines():
        if line.startswith("STEP "):
            last = json.loads(line[5:])
    if process.returncode not in (0, None) and not timed_out:
        print(stderr[-1500:], file=sys.stderr)
    last["timed_out"] = timed_out
    last["limit"] = limit
    return last


def baselines(data: Path, shapes: Path, ontology: Path, limit: float) -> dict:
    files = sorted(str(p) for p in data.iterdir() if p.suffix in (".ttl", ".trig", ".nq"))
    assert files, f"no data files in {data}"
    parse = (
        "import pyoxigraph as ox\n"
        "formats = {'.ttl': ox.RdfFormat.TURTLE, '.trig': ox.RdfFormat.TRIG, "
        "'.nq': ox.RdfFormat.N_QUADS}\n"
        f"for f in {files!r}:\n"
        "    for _ in ox.parse(path=f, format=formats[f[f.rfind('.'):]]): pass\n"
    )
    rudof = (
        "import pyrudof\nfrom pathlib import Path\n"
        "r = pyrudof.Rudof(pyrudof.RudofConfig())\n"
        "formats = {'.ttl': pyrudof.RDFFormat.Turtle, '.trig': pyrudof.RDFFormat.TriG, "
        "'.nq': pyrudof.RDFFormat.NQuads}\n"
        f"for i, f in enumerate([{str(ontology)!r}, *{files!r}]):\n"
        "    r.read_data(Path(f), format=formats[f[f.rfind('.'):]], "
        "reader_mode=pyrudof.ReaderMode.Strict, merge=i > 0)\n"
        f"r.read_shacl(Path({str(shapes)!r}).read_text())\n"
        "r.validate_shacl()\n"
    )
    triples = _as_triples(files, data.parent / f"{data.name}-triples")  # reasonable reads .ttl only
    reasonable = (
        "import reasonable\n"
        "r = reasonable.PyReasoner()\n"
        f"for f in [{str(ontology)!r}, *{triples!r}]:\n"
        "    r.load_file(f)\n"
        "r.reason()\n"
    )
    return {
        "pyoxigraph parse": python_step(parse, limit),
        "pyrudof validate": python_step(rudof, limit),
        "reasonable closure": python_step(reasonable, limit),
    }


def _as_triples(files: list[str], folder: Path) -> list[str]:
    """The same statements as N-Triples in .ttl files (graph names dropped), made untimed."""
    import pyoxigraph as ox

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        target = folder / (Path(f).stem + ".ttl")
        fmt = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG}.get(
            Path(f).suffix, ox.RdfFormat.N_QUADS
        )
        triples = {q.triple for q in ox.parse(path=f, format=fmt)}
        ox.serialize(triples, output=str(target), format=ox.RdfFormat.N_TRIPLES)
        out.append(str(target))
    return out


def cold_start(repeats: int) -> dict:
    return {
        "zonekg query cq01": median_run([ZONEKG, "query", "cq01"], 60, repeats),
        "python -c 'import pyoxigraph'": python_step("import pyoxigraph", 60, repeats),
        "zonekg --help": median_run([ZONEKG, "--help"], 60, repeats),
    }


# --- the report -------------------------------------------------------------------------------


def _s(step: dict | None) -> str:
    if step is None:
        return "-"
    if step.get("seconds") is None:
        return f"> {step['limit']:.0f} (stopped)" if step.get("timed_out") else "failed"
    return f"{step['seconds']:.2f}"


def _ratio(a: dict, b: dict) -> str:
    if a.get("seconds") and b.get("seconds"):
        return f"{a['seconds'] / b['seconds']:.1f}x"
    return "-"


def print_size(entry: dict) -> None:
    print(
        f"\n## {entry['triples']:,} generated triples ({entry['bytes'] / 2**20:.0f} MiB of Turtle)"
    )
    print("\nAs users run it (cold processes, default engine and limits), seconds / peak MiB:")
    for name, step in entry["user"].items():
        print(f"  {name:<16} {_s(step):>16}  {step['peak_mib']:>7.0f} MiB")
    floor = entry["baselines"]["pyoxigraph parse"]
    print("\nBaselines on the same files (own processes), seconds / peak MiB:")
    for name, step in entry["baselines"].items():
        print(f"  {name:<20} {_s(step):>16}  {step['peak_mib']:>7.0f} MiB")
    three = entry["user"]["three commands"]
    print(f"  three commands / pyoxigraph parse: {_ratio(three, floor)}")
    user, base = entry["user"], entry["baselines"]
    print(f"  zonekg validate / pyrudof: {_ratio(user['validate'], base['pyrudof validate'])}")
    print(
        f"  zonekg reason -o / reasonable: {_ratio(user['reason -o'], base['reasonable closure'])}"
    )
    print("\nIn process through the API, seconds:")
    steps = ["load", "validate", "reason", "export", "questions"]
    print(f"  {'engine':<10}" + "".join(f"{s:>11}" for s in steps) + f"{'peak MiB':>10}")
    for engine, run in entry["in_process"].items():
        cells = []
        for s in steps:
            value = run["times"].get(s)
            cells.append(
                f"{value:>11.2f}"
                if value is not None
                else f"{'stopped' if run['timed_out'] else '-':>11}"
            )
        print(f"  {engine:<10}" + "".join(cells) + f"{run['peak_mib']:>10.0f}")


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
    system = f"{platform.platform()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES)
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per user command")
    parser.add_argument("--reference-limit", type=float, default=150.0)
    parser.add_argument("--repeats", type=int, default=5, help="runs of the cold-start figures")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from zonekg.core import paths
    from zonekg.publish.generate import generate

    build = ROOT / "build" / "bench"
    build.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "sizes": [], "cold_start": cold_start(args.repeats)}
    print(f"# make bench-scale — {report['machine']}\n")
    print(f"Cold start on the real graph (median of {args.repeats}), seconds:")
    for name, step in report["cold_start"].items():
        print(f"  {name:<32} {_s(step):>8}")
    for size in args.sizes:
        data = build / f"data-{size}"
        shutil.rmtree(data, ignore_errors=True)  # the bench's own folder, made afresh each run
        made = generate(size, data, seed=1)
        out = Path(tempfile.mkdtemp(prefix=f"out-{size}-", dir=build))
        entry = {
            "triples": made.triples,
            "bytes": sum(p.stat().st_size for p in data.glob("*.nq")),
            "user": user_commands(data, out, args.limit, 1),
            "baselines": baselines(data, paths.SHAPES, paths.ONTOLOGY, args.limit),
            "in_process": {
                "oxigraph": in_process(data, "oxigraph", out, args.limit),
                "reference": in_process(data, "reference", out, args.reference_limit),
            },
        }
        shutil.rmtree(out, ignore_errors=True)
        report["sizes"].append(entry)
        print_size(entry)
    (ROOT / "build" / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\nJSON: build/bench.json")


if __name__ == "__main__":
    main()
