"""Reason inside a remote store: the OWL 2 RL closure of what ``zonekg push`` wrote there,
materialised with SPARQL 1.1 Update at the update endpoint the user named, and the
inconsistency rules run there; the data never leaves the store.

The rules are the compiled ones of the fast engine (``engines.oxigraph.rules``): the
schema, which is small, is read out of the store (the ontology graphs, those declaring an
``owl:Ontology``, and the schema triples of graph/asserted: the same CONSTRUCT the fast
engine runs), closed and compiled here; each compiled rule becomes one update request of one
``INSERT … WHERE`` per property it applies to (for cax-sco, per class), that IRI written
into its patterns and the rest of its rows a ``VALUES``, each written from its parsed IRI.

Semi-naive rounds, as the fast engine's: the closed schema goes into a first working
graph, and each round puts what it derives (and neither graph/asserted nor an earlier
working graph holds) into a working graph of its own; a round joins only the triples of the
round before (in the first, everything) with everything known, so each triple is written
once. A round that derives nothing is the fixpoint (the count of its graph). Rounds are
bounded (``MAX_ROUNDS``), the closure by ``max_triples`` and the whole by the time limit.

What the store holds meanwhile: graph/inferred and graph/pushed are untouched until the
last request, which takes graph/inferred out of graph/pushed, replaces it with the working
graphs (less ``x owl:sameAs x``, as locally) and lists it again. That is one store
transaction where the store runs an update request as one (Oxigraph); where it runs the
operations one by one (Virtuoso: an operation that fails leaves those before it done), a
failure in between leaves the store without a listed closure, which questions then say
(never half a closure). A run that stops (a limit, an error, an inconsistency) drops its
working graphs; one killed leaves them listed in graph/reasoning, and one stopped by the
time limit keeps them listed (the store may still write into one), and the next run drops
them first. No question reads them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

import pyoxigraph as ox

from .. import engines
from ..core.errors import LimitError, Setting, ZonekgError
from ..core.namespaces import (
    ASSERTED_GRAPH,
    DERIVED_GRAPHS,
    INFERRED_GRAPH,
    OWL,
    PUSHED_GRAPH,
    RDF,
    REASONING_GRAPH,
)
from ..core.results import QueryResult
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
HAS_PART = sparql_iri(DCT_HAS_PART)
ASSERTED, INFERRED, PUSHED, LISTING = (
    sparql_iri(g) for g in (ASSERTED_GRAPH, INFERRED_GRAPH, PUSHED_GRAPH, REASONING_GRAPH)
)
LOCAL = Setting("endpoint", None)
T = TypeVar("T")


@dataclass
class StoreClosure:
    """What a remote reasoning did: the triples now in graph/inferred, the rounds to the
    fixpoint, and the seconds it took."""

    inferred: int
    rounds: int
    seconds: float


@dataclass(frozen=True)
class Rule:
    """One compiled OWL 2 RL rule as SPARQL: *columns*, variables its *rows* (IRIs) give
    values to, one or two triple *premises*, the *conclusion*, and a *condition* (a FILTER)
    if any. The first column, where there is one, is what every premise matches on: ``c`` a
    class (the object of ``rdf:type``), any other a predicate."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    premises: tuple[str, ...]
    conclusion: str
    condition: str = ""

    def within(self, predicates: set[str], classes: set[str]) -> Rule | None:
        """This rule over a delta whose triples use only *predicates* and whose
        ``rdf:type`` triples only *classes*: the rows a premise can match there, or None
        where no row can. A rule of equality (no columns) is kept whole."""
        if not self.columns:
            return self
        present = classes if self.columns[0] == "c" else predicates
        rows = tuple(row for row in self.rows if row[0] in present)
        return replace(self, rows=rows) if rows else None

    def update(self, target: str, delta: list[str], known: list[str]) -> str:
        """The INSERT into *target* of what this rule derives from at least one premise in
        the *delta* graphs and the rest in the *known* ones, less what *known* holds
        (graphs as SPARQL terms): one operation per value of the first column, written in
        as a constant, the other columns a ``VALUES`` (or constants too, for one row)."""
        if not self.columns:
            return self._operation(target, delta, known, {}, ())
        # a constant, not a VALUES column: at 1M generated triples in Virtuoso 7 the first
        # round's prp-dom, its 207 rows one VALUES, ran for minutes in 3 of 5 fresh stores;
        # one operation a property took 4.8-6.0 s in each of 6 timed (docs/benchmarks.md)
        by_key: dict[str, list[tuple[str, ...]]] = {}
        for row in self.rows:
            by_key.setdefault(row[0], []).append(row[1:])
        key, rest = self.columns[0], self.columns[1:]
        operations = []
        for value, others in by_key.items():
            bound = {key: sparql_iri(value)}
            if len(others) == 1:
                bound |= {c: sparql_iri(v) for c, v in zip(rest, others[0], strict=True)}
                operations.append(self._operation(target, delta, known, bound, ()))
            else:
                operations.append(self._operation(target, delta, known, bound, tuple(others)))
        return " ; ".join(operations)

    def _operation(
        self,
        target: str,
        delta: list[str],
        known: list[str],
        bound: dict[str, str],
        rows: tuple[tuple[str, ...], ...],
    ) -> str:
        """One INSERT of this rule, its variables in *bound* written as those terms and the
        columns not bound given the *rows* as ``VALUES``."""

        def bind(pattern: str) -> str:
            return _VARIABLE.sub(lambda m: bound.get(m.group(1), m.group(0)), pattern)

        premises = [bind(p) for p in self.premises]
        conclusion, condition = bind(self.conclusion), bind(self.condition)
        if len(premises) == 1:
            where = f"{_in(delta, 'zk_d')} {{ {premises[0]} }}"
        else:
            first, second = premises
            where = (
                f"{{ {_in(delta, 'zk_d')} {{ {first} }} {_in(known, 'zk_k')} {{ {second} }} }} "
                f"UNION {{ {_in(known, 'zk_k')} {{ {first} }} {_in(delta, 'zk_d')} "
                f"{{ {second} }} }}"
            )
        values = ""
        if rows:
            header = " ".join(f"?{c}" for c in self.columns if c not in bound)
            table = " ".join("(" + " ".join(map(sparql_iri, row)) + ")" for row in rows)
            values = f"VALUES ({header}) {{ {table} }} "
        condition = f" FILTER({condition})" if condition else ""
        unknown = " ".join(f"FILTER NOT EXISTS {{ GRAPH {g} {{ {conclusion} }} }}" for g in known)
        # the pattern as a sub-select: Virtuoso 7 plans an INSERT's own WHERE worse than the
        # same SELECT (the rules' updates at 1M 72.9-78.7 s, so 60.0 s, in one store; Oxigraph
        # the same)
        return (
            f"INSERT {{ GRAPH {target} {{ {conclusion} }} }} WHERE {{ SELECT * WHERE "
            f"{{ {values}{where}{condition} {unknown} }} }}"
        )


