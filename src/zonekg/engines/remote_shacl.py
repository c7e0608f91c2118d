"""SHACL validation inside a remote store: the shapes compiled to SPARQL (the oxigraph
engine's compiler) and each check sent to a SPARQL 1.1 Protocol endpoint.

The store is only read. Where the embedded validator first fills a scratch graph with
the targets and types (an update), each remote check carries its target pattern and
its type tests itself (``rdf:type/rdfs:subClassOf*``, as the scratch graph is filled),
so the store answers the same questions with SELECTs alone, over the graphs the caller
names as the default graph. Triples the caller adds for the run (``G a zk:DataGraph``,
which the embedded validator adds to its store) cannot be added to a store that is only
read: each becomes a listed member of its class and of the superclasses the store knows,
in the targets and class tests that ask for them.

Every query sent is the compiler's text put through the one screen (what was screened is
what runs), and the results are read by the embedded validator's own code, so messages,
paths, values and source shapes are its own. Shapes the compiler is not proven on are
refused before any check runs, each named with the reason: a verdict without them
would be wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..core import namespaces as ns
from ..core.errors import Setting
from ..core.results import ValidationReport
from ..core.settings import DEFAULT_LIMITS, Limits
from ..inputs.shapes import Shapes
from ..safety.screen import ScreenedQuery, screen, sparql_iri
from . import remote
from .base import Progress, Unsupported, no_progress
from .oxigraph.shacl import Check, Compiler, Graph, NotCompiled, _n3, _select_unproven, unproven
from .oxigraph.validation import _answers, _results, skolemized

SH = ns.SH
#: The setting that gives the shapes, for a hint.
SHAPES = Setting("shapes")


#: Components whose test is a boolean combination of tests that cannot fail
#: (``Compiler.conforms``: EXISTS, NOT EXISTS, COALESCE-wrapped value tests).
_NEVER_ERROR = {
    ox.NamedNode(SH + name + "ConstraintComponent") for name in ("Or", "And", "Not", "Node")
}


RDF_TYPE = sparql_iri(ns.RDF + "type")
SH_SPARQL, SH_SELECT, SH_PATH, SH_MESSAGE, SH_SEVERITY, SH_DEACTIVATED = (
    ox.NamedNode(SH + name)
    for name in ("sparql", "select", "path", "message", "severity", "deactivated")
)
SUBCLASS_OF = ox.NamedNode(ns.RDFS + "subClassOf")


class RemoteCompiler(Compiler):
    """The compiler with every check self-contained: targets and class tests as patterns
    over the data (no scratch graph).

    A class's instances are the nodes typed with it or with one of its *subclasses*
    (class → the classes below it along rdfs:subClassOf*, itself included, read from the
    store before the checks), named in the query rather than found by the path
    ``rdf:type/rdfs:subClassOf*``: Virtuoso 7 answers that path wrongly beside a HAVING
    clause, a UNION or FILTER EXISTS. *members* (class → nodes) are instances named in
    full (the triples added for the run, and the store's own instances of that class).
    """

    def __init__(
        self,
        shapes: Graph,
        subclasses: dict[ox.NamedNode, list] | None = None,
        members: dict[ox.NamedNode, list] | None = None,
        partial: dict[ox.NamedNode, int] | None = None,
    ) -> None:
        super().__init__(shapes)
        self.subclasses = subclasses or {}
        self.members = members or {}
        #: class → how many members it has in all, for a class whose *members* are one part
        #: of them (``remote.in_parts``): its targets name that part; a test that a value
        #: is one of them would need them all, and is refused
        self.partial = partial or {}

    def target_lookup(self, shape) -> str:
        # each focus node once, as the scratch graph holds it (a node of two target
        # classes is one focus node)
        return f"{{ SELECT DISTINCT ?this WHERE {self.target_queries[shape]} }}"

    def one_of(self, v: str, members: list) -> str:
        # Virtuoso 7 answers an || of sameTerm(?v, <iri>) as its last term alone (so that
        # sh:in (A B C) reported A and B as not listed): the IRIs go in one IN, where = is
        # sameTerm.
        iris = [x for x in members if isinstance(x, ox.NamedNode)]
        tests = [f"sameTerm({v}, {_n3(x)})" for x in members if x not in iris]
        if iris:
            tests.insert(0, f"(isIRI({v}) && {v} IN ({', '.join(_n3(x) for x in iris)}))")
        return f"({' || '.join(tests) or 'false'})"

    def violated(self, component, expr: str) -> str:
        # The logical components' tests are built of EXISTS and of tests already wrapped
        # in COALESCE, so they never raise an error and the wrapper changes nothing; and
        # Virtuoso 7 cannot compile || or && of EXISTS inside a function call (SQ074).
        if component in _NEVER_ERROR:
            return f"({expr})"
        return super().violated(component, expr)

    def below(self, cls) -> list:
        return self.subclasses.get(cls) or [cls]

    def class_members(self, cls) -> list[str]:
        listed = self.members.get(cls)
        if listed is not None:  # (a VALUES beside a UNION is answered wrongly by Virtuoso 7)
            return [f"VALUES ?this {{ {' '.join(_n3(x) for x in listed)} }}"]
        return [f"?this {RDF_TYPE} {_n3(c)} ." for c in self.below(cls)]

    def not_instance(self, v: str, cls) -> str:
        if cls in self.partial:
            raise NotCompiled(
                f"a test that a value is a {_n3(cls)} would name its {self.partial[cls]} "
                f"instances, more than one query names ({remote.MAX_LISTED})"
            )
        types = ", ".join(_n3(c) for c in self.below(cls))
        t = self.var()
        test = f"NOT EXISTS {{ {v} {RDF_TYPE} {t} FILTER({t} IN ({types})) }}"
        listed = self.members.get(cls)
        if listed:
            named = ", ".join(_n3(x) for x in listed)
            test = f"({test} && !({v} IN ({named})))"
        return test


def subclass_map(pairs: Iterable[tuple]) -> dict:
    """class → the classes below it along rdfs:subClassOf* (itself first), from the
    (subclass, superclass) *pairs* the store holds."""
    children: dict = {}
    for sub, sup in pairs:
        children.setdefault(sup, set()).add(sub)
    found = {}
    for cls in children:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in children.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        found[cls] = [cls, *sorted(seen - {cls}, key=str)]
    return found


def split(triples: list[ox.Triple]) -> tuple[list[ox.Triple], list[tuple]]:
    """The shapes less the SPARQL constraints the compiler is not proven on but the store
    can run with $this pre-bound (``prebound``), and those (node shape, constraint) pairs.

    Such a constraint is a SELECT on a node shape that the compiler would hand over for its
    nested groups (UNION, OPTIONAL, sub-SELECTs, …) and that needs nothing but the data
    (no $shapesGraph or $currentShape: the store does not hold the shapes)."""
    g = Graph(triples)
    handed, links = [], set()
    for owner, constraint in g.subject_objects(SH_SPARQL):
        texts = g.objects(constraint, SH_SELECT)
        if (owner, SH_PATH, None) in g or len(texts) != 1 or not isinstance(texts[0], ox.Literal):
            continue
        text = texts[0].value
        if any(f"{m}{name}" in text for m in "?$" for name in ("shapesGraph", "currentShape")):
            continue
        if _select_unproven(text) is not None:
            handed.append((owner, constraint))
            links.add((owner, constraint))
    rest = [t for t in triples if not (t.predicate == SH_SPARQL and (t.subject, t.object) in links)]
    return rest, handed


def refusal(shapes: Shapes) -> str | None:
    """Why the shapes cannot be validated in a store (None: they can), naming each node
    shape the compiler is not proven on (or cannot compile) and the reason; the SPARQL
    constraints ``split`` hands over are run with $this pre-bound instead."""
    rest, _ = split(shapes.triples)
    whole = Graph(rest)
    why = unproven(whole)
    if why is None:
        try:
            RemoteCompiler(Graph(skolemized(rest))).checks()
            return None
        except (NotCompiled, ValueError, TypeError) as exc:
            why = str(exc)
    named = []
    for shape in node_shapes(whole):
        part = _reachable(whole, shape)
        reason = unproven(Graph(part))
        if reason is None:
            try:
                RemoteCompiler(Graph(skolemized(part))).checks()
            except (NotCompiled, ValueError, TypeError) as exc:
                reason = str(exc)
        if reason is not None:
            name = ns.curie(shape.value) if isinstance(shape, ox.NamedNode) else "a blank node"
            named.append(f"{name}: {reason}")
    if not named:
        return why
    return "; ".join(named)


def prebound(select: str, focus, limits: Limits) -> str:
    """The SELECT of a SPARQL constraint (screened text) with $this pre-bound to *focus*
    (SHACL 1.0, 5.3.1): each occurrence replaced by the term, projected as
    ``(term AS ?this)`` (in a sub-SELECT under another name, unused) and grouped or
    ordered by ``(term)``; screened again as assembled,
    so that what runs is what was screened."""
    term = _n3(focus)
    tokens = screen(select, "a SPARQL constraint", allowed_graph=lambda _iri: False).tokens
    texts, projecting, ordering, depth, selects = [], False, False, 0, 0
    for token in tokens:
        word = token.text.upper() if token.kind == "word" else ""
        if word == "SELECT":
            projecting, depth, selects = True, 0, selects + 1
        elif word in ("WHERE", "FROM") or token.text == "{":
            projecting = ordering = False
        elif word == "BY":
            ordering, depth = True, 0
        elif word in ("HAVING", "LIMIT", "OFFSET", "VALUES") or token.text == "}":
            ordering = False
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
        if projecting and depth == 0 and token.text == "*":
            raise NotCompiled("SELECT * in a SPARQL constraint")
        if token.kind == "var" and token.text[1:] == "this":
            if projecting and depth == 0:
                # a sub-SELECT's ?this would be in scope of the outer (term AS ?this):
                # each projects the term under a name of its own
                name = "?this" if selects == 1 else f"?this_{selects}"
                texts += ["(", term, "AS", name, ")"]
            elif ordering and depth == 0:
                texts += ["(", term, ")"]
            else:
                texts.append(term)
            continue
        texts.append(token.text)
    return screen_check("\n".join(texts), limits).text


def check_shapes(shapes: Shapes) -> None:
    """Refuse (``Unsupported``) shapes that cannot be validated inside a store, naming why."""
    why = refusal(shapes)
    if why is not None:
        raise Unsupported(
            f"these shapes cannot be validated inside the store ({why})",
            hint="validate here instead (without the endpoint): the shapes are then handed to "
            "pySHACL",
        )


def node_shapes(shapes: Graph) -> list:
    """The shapes that have targets or are declared node shapes (as the compiler finds them)."""
    found = set(shapes.subjects(ns_term("rdf", "type"), ox.NamedNode(SH + "NodeShape")))
    for key in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        found |= set(shapes.subjects(ox.NamedNode(SH + key), None))
    return sorted(found, key=lambda node: node.value)


def ns_term(prefix: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(ns.PREFIXES[prefix] + name)


def _reachable(shapes: Graph, start) -> list[ox.Triple]:
    """The triples of *start* and of every node reachable from it (its property shapes,
    lists, the shapes it refers to)."""
    seen, todo, found = {start}, [start], []
    while todo:
        node = todo.pop()
        for t in shapes.triples(node, None, None):
            found.append(t)
            if isinstance(t.object, ox.NamedNode | ox.BlankNode) and t.object not in seen:
                seen.add(t.object)
                todo.append(t.object)
    return found


class _Answers:
    """A remote SELECT's rows as the embedded validator reads a pyoxigraph answer."""

    def __init__(self, variables: list[str], rows: list[tuple]) -> None:
        self.variables = [ox.Variable(v) for v in variables]
        self._rows = rows
        self._index = {v: i for i, v in enumerate(variables)}

    def __iter__(self):
        for row in self._rows:
            yield _Row(row, self._index)


class _Row:
    def __init__(self, row: tuple, index: dict[str, int]) -> None:
        self.row, self.index = row, index

    def __getitem__(self, key):
        name = key.value if isinstance(key, ox.Variable) else key
        return self.row[self.index[name]] if name in self.index else None


class _Store:
    """The endpoint, answering the compiled checks as the embedded validator asks them
    (``query(text)``): each text screened, then sent with the dataset named."""

    def __init__(self, endpoint: str, default_graphs: list[str], limits: Limits) -> None:
        self.endpoint, self.default_graphs, self.limits = endpoint, default_graphs, limits
        self.sent = 0

    def query(self, text: str, **_dataset) -> _Answers:
        screened = screen_check(text, self.limits)
        self.sent += 1
        found = remote.query(self.endpoint, screened, self.limits, self.default_graphs)
        return _Answers(found.variables, found.rows)


def screen_check(text: str, limits: Limits) -> ScreenedQuery:
    # No FROM: the dataset is the protocol's default-graph-uri the caller names.
    return screen(text, "a compiled shape check", allowed_graph=lambda _iri: False, limits=limits)


def validate(
    endpoint: str,
    shapes: Shapes,
    default_graphs: list[str],
    members: dict[str, Iterable[str]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
) -> ValidationReport:
    """Validate the merge of *default_graphs* at *endpoint* against *shapes*.

    *members*: nodes to be taken as instances of a class beyond what the store says
    (class IRI → node IRIs: the triples ``node a class`` added for the run), and so of
    each class above it. Refused (``Unsupported``) when the compiler is not proven on
    the shapes, or a class the checks need has a blank node below it (which a query
    cannot name).
    """
    check_shapes(shapes)
    store = _Store(endpoint, default_graphs, limits)
    text = f"SELECT DISTINCT ?sub ?super WHERE {{ ?sub {_n3(SUBCLASS_OF)} ?super }}"
    answer = store.query(text)
    subclasses = subclass_map((row["sub"], row["super"]) for row in answer)
    listed: dict[ox.NamedNode, list] = {}
    for cls, nodes in (members or {}).items():
        added = [ox.NamedNode(n) for n in nodes]
        for above, below in [*subclasses.items(), (ox.NamedNode(cls), [])]:
            if above == ox.NamedNode(cls) or ox.NamedNode(cls) in below:
                listed.setdefault(above, []).extend(added)
    try:
        for cls in listed:  # the store's own instances beside the added ones
            types = ", ".join(_n3(c) for c in subclasses.get(cls) or [cls])
            found = store.query(
                f"SELECT DISTINCT ?x WHERE {{ ?x {RDF_TYPE} ?t FILTER(?t IN ({types})) }}"
            )
            listed[cls] = sorted({*listed[cls], *(row["x"] for row in found)}, key=str)
        rest, handed = split(skolemized(shapes.triples))
        compilers = _compilers(Graph(rest), subclasses, listed)
        checks = _checks(compilers)
        for check in checks:
            screen_check(check.query, limits)  # every check screened before the first is sent
        whole, done = Graph(skolemized(shapes.triples)), set()
        for compiler in compilers:
            checks += _prebound_checks(store, whole, compiler, handed, done)
    except NotCompiled as exc:
        raise Unsupported(
            f"these shapes cannot be validated inside the store ({exc})",
            hint="validate here instead (without the endpoint)",
        ) from None
    # one check at a time: the store's own limits are not known here
    results = _results(_answers(store, {}, checks, 1), shapes, checks, progress)
    if len(compilers) > 1:
        results = _once(results)
    return ValidationReport(conforms=not results, results=results, shapes=shapes)


def _compilers(shapes: Graph, subclasses: dict, listed: dict) -> list[RemoteCompiler]:
    """One compiler, or one per part of the longest member list where a class has more
    members than a query names (``remote.MAX_LISTED``): each names that part of them (of
    each such class) as the targets of its checks."""
    long = {cls: len(nodes) for cls, nodes in listed.items() if len(nodes) > remote.MAX_LISTED}
    if not long:
        return [RemoteCompiler(shapes, subclasses, listed)]
    split_lists = {cls: remote.in_parts(listed[cls]) for cls in long}
    count = max(len(parts) for parts in split_lists.values())
    return [
        RemoteCompiler(
            shapes,
            subclasses,
            {
                cls: (split_lists[cls][k] if k < len(split_lists[cls]) else [])
                if cls in long
                else nodes
                for cls, nodes in listed.items()
            },
            long,
        )
        for k in range(count)
    ]


def _checks(compilers: list[RemoteCompiler]) -> list[Check]:
    """The first compiler's checks, and of the others' those that name their own part of
    a member list (a check the parts do not change is run once)."""
    first = compilers[0].checks()
    checks = list(first)
    for compiler in compilers[1:]:
        made = compiler.checks()
        if len(made) != len(first):  # (the same shapes make as many checks)
            raise NotCompiled("the checks of the parts of a member list differ")
        checks += [c for c, f in zip(made, first, strict=True) if c.query != f.query]
    return checks


_RESULT_KEY = ("focus", "path", "value", "source_shape", "component", "severity", "message")


def _once(results: list) -> list:
    """Each result once, for checks run in parts: a focus node in the member lists of two
    target classes is found by a part of each. (Two results alike in every field, which only
    one shape stating one constraint twice would make, are one result here.)"""
    seen, kept = set(), []
    for result in results:
        key = tuple(repr(getattr(result, name)) for name in _RESULT_KEY)
        if key not in seen:
            seen.add(key)
            kept.append(result)
    return kept


def _prebound_checks(
    store: _Store, g: Graph, compiler: RemoteCompiler, handed, done: set
) -> list[Check]:
    """One check per focus node of each handed-over SPARQL constraint, with $this
    pre-bound (the focus nodes found in the store first). *done* holds the target lookups
    and (constraint, focus node) pairs made already, by the compilers of the other parts
    of a member list: each is made once."""
    checks = []
    for shape, constraint in handed:
        lookup = compiler.targets(shape)
        if lookup is None or (shape, SH_DEACTIVATED, None) in g or (constraint, lookup) in done:
            continue
        done.add((constraint, lookup))
        found = [
            row
            for row in store.query(f"SELECT ?this WHERE {{ {lookup} }}")
            if (constraint, row["this"]) not in done
        ]
        done.update((constraint, row["this"]) for row in found)
        select = g.value(constraint, SH_SELECT).value
        message = g.value(constraint, SH_MESSAGE) or g.value(shape, SH_MESSAGE)
        severity = g.value(shape, SH_SEVERITY) or ox.NamedNode(SH + "Violation")
        for row in found:
            checks.append(
                Check(
                    prebound(select, row["this"], store.limits),
                    shape,
                    None,
                    ox.NamedNode(SH + "SPARQLConstraintComponent"),
                    message.value if message is not None else "SPARQL constraint violated",
                    severity,
                    sparql=True,
                )
            )
    return checks
