"""`make bench-remote` runs Virtuoso with the tests' settings but more page buffers and no
limit on a query's time: those lines are found in the tests' settings, or it stops."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import remote_support

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_remote.py"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH.parent))  # it reads bench_scale's size parser
    spec = importlib.util.spec_from_file_location("bench_remote", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_raises_the_buffers_and_lifts_the_time_limit_of_the_tests_store(bench):
    ini = bench.bench_ini(remote_support.VIRTUOSO_INI)
    assert f"NumberOfBuffers = {bench.BUFFERS}\n" in ini
    assert f"MaxDirtyBuffers = {bench.BUFFERS * 3 // 4}\n" in ini
    assert "MaxQueryExecutionTime" not in ini
    assert "NumberOfBuffers = 20000" in remote_support.VIRTUOSO_INI  # the tests' own, untouched


def test_the_bench_lets_one_transaction_log_more_in_parameters(bench):
    """At 10M, Virtuoso's default bound (50 MB) refused reasoning's first round (SR325)."""
    ini = bench.bench_ini(remote_support.VIRTUOSO_INI, buffers=600_000)
    parameters = ini.split("[Parameters]")[1].split("\n[")[0]
    assert f"\nTransactionAfterImageLimit = {bench.LOGGED_BYTES}\n" in parameters
    assert bench.LOGGED_BYTES < 2**31
    assert "NumberOfBuffers = 600000\n" in parameters
    assert "TransactionAfterImageLimit" not in remote_support.VIRTUOSO_INI


def test_settings_written_otherwise_stop_the_bench(bench):
    changed = remote_support.VIRTUOSO_INI.replace("NumberOfBuffers = 20000", "NumberOfBuffers=2")
    with pytest.raises(SystemExit, match="NumberOfBuffers = 20000"):
        bench.bench_ini(changed)