#: A variable in a rule's own patterns (constants of this module, never outside text).
_VARIABLE = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")


def _in(graphs: list[str], variable: str) -> str:
    """``GRAPH g``, or ``VALUES ?variable { … } GRAPH ?variable`` for several graphs."""
    if len(graphs) == 1:
        return f"GRAPH {graphs[0]}"
    return f"VALUES ?{variable} {{ {' '.join(graphs)} }} GRAPH ?{variable}"


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
             f"?y1 {SAME} ?y2", "!isLiteral(?y1) && !isLiteral(?y2) && ?y1 != ?y2"),
        Rule("prp-ifp", ("p",), single(rules.inverse_functional), ("?x1 ?p ?y", "?x2 ?p ?y"),
             f"?x1 {SAME} ?x2", "?x1 != ?x2"),
        Rule("eq-sym", (), every, (f"?x {SAME} ?y",), f"?y {SAME} ?x", "!isLiteral(?y)"),
        Rule("eq-trans", (), every, (f"?x {SAME} ?y", f"?y {SAME} ?z"), f"?x {SAME} ?z"),
        Rule("eq-rep-s", (), every, (f"?s {SAME} ?t", "?s ?p ?o"), "?t ?p ?o", "!isLiteral(?t)"),
        Rule("eq-rep-p", (), every, (f"?p {SAME} ?q", "?s ?p ?o"), "?s ?q ?o", "isIRI(?q)"),
        Rule("eq-rep-o", (), every, (f"?o {SAME} ?u", "?s ?p ?o"), "?s ?p ?u"),
    ]  # fmt: skip
    # (Terms that are not literals are compared with != rather than sameTerm, which means
    # the same for them: Virtuoso joins 100 times slower under a sameTerm filter.)
    kept = [rule for rule in found if rule.rows]
    for rule in kept:
        try:
            rule.update(ASSERTED, [ASSERTED], [ASSERTED])
        except ValueError as exc:
            raise Unsupported(
                f"OWL 2 RL rule {rule.name} applies to a term that is not an "
                f"IRI ({exc}): an update cannot name it in the store"
            ) from None
    return kept


