"""Class H (medium): queries nested 50,000 levels deep, or a 200,000-step path, crashed the
worker (a stack overflow in the engine's recursive parser: SIGSEGV at ~60 MB), and the
message blamed the memory limit and said to raise --memory.

The screen now refuses them before any engine sees them (exit 2, with the position):
brackets nested deeper than ZONEKG_MAX_DEPTH, more than ZONEKG_MAX_CHAIN operators
chained at one level, more than ZONEKG_MAX_TERMS terms. A worker that does die is
reported as a crash, naming the signal, unless its memory came near the limit.
"""

from __future__ import annotations

import os
import signal

import pytest
from safety_support import flat, run_cli

from zonekg.core.errors import LimitError, QueryError
from zonekg.safety import limits
from zonekg.safety.screen import screen

N = 50_000
DEEP = {
    "groups": "SELECT * WHERE " + "{ " * N + "?s ?p ?o" + " }" * N,
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * N + "true" + ")" * N + ") }",
    "path-steps": "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 200_000) + " ?o }",
    "nested-path": "SELECT * WHERE { ?s " + "(" * N + "<http://e/p>" + ")" * N + " ?o }",
    "unions": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * N) + " }",
    "negations": "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * N + "true) }",
    "sums": "SELECT * WHERE { BIND(" + " + ".join(["STR(1)"] * N) + " AS ?x) }",
}


@pytest.mark.parametrize("engine", ["oxigraph", "reference"])
@pytest.mark.parametrize("name", ["groups", "path-steps"])
def test_the_cli_refuses_deep_queries_with_the_position(tmp_path, engine, name):
    query = tmp_path / f"{name}.rq"
    query.write_text(DEEP[name], encoding="utf-8")
    done = run_cli("query", str(query), "--engine", engine)
    assert done.returncode == 2, done.stdout + done.stderr[-500:]
    message = flat(done.stderr)
    assert "limit)" in message and "memory" not in message
    assert f"{name}:1:" in message  # the query, line and column of the first token past it


@pytest.mark.parametrize("name", sorted(DEEP))
def test_the_screen_refuses_each_shape_of_deep_query_at_its_first_token_past_the_limit(name):
    with pytest.raises(QueryError, match=r"\((nesting|chain) limit\)") as refused:
        screen(DEEP[name], "q")
    assert refused.value.line == 1 and 0 < refused.value.column < 10_000


def test_the_limits_are_what_the_environment_says(monkeypatch):
    text = "SELECT * WHERE " + "{ " * 40 + "?s ?p ?o" + " }" * 40
    with pytest.raises(QueryError, match="more than 32 levels"):
        screen(text)
    monkeypatch.setenv("ZONEKG_MAX_DEPTH", "64")
    assert screen(text).form == "SELECT"
    monkeypatch.setenv("ZONEKG_MAX_TERMS", "10")
    with pytest.raises(QueryError, match="more than 10 terms"):
        screen("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")


def test_chains_end_at_each_triple_and_brackets_keep_their_own():
    many = " . ".join(f"?s <http://e/p{i}> ?o{i}" for i in range(300))
    assert screen(f"SELECT * WHERE {{ {many} }}").form == "SELECT"
    alternatives = " || ".join(f"(?x = {i} && ?y = {i})" for i in range(100))
    assert screen(f"SELECT * WHERE {{ ?x ?p ?y FILTER({alternatives}) }}").form == "SELECT"
    with pytest.raises(QueryError, match="chain limit"):
        screen("SELECT * WHERE { ?s " + "/".join(["(<http://e/p>)"] * 300) + " ?o }")


def _segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_worker_that_crashes_is_reported_as_a_crash_not_as_memory():
    with pytest.raises(limits.WorkerCrash, match="SIGSEGV") as crashed:
        limits.bounded(_segfault, what="the work")
    assert "memory" not in str(crashed.value).replace("not for lack of memory", "")


def test_a_worker_that_runs_out_of_memory_is_still_the_memory_limit(monkeypatch):
    monkeypatch.setenv("ZONEKG_MEMORY_MB", "400")
    with pytest.raises(LimitError, match="memory limit"):
        limits.bounded(bytearray, 1024 * 1024 * 1024, what="allocation")


def test_a_crash_past_the_raised_limits_says_crash_in_the_cli(tmp_path):
    """With the limits raised out of the way, the engine's crash is named for what it is."""
    query = tmp_path / "deep.rq"
    query.write_text(DEEP["groups"], encoding="utf-8")
    raised = {"ZONEKG_MAX_DEPTH": "1000000", "ZONEKG_MAX_TERMS": "10000000"}
    done = run_cli("query", str(query), env=raised)
    message = flat(done.stderr)
    assert done.returncode == 3, done.stdout + message[-500:]
    assert "crashed" in message and "SIGSEGV" in message
    assert "--memory" not in message and "(memory limit)" not in message
