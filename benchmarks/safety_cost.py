"""What the safety layer costs: the audit hook and the worker process, against a baseline.

    .venv/bin/python benchmarks/safety_cost.py [repeats]

Each figure is the best of a few runs in a fresh subprocess (an audit hook,
once added, stays for the life of the process), so the ratios compare like with like.
"""

from __future__ import annotations

import subprocess
import sys
import time

WORK = """
import time
from zonekg import api
from zonekg.core.questions import questions
start = time.perf_counter()
for _ in range({repeats}):
    kg = api.load()
    for cq in questions():
        {run}
print(time.perf_counter() - start)
"""
IN_PROCESS = "api.query(kg, cq)"
IN_WORKER = "api.bounded(api.query, kg, cq, what='query')"


OPENS = """
import time
start = time.perf_counter()
for _ in range(20000):
    open("pyproject.toml").close()
print(time.perf_counter() - start)
"""


def measure_code(code: str) -> float:
    best = float("inf")
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best


def measure(setup: str, run: str, repeats: int) -> float:
    return measure_code(setup + WORK.format(repeats=repeats, run=run))


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    started = time.perf_counter()
    base = measure("", IN_PROCESS, repeats)
    guarded = measure("from zonekg.safety import guard; guard.install()\n", IN_PROCESS, repeats)
    worker = measure("", IN_WORKER, repeats)
    both = measure("from zonekg.safety import guard; guard.install()\n", IN_WORKER, repeats)
    print(f"load + every competency question, x{repeats} (best of 3 runs each)")
    print(f"  baseline (in process, no guard): {base:7.3f} s")
    print(f"  with the audit hook:             {guarded:7.3f} s  ratio {guarded / base:5.2f}")
    print(f"  each query in a worker:          {worker:7.3f} s  ratio {worker / base:5.2f}")
    print(f"  hook + worker (the CLI):         {both:7.3f} s  ratio {both / base:5.2f}")
    plain = measure_code(OPENS)
    hooked = measure_code("from zonekg.safety import guard; guard.install()\n" + OPENS)
    print("20000 open() calls of an allowed file")
    print(f"  baseline:                        {plain:7.3f} s")
    print(f"  with the audit hook:             {hooked:7.3f} s  ratio {hooked / plain:5.2f}")
    print(f"(benchmark took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
