"""Reasoning in a real store, as the tests of test_remote_reasoning*.py check it: the
store's addresses and credentials, and the comparisons with the embedded engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from zonekg import api
from zonekg.core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, REASONING_GRAPH
from zonekg.core.questions import questions
from zonekg.core.render import csv_rows
from zonekg.safety.screen import screen

ROOT = Path(__file__).resolve().parents[1]
INCONSISTENT = ROOT / "tests" / "fixtures" / "inconsistent-two-declared-counts.trig"
ZONEKG = [sys.executable, "-m", "zonekg.cli"]
USER, PASSWORD = "reasoner", "s3cret-Pw-for-the-reasoning-test"


def run_zonekg(*args, env=None, timeout=1800):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ZONEKG_")}
    environment["NETRC"] = os.devnull  # the developer's own ~/.netrc never takes part
    environment.update(env or {})
    return subprocess.run(
        [*ZONEKG, *args], capture_output=True, text=True, env=environment, timeout=timeout
    )


class Store:
    """One store's addresses and the credentials its writes need."""

    def __init__(
        self,
        query: str,
        update: str,
        graph_store: str,
        user: str,
        password: str,
        differs: frozenset[str] = frozenset(),
    ):
        self.query, self.update, self.graph_store = query, update, graph_store
        self.differs = differs  # questions this store is known to answer otherwise
        self.credentials = {"ZONEKG_USER": user, "ZONEKG_PASSWORD": password}
        self.password = password

    def push(self, *args: str, with_inferred: bool = False):
        extra = ["--with-inferred"] if with_inferred else []
        done = run_zonekg(
            "push", "--endpoint", self.graph_store, *extra, *args, env=self.credentials
        )
        assert done.returncode == 0, done.stderr
        return done

    def reason(self, env=None):
        return run_zonekg(
            "reason", "--endpoint", self.query, "--update-endpoint", self.update,
            env={**self.credentials, **(env or {})},
        )  # fmt: skip

    def triples(self, graph: str) -> set[ox.Triple]:
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return set(api.remote_answer(self.query, screen(text)).triples)

    def count(self, graph: str) -> int:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(csv_rows(api.remote_answer(self.query, screen(text)))[0]["n"])

    def working_graphs(self) -> int:
        """Triples in the graphs a remote reasoning works in, and in their listing."""
        text = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{REASONING_GRAPH}")) }}'
        )
        return int(csv_rows(api.remote_answer(self.query, screen(text)))[0]["n"])


def _answers(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(row.items()) for row in rows)


def every_question_as_embedded(
    store: Store, data: list[Path] | None = None, limits: api.Limits | None = None
) -> None:
    """Every competency question, asked at the store as `query --endpoint` asks it, answers
    as the embedded engine does over the same data (*limits*: as ``query`` takes them)."""
    kg = api.load(data)
    pushed = api.remote_graphs(store.query)
    assert INFERRED_GRAPH in pushed and ASSERTED_GRAPH in pushed
    found = questions()
    assert len(found) >= 17
    reasoned = [cq for cq in found if cq.needs_reasoning]
    assert reasoned, "no question needs the closure: the test would prove nothing"
    wrong = []
    for cq in found:
        notes: list[str] = []
        there = api.remote_answer(
            store.query, screen(cq.text), cq.needs_reasoning, pushed, notes, limits
        )
        here = api.answer(kg, screen(cq.text), cq.needs_reasoning)
        assert not notes
        store_rows, embedded_rows = _answers(csv_rows(there)), _answers(csv_rows(here))
        if store_rows != embedded_rows and cq.name not in store.differs:
            only_there = [r for r in store_rows if r not in embedded_rows][:3]
            only_here = [r for r in embedded_rows if r not in store_rows][:3]
            wrong.append(f"{cq.name}: store only {only_there}; embedded only {only_here}")
    assert not wrong, f"{len(wrong)} of {len(found)} questions differ: {wrong}"


def closure_as_embedded(store: Store, data: list[Path] | None = None) -> int:
    """The store's graph/inferred is the embedded closure (the one `push --with-inferred`
    sends), triple for triple (neither has blank nodes); returns its size."""
    embedded = api.published_dataset(api.load(data), with_inferred=True)[INFERRED_GRAPH]
    assert not any(isinstance(t, ox.BlankNode) for triple in embedded for t in triple)
    there = store.triples(INFERRED_GRAPH)
    assert len(embedded) > 1000
    assert there == embedded, (
        f"{len(embedded - there)} missing, e.g. {sorted(map(str, embedded - there))[:3]}; "
        f"{len(there - embedded)} more, e.g. {sorted(map(str, there - embedded))[:3]}"
    )
    return len(there)
