"""Reason inside a remote store: the OWL 2 RL closure of what ``zonekg push`` wrote there,
materialised with SPARQL 1.1 Update at the update endpoint the user named, and the
inconsistency rules run there; the data never leaves the store.

The rules are the compiled ones of the fast engine (``engines.oxigraph.rules``): the
schema, which is small, is read out of the store (the ontology graphs, those declaring an
``owl:Ontology``, and the schema triples of graph/asserted: the same CONSTRUCT the fast
engine runs), closed and compiled here; each compiled rule becomes one ``INSERT … WHERE``
whose ``VALUES`` rows are its classes and properties, each written from its parsed IRI.

Semi-naive rounds, as the fast engine's: the closure is built in a working graph (the
asserted triples, then the closed schema, then what each round derives), each round joins
only the triples the round before derived (the delta graph) against the closure, and
inserts what is new into a third graph; a round that derives nothing is the fixpoint
(the count of that graph, after each round). Rounds are bounded (``MAX_ROUNDS``), the
closure by ``max_triples`` and the whole by the time limit.

What the store holds meanwhile: graph/inferred and graph/pushed are untouched until the
last request, which takes graph/inferred out of graph/pushed, moves the working graph onto
graph/inferred and lists it again. In one store transaction where the store runs an
update request as one (Oxigraph); where it runs the operations one by one (Virtuoso: an
operation that fails leaves those before it done), a failure in between leaves the store
without a listed closure, which questions then say (never half a closure). A run stopped
or refused (a limit, an error, an inconsistency) drops its working graphs, or, killed,
leaves them for the next run to drop: no question reads them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .. import engines
from ..core.errors import Setting, ZonekgError
from ..core.namespaces import (
    ASSERTED_GRAPH,
    DERIVED_GRAPHS,
    INFERRED_GRAPH,
    OWL,
    PUSHED_GRAPH,
    RDF,
    REASONING_GRAPHS,
)
from ..core.settings import Limits, exceeded
from ..engines import consistency
from ..engines.base import Progress, Unsupported, no_progress
from ..safety.screen import screen, sparql_iri, sparql_term
from .remote import DCT_HAS_PART, remote_graphs

#: Rounds before the work stops (as the fast engine's default).
MAX_ROUNDS = 10_000
#: Triples an ``INSERT DATA`` of the closed schema carries at most.
DATA_BATCH = 1_000
#: Of the time limit, what is kept for dropping the working graphs after a failure.
CLEANUP_SHARE, CLEANUP_MAX = 0.1, 10.0

TYPE = sparql_iri(RDF + "type")
SAME = sparql_iri(OWL + "sameAs")
CLOSURE, DELTA, NEW = (sparql_iri(g) for g in REASONING_GRAPHS)
ASSERTED, INFERRED, PUSHED = (sparql_iri(g) for g in (ASSERTED_GRAPH, INFERRED_GRAPH, PUSHED_GRAPH))
LOCAL = Setting("endpoint", None)


@dataclass
class StoreClosure:
    """What a remote reasoning did: the triples now in graph/inferred, the rounds to the
    fixpoint, and the seconds it took."""

    inferred: int
    rounds: int
    seconds: float


@dataclass(frozen=True)
class Rule:
    """One compiled OWL 2 RL rule as SPARQL: ``VALUES`` *columns* (its *rows*, IRIs), one or
    two triple *premises*, the *conclusion*, and a *condition* (a FILTER) if any."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    premises: tuple[str, ...]
    conclusion: str
    condition: str = ""

    def update(self, delta: str) -> str:
        """The INSERT of what this rule derives from at least one premise in *delta*
        (a graph, as a SPARQL term) and the rest in the closure, less what the closure
        holds, into the new-triples graph."""
        if len(self.premises) == 1:
            where = f"GRAPH {delta} {{ {self.premises[0]} }}"
        else:
            first, second = self.premises
            where = (
                f"{{ GRAPH {delta} {{ {first} }} GRAPH {CLOSURE} {{ {second} }} }} UNION "
                f"{{ GRAPH {CLOSURE} {{ {first} }} GRAPH {delta} {{ {second} }} }}"
            )
        values = ""
        if self.columns:
            header = " ".join(f"?{c}" for c in self.columns)
            rows = " ".join("(" + " ".join(map(sparql_iri, row)) + ")" for row in self.rows)
            values = f"VALUES ({header}) {{ {rows} }} "
        condition = f" FILTER({self.condition})" if self.condition else ""
        return (
            f"INSERT {{ GRAPH {NEW} {{ {self.conclusion} }} }} WHERE {{ {values}{where}"
            f"{condition} FILTER NOT EXISTS {{ GRAPH {CLOSURE} {{ {self.conclusion} }} }} }}"
        )