#: The conditions on which the fast engine hands reasoning to owlrl (``rules._SemiNaive``),
#: each an ASK over the closure (given the properties of the rules it concerns, or None)
#: and the refusal it makes. The closure holds every triple the fast engine derives, so
#: it holds the one that engine would have stopped at.
def _refusals(rules: list[Rule]) -> Iterator[tuple[str, Unsupported]]:
    from ..engines.oxigraph.rules import _individual_is_a_value

    by_rule = {rule.name: sorted({row[0] for row in rule.rows if row}) for rule in rules}
    turned = sorted({*by_rule.get("prp-inv", ()), *by_rule.get("prp-symp", ())})
    if turned:
        values = " ".join(map(sparql_iri, turned))
        yield (
            f"ASK {{ VALUES ?p {{ {values} }} ?x ?p ?y FILTER(isLiteral(?y)) }}",
            Unsupported("an inverse or symmetric property has a literal value"),
        )
    if by_rule.get("prp-fp"):
        values = " ".join(map(sparql_iri, by_rule["prp-fp"]))
        yield (
            f"ASK {{ VALUES ?p {{ {values} }} ?x ?p ?a , ?b "
            "FILTER(!isLiteral(?a) && isLiteral(?b)) }",
            _individual_is_a_value(),
        )
    yield f"ASK {{ ?x {SAME} ?y FILTER(isLiteral(?y)) }}", _individual_is_a_value()


