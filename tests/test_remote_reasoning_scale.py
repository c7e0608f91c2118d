"""Reasoning inside real triplestores at scale: 100k triples from `zonekg generate`, pushed
to an Oxigraph server and to Virtuoso 7, reasoned over there; the closure and every question
equal the embedded ones. Apart from test_remote_reasoning so that both run side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_reasoning_support import (
    PASSWORD,
    USER,
    Store,
    closure_as_embedded,
    every_question_as_embedded,
    run_zonekg,
)
from remote_support import VIRTUOSO_DIFFERS, BasicAuthProxy, oxigraph_server, virtuoso_server

from zonekg import api
from zonekg.core.namespaces import INFERRED_GRAPH

# Slow: real servers, 100k triples pushed and reasoned over twice.
pytestmark = pytest.mark.slow

TRIPLES = 100_000
#: The time limit of each command: a push and a reasoning of 100k triples take about a
#: minute each on a 2-core machine shared with other work.
SLOW_MACHINE = {"ZONEKG_TIMEOUT": "900"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("generated") / "data"
    done = run_zonekg("generate", "--triples", str(TRIPLES), "-o", str(folder))
    assert done.returncode == 0, done.stderr
    files = sorted(folder.glob("*.nq"))
    assert files, "zonekg generate wrote no data"
    return [folder]


def reasoned_at_scale(store: Store, data: list[Path]) -> None:
    pushed = run_zonekg(
        "push", "--endpoint", store.graph_store, f"--data={data[0]}",
        env={**store.credentials, **SLOW_MACHINE},
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    done = store.reason(env=SLOW_MACHINE)
    assert done.returncode == 0, done.stderr
    size = closure_as_embedded(store, data)
    assert size > TRIPLES // 4
    assert f"{size} inferred triples in <{INFERRED_GRAPH}>" in done.stderr
    assert store.working_graphs() == 0
    # the slowest questions take 20-26 s through the Oxigraph server at this size on a quiet
    # machine (cq28, cq29; cq26 took 242 s before its GRAPH patterns became sub-selects): under
    # the suite's load they get the commands' time limit too
    every_question_as_embedded(store, data, api.Limits(timeout=int(SLOW_MACHINE["ZONEKG_TIMEOUT"])))


def test_oxigraph_reasons_over_100k_generated_triples_as_embedded(tmp_path, generated):
    with oxigraph_server(tmp_path) as base, BasicAuthProxy(base, USER, PASSWORD) as proxy:
        store = Store(
            proxy.url + "/query", proxy.url + "/update", proxy.url + "/store", USER, PASSWORD
        )
        reasoned_at_scale(store, generated)


def test_virtuoso_reasons_over_100k_generated_triples_as_embedded(tmp_path, generated):
    with virtuoso_server(tmp_path) as (base, user, password):
        store = Store(
            base + "/sparql", base + "/sparql-auth", base + "/sparql-graph-crud-auth",
            user, password, differs=VIRTUOSO_DIFFERS,
        )  # fmt: skip
        reasoned_at_scale(store, generated)
