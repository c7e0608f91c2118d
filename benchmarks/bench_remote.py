"""Remote benchmark: the pipeline inside a Virtuoso 7 store, beside the same work embedded.

Run by `make bench-remote` (1M triples; `--size 100k` for a quick run; not part of make
test). It generates the data (`zonekg generate`, seed 1), starts Debian's Virtuoso 7 on
127.0.0.1 with a throw-away database (as `tests/test_remote.py` does, with more buffers),
and times, each as a cold process with the default limits but the time limit (raised: the
store's checks take long), the wall time and peak memory of the client:

* `zonekg push --endpoint` (the data and the derived graphs, no closure);
* `zonekg validate --endpoint` (the shapes run inside the store);
* `zonekg reason --endpoint --update-endpoint` (the closure made inside the store);
* `zonekg query --all --endpoint --format csv`;

then the store's resident memory, and each question's rows against the embedded `zonekg
query --all --format csv` on the same files (the questions Virtuoso 7.2 is known to answer
otherwise, `tests/remote_support.VIRTUOSO_DIFFERS`, are named apart). Past one process
(10M: `--size 10M --no-embedded --memory-mb 20000 --buffers 600000`) only the store's steps
run, and the rows of each answer are counted. Writes build/bench-remote.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ZONEKG = str(BIN / "zonekg")
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import remote_support  # noqa: E402
from bench_scale import parse_sizes  # noqa: E402

#: Virtuoso's page buffers (8 KiB each): about 3 GiB, for a million triples and their closure.
BUFFERS = 400_000
#: The bytes one transaction may log (Virtuoso's default, 50 MB, refused reasoning's first
#: round at 10M triples with SR325); below 2**31.
LOGGED_BYTES = 2_000_000_000


def timed(command: list[str], env: dict, out: Path) -> dict:
    """Run *command* (stdout to *out*): wall seconds, the client's peak memory, exit code,
    and the last lines it wrote to stderr."""
    start = time.perf_counter()
    with out.open("wb") as stdout:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "peak %M KB", *command],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
        )
    seconds = time.perf_counter() - start
    err = done.stderr.decode("utf-8", "replace").splitlines()
    peaks = [int(m.group(1)) for line in err if (m := re.fullmatch(r"peak (\d+) KB", line))]
    return {
        "seconds": round(seconds, 1),
        "client_peak_mib": round(peaks[-1] / 1024, 1) if peaks else None,
        "exit": done.returncode,
        "said": [line for line in err if not line.startswith("peak ")][-3:],
    }


def bench_ini(ini: str, buffers: int = BUFFERS) -> str:
    """The tests' Virtuoso settings with more page buffers, a larger bound on what one
    transaction logs and no limit on a query's time; a line the tests no longer write as
    expected stops the bench (else it would run with the tests' small settings, silently)."""
    for old, new in (
        ("NumberOfBuffers = 20000", f"NumberOfBuffers = {buffers}"),
        ("MaxDirtyBuffers = 15000", f"MaxDirtyBuffers = {buffers * 3 // 4}"),
        (
            "ThreadsPerQuery = 2",
            f"ThreadsPerQuery = 2\nTransactionAfterImageLimit = {LOGGED_BYTES}",
        ),
        ("MaxQueryExecutionTime = 300", ""),
    ):
        if ini.count(old) != 1:
            raise SystemExit(f"bench-remote: tests/remote_support.py's ini has no {old!r} line")
        ini = ini.replace(old, new)
    return ini


def resident_mib(name: str) -> float:
    """The resident memory of the processes called *name* (MiB)."""
    found = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    total = 0
    for pid in found.split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def answers(text: str) -> dict[str, list[str]]:
    """Each question's block of `query --all --format csv` (its heading and rows), sorted."""
    blocks = re.split(r"\n\n(?=cq\d\d)", "\n" + text)
    found = {}
    for block in blocks:
        block = block.strip("\n")
        named = re.match(r"(cq\d\d[\w-]*):", block)
        if named:
            found[named.group(1)] = sorted(block.splitlines())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="triples to generate (default 1M)")
    parser.add_argument("--timeout", type=int, default=36_000, help="each command's limit, s")
    parser.add_argument("--buffers", type=int, default=BUFFERS, help="Virtuoso's page buffers")
    parser.add_argument(
        "--memory-mb", type=int, help="each command's memory limit (ZONEKG_MEMORY_MB)"
    )
    parser.add_argument(
        "--no-embedded",
        action="store_true",
        help="only the store's steps (past one process's memory, e.g. 10M)",
    )
    args = parser.parse_args()
    try:
        (size,) = parse_sizes([args.size])
    except (argparse.ArgumentTypeError, ValueError):
        parser.error(f"one size, e.g. 100k or 1M, not {args.size!r}")
    from zonekg.publish.generate import generate

    build = ROOT / "build" / "bench"
    build.mkdir(parents=True, exist_ok=True)
    data = build / f"remote-data-{size}"
    shutil.rmtree(data, ignore_errors=True)  # the bench's own folder, made afresh each run
    made = generate(size, data, seed=1)
    work = Path(tempfile.mkdtemp(prefix=f"remote-{size}-", dir=build))
    limits = {"ZONEKG_TIMEOUT": str(args.timeout), "ZONEKG_CACHE": str(work / "cache")}
    if args.memory_mb:
        limits["ZONEKG_MEMORY_MB"] = str(args.memory_mb)
    remote_support.VIRTUOSO_INI = bench_ini(remote_support.VIRTUOSO_INI, args.buffers)
    report = {"triples": made.triples, "steps": {}}
    print(f"# make bench-remote: {made.triples:,} generated triples, Virtuoso 7\n")
    alone = {**os.environ, **limits, "ZONEKG_CACHE_STORES_MB": "0"}  # in memory, nothing kept
    embedded = {
        name: timed([ZONEKG, *command, "--data", str(data)], alone, work / out)
        for name, command, out in (
            ("validate", ["validate"], "embedded-validate.out"),
            ("reason", ["reason", "-o", str(work / "inferred.nt")], "embedded-reason.out"),
            ("query --all", ["query", "--all", "--format", "csv"], "embedded.csv"),
        )
        if not args.no_embedded
    }
    (work / "virtuoso").mkdir()
    with remote_support.virtuoso_server(work / "virtuoso") as (base, user, password):
        env = {**os.environ, **limits, "ZONEKG_USER": user, "ZONEKG_PASSWORD": password}
        query, update = base + "/sparql", base + "/sparql-auth"
        for name, command in (
            ("push", ["push", "--endpoint", base + "/sparql-graph-crud-auth", "--data", str(data)]),
            ("validate", ["validate", "--endpoint", query]),
            ("reason", ["reason", "--endpoint", query, "--update-endpoint", update]),
            ("query --all", ["query", "--all", "--endpoint", query, "--format", "csv"]),
        ):
            step = timed([ZONEKG, *command], env, work / f"{name.replace(' ', '-')}.out")
            step["store_mib"] = resident_mib("virtuoso-t")
            report["steps"][name] = step
            beside = embedded.get(name)
            print(
                f"{name:<12} {step['seconds']:>8.1f} s  client {step['client_peak_mib']} MiB  "
                f"store {step['store_mib']} MiB  exit {step['exit']}"
                + (f"  (embedded {beside['seconds']} s)" if beside else "")
            )
            for line in step["said"]:
                print(f"{'':<14}{line[:150]}")
    there = answers((work / "query---all.out").read_text(encoding="utf-8"))
    report["embedded"] = embedded
    if embedded:
        here = answers((work / "embedded.csv").read_text(encoding="utf-8"))
        same = sorted(name for name in here if here[name] == there.get(name))
        differ = sorted(set(here) - set(same))
        known = {name for name in differ if name in remote_support.VIRTUOSO_DIFFERS}
        report["answers"] = {"same": same, "differ": differ, "known": sorted(known)}
        print(f"\nanswers as embedded: {len(same)} of {len(here)}; differ: {differ or 'none'}")
        print(f"(of those, known to differ on Virtuoso 7.2: {sorted(known) or 'none'})")
    else:  # nothing to compare with: each question's rows (less its name and header line)
        report["answers"] = {"rows": {name: len(block) - 2 for name, block in there.items()}}
        print(f"\nquestions the store answered: {len(there)} (no embedded run to compare with)")
    (ROOT / "build" / "bench-remote.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nJSON: build/bench-remote.json")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