def compiled_rules(rules) -> list[Rule]:
    """The instance rules of a ``RuleSet`` (the fast engine's), as SPARQL; those with no
    class or property to apply to are left out. An entry that is not an IRI (a blank node
    declared transitive, say) cannot be named in an update: Unsupported."""

    def pairs(table: dict[str, set[str]], drop_self: bool) -> tuple:
        return tuple(
            (k, v) for k in sorted(table) for v in sorted(table[k]) if not (drop_self and k == v)
        )

    def single(names: set[str]) -> tuple:
        return tuple((p,) for p in sorted(names))

    every = ((),)
    found = [
        Rule("cax-sco", ("c", "d"), pairs(rules.superclasses, True), (f"?x {TYPE} ?c",),
             f"?x {TYPE} ?d"),
        Rule("prp-dom", ("p", "c"), pairs(rules.domains, False), ("?x ?p ?y",), f"?x {TYPE} ?c"),
        Rule("prp-rng", ("p", "c"), pairs(rules.ranges, False), ("?x ?p ?y",), f"?y {TYPE} ?c",
             "!isLiteral(?y)"),
        Rule("prp-spo1", ("p", "q"), pairs(rules.superproperties, True), ("?x ?p ?y",),
             "?x ?q ?y"),
        Rule("prp-inv", ("p", "q"), tuple(sorted(rules.inverses)), ("?x ?p ?y",), "?y ?q ?x",
             "!isLiteral(?y)"),
        Rule("prp-symp", ("p",), single(rules.symmetric), ("?x ?p ?y",), "?y ?p ?x",
             "!isLiteral(?y)"),
        Rule("prp-trp", ("p",), single(rules.transitive), ("?x ?p ?y", "?y ?p ?z"), "?x ?p ?z"),
        Rule("prp-fp", ("p",), single(rules.functional), ("?x ?p ?y1", "?x ?p ?y2"),
             f"?y1 {SAME} ?y2", "!isLiteral(?y1) && !isLiteral(?y2) && !sameTerm(?y1, ?y2)"),
        Rule("prp-ifp", ("p",), single(rules.inverse_functional), ("?x1 ?p ?y", "?x2 ?p ?y"),
             f"?x1 {SAME} ?x2", "!sameTerm(?x1, ?x2)"),
        Rule("eq-sym", (), every, (f"?x {SAME} ?y",), f"?y {SAME} ?x", "!isLiteral(?y)"),
        Rule("eq-trans", (), every, (f"?x {SAME} ?y", f"?y {SAME} ?z"), f"?x {SAME} ?z"),
        Rule("eq-rep-s", (), every, (f"?s {SAME} ?t", "?s ?p ?o"), "?t ?p ?o", "!isLiteral(?t)"),
        Rule("eq-rep-p", (), every, (f"?p {SAME} ?q", "?s ?p ?o"), "?s ?q ?o", "isIRI(?q)"),
        Rule("eq-rep-o", (), every, (f"?o {SAME} ?u", "?s ?p ?o"), "?s ?p ?u"),
    ]  # fmt: skip
    kept = [rule for rule in found if rule.rows]
    for rule in kept:
        try:
            rule.update(DELTA)
        except ValueError as exc:
            raise Unsupported(
                f"OWL 2 RL rule {rule.name} applies to a term that is not an "
                f"IRI ({exc}): an update cannot name it in the store"
            ) from None
    return kept


#: The conditions on which the fast engine hands reasoning to owlrl (``rules._SemiNaive``):
#: each an ASK over the closure, and the refusal it makes.
def _refusals() -> list[tuple[str, Callable[[list[str]], str], Unsupported]]:
    from ..engines.oxigraph.rules import _individual_is_a_value

    def values(names: list[str]) -> str:
        return " ".join(sparql_iri(p) for p in names) or "<urn:none>"

    return [
        (
            "inverse-or-symmetric",
            lambda names: (
                f"ASK {{ VALUES ?p {{ {values(names)} }} "
                f"GRAPH {CLOSURE} {{ ?x ?p ?y }} FILTER(isLiteral(?y)) }}"
            ),
            Unsupported("an inverse or symmetric property has a literal value"),
        ),
        (
            "functional",
            lambda names: (
                f"ASK {{ VALUES ?p {{ {values(names)} }} "
                f"GRAPH {CLOSURE} {{ ?x ?p ?a , ?b }} FILTER(!isLiteral(?a) && isLiteral(?b)) }}"
            ),
            _individual_is_a_value(),
        ),
        (
            "same-as",
            lambda names: f"ASK {{ GRAPH {CLOSURE} {{ ?x {SAME} ?y }} FILTER(isLiteral(?y)) }}",
            _individual_is_a_value(),
        ),
    ]


