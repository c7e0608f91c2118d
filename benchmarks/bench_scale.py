"""Scale benchmark: the pipeline as users run it, beside the libraries it is built on.

Run by `make bench-scale` (100k and 1M triples; `--sizes 10k,100k` for a quick run). For
each size of generated data it measures, in one run:

* **as users run it**: `zonekg validate`, `zonekg reason -o`, `zonekg query --all` (default
  table output, every row since stdout is not a terminal) as three cold processes with the
  default engine and limits (wall time, peak memory of each process); the same questions
  as CSV, in memory as the table run was (what the table costs); then a later `zonekg query
  cq01 --data D` on the unchanged data, run twice (the second is the later command a user
  runs); and `zonekg run` (the same work on one load);
* **in process**, through the API: load, validate, reason, the questions, export, per
  engine (the reference engine in its own process, stopped at a time limit), and the
  questions on an on-disk store reopened (beside the same questions in memory): the store
  is built with the graphs the questions read derived in it (validated, reasoned, one
  question asked), as the in-memory load had them, so that only the questions are compared;
* **baselines** on the same files: a pyoxigraph in-memory store bulk-loading them (the
  floor), pyoxigraph parsing them, pyrudof validating them with the project's shapes,
  `reasonable` computing the OWL-RL closure of ontology + data;

and, on the real graph, a cold `zonekg query cq01` beside a cold `python -c pass`. Every
figure the issue sets a target for (issue 19) is printed at the end against it, PASS or
MISS. Figures are medians; ratios are against baselines of the same run, since the
machines are noisy. Writes build/bench.json.
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
SIZES = [100_000, 1_000_000]
GIB = 1024.0  # MiB


# --- measuring processes -------------------------------------------------------------------


def timed(
    command: list[str],
    limit: float,
    env: dict | None = None,
    cwd: Path = ROOT,
    done_codes: tuple[int, ...] = (0, 1),
) -> dict:
    """Wall time and peak RSS of one process (and its children), stopped at *limit* seconds;
    an exit code outside *done_codes* is a failure (no time)."""
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
    # zonekg exits 1 when the data fails a check: still done
    ok = os.waitstatus_to_exitcode(status) in done_codes
    return {
        "seconds": elapsed if ok else None,
        # wait4's figure is the largest of the process and its waited-for workers
        "peak_mib": rusage.ru_maxrss / 1024,
        "timed_out": False,
        "error": None if ok else error[-800:],
    }


def median_run(command, limit, repeats, env=None, done_codes=(0, 1)) -> dict:
    runs = [timed(command, limit, env, done_codes=done_codes) for _ in range(repeats)]
    done = [r["seconds"] for r in runs if r["seconds"] is not None]
    return {
        "seconds": statistics.median(done) if len(done) == len(runs) else None,
        "peak_mib": max(r["peak_mib"] for r in runs),
        "timed_out": any(r["timed_out"] for r in runs),
        "error": next((r.get("error") for r in runs if r.get("error")), None),
        "limit": limit,
    }


def python_step(code: str, limit: float, repeats: int = 1) -> dict:
    """A baseline in its own process; it failed (a library missing: an exception) unless it
    exits 0."""
    found = median_run([sys.executable, "-c", code], limit, repeats, done_codes=(0,))
    if found.get("error"):
        print(f"a baseline failed: {found['error'].strip().splitlines()[-1]}", file=sys.stderr)
    return found


# --- the measurements -----------------------------------------------------------------------


THREE = ("validate", "reason -o", "query --all")


def keepers_done(cache: Path, limit: float) -> float:
    """Wait until no keeper holds a request in *cache* (each holds its request file locked
    while it works): the seconds waited."""
    import fcntl

    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        busy = False
        for request in (cache / "stores").glob(".keep-*"):
            try:
                fd = os.open(request, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = True
            finally:
                os.close(fd)
        if not busy:
            break
        time.sleep(0.1)
    return time.perf_counter() - start


def user_commands(data: Path, out: Path, limit: float, repeats: int) -> dict:
    """What a user runs, cold, with every default: three commands, the questions as CSV, a
    later query on the same data (twice), and `zonekg run`."""
    cache = out / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"ZONEKG_CACHE": str(cache)}  # a fresh cache per size: the first command fills it
    d = ["--data", str(data)]
    steps = {}
    for name, command in (
        ("validate", [ZONEKG, "validate", *d]),
        ("reason -o", [ZONEKG, "reason", *d, "-o", str(out / "inferred.ttl")]),
        ("query --all", [ZONEKG, "query", "--all", *d]),
        ("query --all (csv)", [ZONEKG, "query", "--all", *d, "--format", "csv"]),
        ("query cq01 (first)", [ZONEKG, "query", "cq01", *d]),
        ("query cq01 (later)", [ZONEKG, "query", "cq01", *d]),
    ):
        # the CSV run in memory, as the table run before it (a kept store is opened for many
        # questions only once the keeper has made it whole): so that it tells the table's cost
        alone = {**env, "ZONEKG_CACHE_STORES_MB": "0"} if name.endswith("(csv)") else env
        steps[name] = median_run(command, limit, 1, alone)
    # the keeper the first command started (api/keeping.py) ends before anything else is timed
    waited = keepers_done(cache, limit)
    steps["keeper still at work"] = {"seconds": waited, "peak_mib": 0.0, "timed_out": False}
    shutil.rmtree(cache, ignore_errors=True)
    steps["run (one load)"] = median_run(
        [ZONEKG, "run", *d, "-o", str(out / "inferred-run.ttl")], limit, 1, env
    )
    keepers_done(cache, limit)
    shutil.rmtree(cache, ignore_errors=True)
    for step in steps.values():
        step["repeats"] = 1
    done = [steps[k]["seconds"] for k in THREE]
    steps["three commands"] = {
        "seconds": sum(done) if None not in done else None,
        "peak_mib": max(steps[k]["peak_mib"] for k in THREE),
        "timed_out": any(steps[k]["timed_out"] for k in THREE),
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
# the engine itself, not the cache; given what the pipeline gives it (engines.base)
from zonekg import engines
closer = None if kg.engine.closes_schema else engines.get(kg.engine.fallback).close_schema
step("reason", lambda: kg.engine.reason(kg.loaded, cap=10**9, close_schema=closer))
step("export", lambda: api.export(kg, "ntriples", output=out / f"{engine}.nt"))
t = time.perf_counter()
for cq in questions():
    s = time.perf_counter(); api.query(kg, cq); times[cq.number] = time.perf_counter() - s
times["questions"] = time.perf_counter() - t; emit()
if engine == "oxigraph":  # the same questions on an on-disk store, built then reopened
    del kg
    def build():  # with the graphs the questions read derived in it, as in memory above
        built = api.load([data], engine=engine, store=out / "store")
        api.validate(built)
        api.reason(built)
        api.query(built, questions()[0])
    step("store built", build)
    kg = step("store reopened", lambda: api.load([data], engine=engine, store=out / "store"))
    t = time.perf_counter()
    for cq in questions():
        api.query(kg, cq)
    times["questions (store)"] = time.perf_counter() - t; emit()
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
    bulk_load = (
        "import pyoxigraph as ox\n"
        "formats = {'.ttl': ox.RdfFormat.TURTLE, '.trig': ox.RdfFormat.TRIG, "
        "'.nq': ox.RdfFormat.N_QUADS}\n"
        "store = ox.Store()\n"
        f"for f in {files!r}:\n"
        "    store.bulk_load(path=f, format=formats[f[f.rfind('.'):]])\n"
        "assert len(store)\n"
    )
    return {
        # the floor every ratio divides by: the median of three (one run of 0.3 s varied
        # from 0.27 to 0.48 s between two runs of the benchmark)
        "pyoxigraph bulk_load": python_step(bulk_load, limit, repeats=3),
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
        "python -c pass": python_step("pass", 60, repeats),
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


def ratio(a: dict | None, b: dict | None) -> float | None:
    """*a*'s time over *b*'s, or None where either is missing (stopped, failed, not run)."""
    if a and b and a.get("seconds") and b.get("seconds"):
        return a["seconds"] / b["seconds"]
    return None


def _ratio(a: dict, b: dict) -> str:
    found = ratio(a, b)
    return "-" if found is None else f"{found:.1f}x"


def verdict(figure: float | None, target: float) -> str:
    """PASS where *figure* is at most *target*, MISS where above, n/a where not measured."""
    if figure is None:
        return "n/a"
    return "PASS" if figure <= target else "MISS"


def targets(report: dict) -> list[dict]:
    """Every figure issue 19 sets a target for, in this run: what, figure, target, unit."""
    found = []

    def add(what: str, figure: float | None, target: float, unit: str = "x") -> None:
        found.append({"what": what, "figure": figure, "target": target, "unit": unit})

    for entry in report["sizes"]:
        size = _size_name(entry["size"])
        user, base = entry["user"], entry["baselines"]
        floor = base["pyoxigraph bulk_load"]
        add(
            f"{size}: validate + reason -o + query --all / floor",
            ratio(user["three commands"], floor),
            10,
        )
        three = user["three commands"]
        # a command stopped by a limit peaked before its end: no figure
        peak = three["peak_mib"] / GIB if three.get("seconds") is not None else None
        add(f"{size}: peak memory of the three commands", peak, 2, "GiB")
        add(
            f"{size}: later query cq01 --data D / floor",
            ratio(user["query cq01 (later)"], floor),
            0.5,
        )
        times = entry["in_process"].get("oxigraph", {}).get("times", {})
        on_store, in_memory = times.get("questions (store)"), times.get("questions")
        add(
            f"{size}: questions on the reopened store / in memory",
            on_store / in_memory if on_store and in_memory else None,
            1.5,
        )
        add(
            f"{size}: reason -o / reasonable",
            ratio(user["reason -o"], base["reasonable closure"]),
            1,
        )
        add(f"{size}: validate / pyrudof", ratio(user["validate"], base["pyrudof validate"]), 0.5)
    cold = report["cold_start"]["zonekg query cq01"]
    add("real graph: cold zonekg query cq01", cold.get("seconds"), 0.15, "s")
    return found


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if unit == "x" else f"{value:.2f} {unit}"


def print_targets(report: dict) -> None:
    print("\n## Against the targets of issue 19\n")
    for t in targets(report):
        figure = _figure(t["figure"], t["unit"])
        target = _figure(t["target"], t["unit"])
        print(f"  {t['what']:<58} {figure:>10}  <= {target:<8} {verdict(t['figure'], t['target'])}")
    baseline = report["cold_start"]["python -c pass"]
    print(f"  (a cold `python -c pass` beside it: {_s(baseline)} s)")


def _size_name(size: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)


def parse_sizes(given: list[str]) -> list[int]:
    """``10k,100k 1M`` → [10000, 100000, 1000000] (commas or spaces, k and M suffixes)."""
    sizes = []
    for word in ",".join(given).split(","):
        word = word.strip().replace("_", "")
        if not word:
            continue
        factor = {"k": 1_000, "m": 1_000_000}.get(word[-1].lower(), 1)
        number = word[:-1] if factor > 1 else word
        if not number.isdigit() or int(number) <= 0:
            raise argparse.ArgumentTypeError(f"not a size: {word!r} (e.g. 10k, 100000, 1M)")
        sizes.append(int(number) * factor)
    if not sizes:
        raise argparse.ArgumentTypeError("no size given")
    return sizes


def print_size(entry: dict) -> None:
    print(
        f"\n## {entry['triples']:,} generated triples ({entry['bytes'] / 2**20:.0f} MiB of Turtle)"
    )
    print("\nAs users run it (cold processes, default engine and limits), seconds / peak MiB:")
    for name, step in entry["user"].items():
        print(f"  {name:<20} {_s(step):>16}  {step['peak_mib']:>7.0f} MiB")
        if step.get("error"):  # e.g. the default time limit on a loaded machine
            print(f"    {step['error'].strip().splitlines()[0]}")
    user, base = entry["user"], entry["baselines"]
    print(f"  query --all, table / csv: {_ratio(user['query --all'], user['query --all (csv)'])}")
    floor = base["pyoxigraph bulk_load"]
    print("\nBaselines on the same files (own processes), seconds / peak MiB:")
    for name, step in base.items():
        print(f"  {name:<20} {_s(step):>16}  {step['peak_mib']:>7.0f} MiB")
    print(f"  three commands / bulk_load: {_ratio(user['three commands'], floor)}")
    print(f"  zonekg validate / pyrudof: {_ratio(user['validate'], base['pyrudof validate'])}")
    print(
        f"  zonekg reason -o / reasonable: {_ratio(user['reason -o'], base['reasonable closure'])}"
    )
    print("\nIn process through the API, seconds:")
    steps = [
        "load",
        "validate",
        "reason",
        "export",
        "questions",
        "store built",
        "store reopened",
        "questions (store)",
    ]
    print(f"  {'engine':<10}" + "".join(f"{s[:11]:>12}" for s in steps) + f"{'peak MiB':>10}")
    for engine, run in entry["in_process"].items():
        cells = []
        for s in steps:
            value = run["times"].get(s)
            cells.append(
                f"{value:>12.2f}"
                if value is not None
                else f"{'stopped' if run['timed_out'] else '-':>12}"
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
    parser.add_argument(
        "--sizes",
        nargs="*",
        default=[",".join(map(str, SIZES))],
        help="triples to generate, e.g. 10k,100k (default: 100k,1M)",
    )
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per user command")
    parser.add_argument(
        "--reference-limit",
        type=float,
        default=150.0,
        help="seconds (0: skip the reference engine)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs of the cold-start figures")
    args = parser.parse_args()
    try:
        sizes = parse_sizes(args.sizes)
    except argparse.ArgumentTypeError as e:
        parser.error(str(e))

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
    for size in sizes:
        data = build / f"data-{size}"
        shutil.rmtree(data, ignore_errors=True)  # the bench's own folder, made afresh each run
        made = generate(size, data, seed=1)
        out = Path(tempfile.mkdtemp(prefix=f"out-{size}-", dir=build))
        entry = {
            "size": size,
            "triples": made.triples,
            "bytes": sum(p.stat().st_size for p in data.glob("*.nq")),
            "user": user_commands(data, out, args.limit, 1),
            "baselines": baselines(data, paths.SHAPES, paths.ONTOLOGY, args.limit),
            "in_process": {"oxigraph": in_process(data, "oxigraph", out, args.limit)},
        }
        if args.reference_limit > 0:
            entry["in_process"]["reference"] = in_process(
                data, "reference", out, args.reference_limit
            )
        shutil.rmtree(out, ignore_errors=True)
        report["sizes"].append(entry)
        print_size(entry)
    report["targets"] = targets(report)
    print_targets(report)
    (ROOT / "build" / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\nJSON: build/bench.json")


if __name__ == "__main__":
    main()