class _Store:
    """The two addresses of one store, every request within what is left of the time (less
    a share kept for dropping the working graphs after a failure)."""

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

    def _bounded(self, until: float, send: Callable[[Limits], T]) -> T:
        left = until - time.monotonic()
        try:
            if left <= 0:
                raise ZonekgError("no time left")
            return send(self.limits.replace(timeout=min(left, self.limits.timeout)))
        except ZonekgError:
            if time.monotonic() < until - 0.1:
                raise
            # the time of the whole reasoning ran out, not the store's patience
            raise self.limits.exceeded(
                "timeout",
                f"reasoning in the store did not finish within {self.limits.timeout:g} s "
                "(the time limit)",
                "graph/inferred is as it was",
            ) from None

    def update(self, text: str, cleanup: bool = False) -> None:
        from ..engines import remote

        until = self.cleanup_until if cleanup else self.work_until
        self._bounded(until, lambda limits: remote.update(self.update_url, text, limits))

    def query(self, text: str, what: str, default: list[str] | None = None) -> QueryResult:
        from ..engines import remote

        def send(limits: Limits) -> QueryResult:
            screened = screen(text, what, limits=limits)
            return remote.query(self.query_url, screened, limits, default)

        return self._bounded(self.work_until, send)

    def count(self, graph: str) -> int:
        found = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", "graph size"
        )
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
    address written to), and run the inconsistency rules there.

    Raises ``Inconsistent`` (exit 1) as local reasoning does, leaving graph/inferred as it
    was; ``Unsupported`` where the compiled rules would hand the work to owlrl (which only
    local reasoning can); a LimitError past ``max_triples`` or the time limit; a
    ZonekgError past *max_rounds*.
    """
    from ..safety.http import check_url

    limits = Limits.from_env() if limits is None else limits
    check_url(query_url)
    check_url(update_url)
    started = time.monotonic()
    store = _Store(query_url, update_url, limits)
    rules, tbox, ontology = _schema_rules(store)
    _drop_leftovers(store)
    pieces: list[str] = []
    timed_out = False
    try:
        rounds = _closure(store, rules, tbox, pieces, limits.max_triples, max_rounds, progress)
        _datatypes_disjoint(store, [ASSERTED_GRAPH, *ontology], pieces)
        for text, refusal in _refusals(rules):
            if store.query(text, "closure check", [ASSERTED_GRAPH, *pieces]).boolean:
                raise _local_only(refusal)
        graphs = " ".join(sparql_iri(g) for g in pieces)
        store.update(  # as locally: x owl:sameAs x says nothing
            f"DELETE {{ GRAPH ?g {{ ?x {SAME} ?x }} }} WHERE {{ VALUES ?g {{ {graphs} }} "
            f"GRAPH ?g {{ ?x {SAME} ?x }} }}"
        )
        consistency.refuse(
            consistency.violations(
                lambda screened: store.query(
                    screened.text, screened.source, [ASSERTED_GRAPH, *pieces]
                )
            )
        )
        listed = f"GRAPH {PUSHED} {{ {PUSHED} {HAS_PART} {INFERRED} }}"
        store.update(
            " ; ".join(
                [
                    f"DELETE DATA {{ {listed} }}",
                    f"DROP SILENT GRAPH {INFERRED}",
                    f"CREATE SILENT GRAPH {INFERRED}",
                    *(f"ADD SILENT {sparql_iri(g)} TO {INFERRED}" for g in pieces),
                    f"INSERT DATA {{ {listed} }}",
                ]
            )
        )
        inferred = store.count(INFERRED)
    except LimitError as stopped:
        timed_out = stopped.limit == "timeout"
        raise
    finally:
        # past the time limit the store may still be at the request given up on (Virtuoso
        # goes on with it): its working graph stays listed, so that the next run drops what
        # that request writes after this one has ended
        _drop_working_graphs(store, pieces, keep_listing=timed_out)
    return StoreClosure(inferred, rounds, time.monotonic() - started)


def _drop_working_graphs(
    store: _Store, pieces: list[str], cleanup: bool = True, keep_listing: bool = False
) -> None:
    """Drop the working graphs and (unless *keep_listing*) their listing; after a failure,
    best effort: no question reads them, and the next run drops what is listed first."""
    drops = [f"DROP SILENT GRAPH {sparql_iri(g)}" for g in pieces]
    if not keep_listing:
        drops.append(f"DROP SILENT GRAPH {LISTING}")
    if not drops:
        return
    try:
        store.update(" ; ".join(drops), cleanup=cleanup)
    except ZonekgError:
        if not cleanup:
            raise


def _drop_leftovers(store: _Store) -> None:
    """The working graphs a run that was killed or timed out left listed in graph/reasoning."""
    found = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH {LISTING} {{ {LISTING} {HAS_PART} ?g }} }}",
        "working graphs left",
    )
    left = [row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode)]
    mine = [g for g in left if g.startswith(REASONING_GRAPH + "/")]
    _drop_working_graphs(store, mine, cleanup=False)


def _schema_rules(store: _Store) -> tuple[list[Rule], list[ox.Triple], list[str]]:
    """The compiled rules, the closed schema and the ontology graphs, from the schema read
    out of the store."""
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
    # the graphs through the push's own list, not named in the query: a million triples'
    # 13,939 graphs in a VALUES were more than Virtuoso 7 compiles
    not_sources = ", ".join(sparql_iri(g) for g in sorted({*DERIVED_GRAPHS, PUSHED_GRAPH}))
    found = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH {sparql_iri(PUSHED_GRAPH)} "
        f"{{ {sparql_iri(PUSHED_GRAPH)} {sparql_iri(DCT_HAS_PART)} ?g }} "
        f"FILTER(?g NOT IN ({not_sources})) GRAPH ?g {{ ?o a {sparql_iri(OWL + 'Ontology')} }} }}",
        "ontology graphs",
    )
    ontology = sorted(row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode))
    schema = store.query(schema_query(ontology, [ASSERTED_GRAPH]), "schema").triples or []
    local = ox.Store()
    graph = ox.NamedNode(REASONING_GRAPH)
    local.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in schema)
    oxigraph = engines.get("oxigraph")
    closer = engines.get(oxigraph.fallback).close_schema
    try:
        compiled = compile_rules(local, [graph], [], closer)
        if any(isinstance(term, ox.BlankNode) for t in compiled.tbox for term in t):
            raise Unsupported(
                "the closed schema holds blank nodes, which an update cannot name in the store"
            )
        return compiled_rules(compiled), compiled.tbox, ontology
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
    pieces: list[str],
    cap: int,
    max_rounds: int,
    progress: Progress,
) -> int:
    """Build the closure less what is asserted in working graphs, one per round (added to
    *pieces* as they are made); return the rounds to the fixpoint."""

    def piece() -> str:
        graph = f"{REASONING_GRAPH}/round-{len(pieces)}"
        pieces.append(graph)
        store.update(f"INSERT DATA {{ GRAPH {LISTING} {{ {LISTING} {HAS_PART} <{graph}> }} }}")
        return sparql_iri(graph)

    schema = piece()
    for batch in _batches(tbox, DATA_BATCH):
        store.update(f"INSERT DATA {{ GRAPH {schema} {{ {batch} }} }}")
    store.update(  # what the closed schema repeats of the data is asserted
        # (tested for each schema triple: as a join, Virtuoso took 1.2-2.7 s at 100k, not 0.05)
        f"DELETE {{ GRAPH {schema} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {schema} {{ ?s ?p ?o }} "
        f"FILTER EXISTS {{ GRAPH {ASSERTED} {{ ?s ?p ?o }} }} }}"
    )
    total = store.count(ASSERTED) + store.count(schema)
    delta = [ASSERTED, schema]  # the first round joins everything with everything
    applicable = rules
    for done in range(1, max_rounds + 1):
        known = [ASSERTED, *map(sparql_iri, pieces)]
        target = piece()
        equality = _holds_same_as(store, known)
        for rule in applicable:
            if equality or not rule.name.startswith("eq-"):
                store.update(rule.update(target, delta, known))
        new = store.count(target)
        progress("reason", new)
        if not new:
            return done
        total += new
        if total > cap:
            raise exceeded(
                "max_triples",
                cap,
                f"reasoning stopped: the closure passed {cap} triples (triple-count cap)",
            )
        delta = [target]
        applicable = _applicable(store, rules, target)
    raise ZonekgError(f"reasoning in the store did not reach a fixpoint in {max_rounds} rounds")


def _applicable(store: _Store, rules: list[Rule], delta: str) -> list[Rule]:
    """The *rules* cut to the predicates and classes the *delta* graph uses. A later round's
    delta is small, yet Virtuoso 7 spent seconds on a rule none of whose rows it can match
    (at a million triples prp-fp took 9-12 s a round for a delta without its properties;
    reasoning there 106-107 s uncut, 58-65 s cut)."""
    used = store.query(
        f"SELECT DISTINCT ?p WHERE {{ GRAPH {delta} {{ ?s ?p ?o }} }}", "predicates derived"
    )
    predicates = {row[0].value for row in used.rows if isinstance(row[0], ox.NamedNode)}
    classes: set[str] = set()
    if RDF + "type" in predicates:
        typed = store.query(
            f"SELECT DISTINCT ?c WHERE {{ GRAPH {delta} {{ ?s {TYPE} ?c }} }}", "classes derived"
        )
        classes = {row[0].value for row in typed.rows if isinstance(row[0], ox.NamedNode)}
    cut = (rule.within(predicates, classes) for rule in rules)
    return [rule for rule in cut if rule is not None]


def _datatypes_disjoint(store: _Store, asserted: list[str], pieces: list[str]) -> None:
    """The disjointness of the RL datatypes the asserted graphs use, as the fast engine adds
    it beside its compiled rules (which do not see literals), into the last working graph."""
    from ..engines.oxigraph.rules import datatype_disjointness

    graphs = [sparql_iri(g) for g in asserted]
    # two plain queries: Virtuoso 7 fails to compile a union of a FILTER and a BIND here
    literals = store.query(
        f"SELECT DISTINCT (DATATYPE(?o) AS ?d) WHERE {{ {_in(graphs, 'g')} {{ ?s ?p ?o }} "
        f"FILTER(isLiteral(?o)) }}",
        "datatypes used",
    )
    classes = store.query(
        f"SELECT DISTINCT ?c WHERE {{ {_in(graphs, 'g')} {{ ?s {sparql_iri(RDF + 'type')} ?c }} }}",
        "classes used",
    )
    literal_types = {row[0].value for row in literals.rows if isinstance(row[0], ox.NamedNode)}
    node_types = {row[0].value for row in classes.rows if isinstance(row[0], ox.NamedNode)}
    triples = datatype_disjointness(literal_types, node_types)
    if triples:
        for batch in _batches(triples, DATA_BATCH):
            store.update(f"INSERT DATA {{ GRAPH {sparql_iri(pieces[-1])} {{ {batch} }} }}")


def _holds_same_as(store: _Store, known: list[str]) -> bool:
    """Whether any owl:sameAs but x owl:sameAs x is known: without one, no rule of
    equality derives anything new."""
    text = f"ASK {{ {_in(known, 'g')} {{ ?x {SAME} ?y }} FILTER(?x != ?y) }}"
    return bool(store.query(text, "owl:sameAs").boolean)


def _batches(triples: list[ox.Triple], size: int) -> Iterator[str]:
    """The *triples* as SPARQL data, *size* at a time (terms written from their values)."""
    ordered = sorted(triples, key=str)
    for start in range(0, len(ordered), size):
        yield " ".join(
            f"{sparql_term(t.subject)} {sparql_term(t.predicate)} {sparql_term(t.object)} ."
            for t in ordered[start : start + size]
        )