class _Store:
    """The two addresses of one store, every request within what is left of the time."""

    def __init__(self, query_url: str, update_url: str, limits: Limits) -> None:
        from ..safety import limits as bounds

        self.query_url, self.update_url, self.limits = query_url, update_url, limits
        now = time.monotonic()
        stop = now + limits.timeout
        worker = bounds.deadline()
        if worker is not None:
            stop = min(stop, worker)
        self.cleanup_until = stop
        self.work_until = stop - min(CLEANUP_MAX, CLEANUP_SHARE * (stop - now))

    def _limits(self, until: float) -> Limits:
        left = until - time.monotonic()
        if left <= 0:
            raise self.limits.exceeded(
                "timeout",
                f"reasoning in the store did not finish within {self.limits.timeout:g} s "
                "(the time limit)",
                "the store keeps graph/inferred as it was",
            )
        return self.limits.replace(timeout=left)

    def update(self, text: str, cleanup: bool = False) -> None:
        from ..engines import remote

        until = self.cleanup_until if cleanup else self.work_until
        remote.update(self.update_url, text, self._limits(until))

    def query(self, text: str, what: str, default: list[str] | None = None):
        from ..engines import remote

        limits = self._limits(self.work_until)
        return remote.query(self.query_url, screen(text, what, limits=limits), limits, default)

    def count(self, graph: str) -> int:
        found = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                           "closure size")  # fmt: skip
        return int(found.rows[0][0].value)


def reason_in_store(
    query_url: str,
    update_url: str,
    limits: Limits | None = None,
    progress: Progress = no_progress,
    max_rounds: int = MAX_ROUNDS,
) -> StoreClosure:
    """Materialise the OWL 2 RL closure of what ``zonekg push`` wrote to the store at
    *query_url* into its graph/inferred, with SPARQL Update at *update_url* (the only
    address written to), then run the inconsistency rules there.

    Raises ``Inconsistent`` (exit 1) as local reasoning does, leaving graph/inferred as it
    was; ``Unsupported`` where the compiled rules would hand the work to owlrl (which only
    local reasoning can); a LimitError past *max_rounds*, ``max_triples`` or the time limit.
    """
    from ..safety.http import check_url

    limits = Limits.from_env() if limits is None else limits
    check_url(query_url)
    check_url(update_url)
    started = time.monotonic()
    store = _Store(query_url, update_url, limits)
    rules, tbox = _schema_rules(store)
    try:
        rounds = _closure(store, rules, tbox, limits.max_triples, max_rounds, progress)
        inferred = _finish(store)
        consistency.refuse(
            consistency.violations(
                lambda screened: store.query(
                    screened.text, screened.source, [ASSERTED_GRAPH, REASONING_GRAPHS[0]]
                )  # fmt: skip
            )
        )
        listed = f"GRAPH {PUSHED} {{ {PUSHED} {sparql_iri(DCT_HAS_PART)} {INFERRED} }}"
        store.update(
            f"DELETE DATA {{ {listed} }} ; DROP SILENT GRAPH {INFERRED} ;"
            f" MOVE SILENT {CLOSURE} TO {INFERRED} ; INSERT DATA {{ {listed} }}"
        )
    except BaseException:
        _drop_working_graphs(store)
        raise
    return StoreClosure(inferred, rounds, time.monotonic() - started)


def _drop_working_graphs(store: _Store) -> None:
    """Best effort after a failure: the working graphs are read by no question, and the
    next run drops them first."""
    with contextlib.suppress(ZonekgError):
        store.update(" ; ".join(f"DROP SILENT GRAPH {g}" for g in (CLOSURE, DELTA, NEW)), True)


def _schema_rules(store: _Store) -> tuple[list[Rule], list[ox.Triple]]:
    """The compiled rules and the closed schema, from the schema read out of the store."""
    from ..engines.oxigraph.rules import compile_rules, schema_query
    from ..safety.http import shown_url

    pushed = remote_graphs(store.query_url, store.limits)
    if ASSERTED_GRAPH not in pushed:
        raise ZonekgError(
            f"{shown_url(store.query_url)} holds no <{ASSERTED_GRAPH}> listed in "
            f"<{PUSHED_GRAPH}>: there is nothing of zonekg's to reason over",
            hint="push the graph there first (`zonekg push`), then name the store's SPARQL "
            "query address",
        )
    sources = sorted(pushed - {*DERIVED_GRAPHS, PUSHED_GRAPH})
    listed = " ".join(sparql_iri(g) for g in sources) or "<urn:none>"
    found = store.query(
        f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {listed} }} "
        f"GRAPH ?g {{ ?o a {sparql_iri(OWL + 'Ontology')} }} }}",
        "ontology graphs",
    )
    ontology = sorted(row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode))
    schema = store.query(schema_query(ontology, [ASSERTED_GRAPH]), "schema").triples or []
    local = ox.Store()
    graph = ox.NamedNode(REASONING_GRAPHS[0])
    local.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in schema)
    oxigraph = engines.get("oxigraph")
    closer = engines.get(oxigraph.fallback).close_schema
    try:
        compiled = compile_rules(local, [graph], [], closer)
    except Unsupported as refusal:
        raise _local_only(refusal) from None
    if any(isinstance(term, ox.BlankNode) for t in compiled.tbox for term in t):
        raise _local_only(Unsupported("the closed schema holds blank nodes, which an update "
                                      "cannot name in the store"))  # fmt: skip
    try:
        return compiled_rules(compiled), compiled.tbox
    except Unsupported as refusal:
        raise _local_only(refusal) from None


def _local_only(refusal: Unsupported) -> Unsupported:
    refusal.message = f"{refusal.message}; reasoning in a store runs the compiled rules only"
    refusal.hint = (
        f"reason locally instead (without {LOCAL}): the local reasoner hands this to owlrl"
    )
    refusal.settings = (LOCAL,)
    return refusal


def _closure(
    store: _Store,
    rules: list[Rule],
    tbox: list[ox.Triple],
    cap: int,
    max_rounds: int,
    progress: Progress,
) -> int:
    """Build the closure in the working graph, round by round; return the rounds."""
    store.update(
        f"DROP SILENT GRAPH {CLOSURE} ; DROP SILENT GRAPH {DELTA} ; DROP SILENT GRAPH {NEW} ;"
        f" ADD {ASSERTED} TO {CLOSURE}"
    )
    for batch in _batches(tbox, DATA_BATCH):
        store.update(f"INSERT DATA {{ GRAPH {CLOSURE} {{ {batch} }} }}")
    total = store.count(CLOSURE)
    delta = CLOSURE  # the first round joins everything with everything
    for done in range(1, max_rounds + 1):
        for rule in rules:
            store.update(rule.update(delta))
        new = store.count(NEW)
        progress("reason", new)
        if not new:
            _refuse_what_owlrl_would_do(store, rules)
            return done
        total += new
        if total > cap:
            raise exceeded(
                "max_triples",
                cap,
                f"reasoning stopped: the closure passed {cap} triples (triple-count cap)",
                "the store keeps graph/inferred as it was",
            )
        store.update(f"DROP SILENT GRAPH {DELTA} ; ADD {NEW} TO {CLOSURE} ; MOVE {NEW} TO {DELTA}")
        delta = DELTA
    raise ZonekgError(f"reasoning in the store did not reach a fixpoint in {max_rounds} rounds")


def _refuse_what_owlrl_would_do(store: _Store, rules: list[Rule]) -> None:
    """Unsupported where the fast engine would have handed the work to owlrl: the closure
    holds the triple it would have stopped at (it holds every triple the fast engine
    derives)."""
    by_rule = {rule.name: [row[0] for row in rule.rows if row] for rule in rules}
    names = {
        "inverse-or-symmetric": by_rule.get("prp-inv", []) + by_rule.get("prp-symp", []),
        "functional": by_rule.get("prp-fp", []),
        "same-as": [],
    }
    for key, text, refusal in _refusals():
        if key != "same-as" and not names[key]:
            continue
        if store.query(text(sorted(set(names[key]))), "closure check").boolean:
            raise _local_only(refusal)


def _finish(store: _Store) -> int:
    """The working graph less what is asserted and less x owl:sameAs x (as the local
    closure); the other working graphs dropped. Returns its size."""
    store.update(
        f"DELETE {{ GRAPH {CLOSURE} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {ASSERTED} {{ ?s ?p ?o }} }} ;"
        f" DELETE {{ GRAPH {CLOSURE} {{ ?x {SAME} ?x }} }} WHERE {{ GRAPH {CLOSURE} "
        f"{{ ?x {SAME} ?x }} }} ; DROP SILENT GRAPH {DELTA} ; DROP SILENT GRAPH {NEW}"
    )
    return store.count(CLOSURE)


def _batches(triples: list[ox.Triple], size: int) -> Iterator[str]:
    """The *triples* as SPARQL data, *size* at a time (terms written from their values)."""
    ordered = sorted(triples, key=str)
    for start in range(0, len(ordered), size):
        yield " ".join(
            f"{sparql_term(t.subject)} {sparql_term(t.predicate)} {sparql_term(t.object)} ."
            for t in ordered[start : start + size]
        )
