"""SHACL validation compiled to SPARQL and run by Oxigraph.

Each constraint of each shape becomes one SELECT query that returns the
violating (focus node, value) pairs for all focus nodes at once, so the work
is done by Oxigraph's joins instead of a per-node walk in Python. Targets are
matched against the data and the ontology together (class targets follow
rdfs:subClassOf*), as pySHACL does with the ontology mixed in.

The compiler covers the SHACL core components the project uses (class,
datatype, nodeKind, pattern, languageIn, uniqueLang, min/max count, qualified
counts, min/max ranges, lengths, in, or, and, not, node) and SHACL-SPARQL
SELECT constraints (with $this pre-bound by joining the targets first). A shape
that needs anything else raises Unsupported, and the caller falls back to
another engine rather than validating it wrongly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ...core import namespaces as ns
from ...core.errors import QueryError
from ...safety.screen import screen, sparql_iri, sparql_literal, sparql_term


class _Namespace:
    """Terms of a vocabulary as pyoxigraph IRIs: ``SH.path``, ``SH["in"]``."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + name)

    def __getattr__(self, name: str) -> ox.NamedNode:
        return self[name]


SH, RDF, RDFS, OWL, XSD = (_Namespace(base) for base in (ns.SH, ns.RDF, ns.RDFS, ns.OWL, ns.XSD))
TRUE = ox.Literal("true", datatype=XSD.boolean)


class Graph:
    """A (small) shapes graph of pyoxigraph terms, with the lookups the compiler makes;
    None in a pattern matches anything.

    Literals are kept as written: an Oxigraph store would keep ``"1"^^xsd:boolean`` as
    ``true``, and the shapes mean what they spell (``sh:uniqueLang "1"^^xsd:boolean`` is
    not ``sh:uniqueLang true``)."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self._index: dict[tuple, list[ox.Triple]] = {}
        for t in dict.fromkeys(triples):  # each triple once, in the order given
            for s in (t.subject, None):
                for p in (t.predicate, None):
                    for o in (t.object, None):
                        self._index.setdefault((s, p, o), []).append(t)

    def triples(self, s=None, p=None, o=None) -> Iterator[ox.Triple]:
        return iter(self._index.get((s, p, o), ()))

    def __contains__(self, pattern: tuple) -> bool:
        return next(self.triples(*pattern), None) is not None

    def __iter__(self) -> Iterator[ox.Triple]:
        return self.triples()

    def objects(self, s=None, p=None) -> list:
        return [t.object for t in self.triples(s, p, None)]

    def subjects(self, p=None, o=None) -> list:
        return [t.subject for t in self.triples(None, p, o)]

    def subject_objects(self, p) -> list[tuple]:
        return [(t.subject, t.object) for t in self.triples(None, p, None)]

    def predicates(self) -> set:
        return {t.predicate for t in self.triples()}

    def value(self, s, p):
        return next((t.object for t in self.triples(s, p, None)), None)

    def items(self, node) -> list:
        """The members of the RDF list at *node* (ValueError if it loops)."""
        found, seen = [], {node}
        while node is not None:
            item = self.value(node, RDF.first)
            if item is not None:
                found.append(item)
            node = self.value(node, RDF.rest)
            if node in seen:
                raise ValueError("the list contains a recursive rdf:rest reference")
            seen.add(node)
        return found


def _int(term) -> int:
    """A literal's integer value (ValueError for anything else)."""
    if not isinstance(term, ox.Literal):
        raise ValueError(f"{term} is not a number")
    return int(term.value)


#: Scratch graph for one validation run: instance-of (x ISA class) and target (x TARGET shape)
#: pairs, computed once so that each check looks them up instead of walking the hierarchy.
SCRATCH = "https://w3id.org/zonekg/graph/validation-scratch"
ISA = "https://w3id.org/zonekg/graph/validation-scratch#isa"
TARGET = "https://w3id.org/zonekg/graph/validation-scratch#target"


def instance_of(v: str, cls: str) -> str:
    return f"GRAPH {sparql_iri(SCRATCH)} {{ {v} {sparql_iri(ISA)} {cls} }}"


def prepare(store, default_graph, checks: list[Check]) -> None:
    """Fill the scratch graph: the types of every node, then the targets of every shape.

    *default_graph*: the graphs the data is in (None: the store's default graph).
    """
    scratch, isa = sparql_iri(SCRATCH), sparql_iri(ISA)
    store.update(f"DROP SILENT GRAPH {scratch}")
    using = " ".join(f"USING {sparql_term(g)}" for g in default_graph or ())
    type_, sub = sparql_term(RDF.type), sparql_term(RDFS.subClassOf)
    # the superclasses of each class once, then its instances: the path walked for each
    # typed node took 1.8 s at a million triples
    classes = f"SELECT DISTINCT ?t WHERE {{ ?any {type_} ?t }}"
    store.update(
        f"INSERT {{ GRAPH {scratch} {{ ?x {isa} ?c }} }} {using} "
        f"WHERE {{ {{ SELECT ?t ?c WHERE {{ {{ {classes} }} ?t {sub}* ?c }} }} ?x {type_} ?t }}"
    )
    if using:  # the targets read the instances found above, in the scratch graph
        using += f" USING NAMED {scratch}"
    done = set()
    for check in checks:
        if check.target_shape in done:
            continue
        done.add(check.target_shape)
        store.update(
            f"INSERT {{ GRAPH {scratch} {{ ?this {sparql_iri(TARGET)} "
            f"{sparql_term(check.target_shape)} }} }} {using} WHERE {check.target_query}"
        )


def finish(store) -> None:
    store.update(f"DROP SILENT GRAPH {sparql_iri(SCRATCH)}")


#: Datatypes whose lexical forms pySHACL (through rdflib) checks: ill-formed ones fail
#: sh:datatype.
_CHECKED = {
    XSD.date,
    XSD.dateTime,
    XSD.time,
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.boolean,
}
_INTEGER_TYPES = {
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}
_INTEGER_RANGES = {
    XSD.nonNegativeInteger: ">= 0",
    XSD.positiveInteger: "> 0",
    XSD.nonPositiveInteger: "<= 0",
    XSD.negativeInteger: "< 0",
}
#: Components handled where they stand; anything else with sh: in its name is refused.
_KNOWN = {
    SH[name]
    for name in (  # noqa: SIM905
        "path targetClass targetNode targetSubjectsOf targetObjectsOf property sparql "
        "class datatype nodeKind pattern flags languageIn uniqueLang minCount maxCount "
        "qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint "
        "minInclusive maxInclusive minExclusive maxExclusive minLength maxLength in or and not "
        "node message severity deactivated name description order group defaultValue "
        "declare prefixes prefix namespace select"
    ).split()
}


_PATH_KEYS = (
    RDF.first,
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)


class NotCompiled(Exception):
    """The shapes use SHACL this compiler does not translate."""


@dataclass
class Check:
    query: str
    source_shape: ox.NamedNode
    path: ox.NamedNode | None
    component: ox.NamedNode
    message: str
    severity: ox.NamedNode
    sparql: bool = False  # a SHACL-SPARQL constraint: ?path/?value come from the query
    target_shape: ox.NamedNode | None = None
    target_query: str = ""


def _n3(term) -> str:
    """A term of the shapes as SPARQL, written by the screen's term writer (never pasted)."""
    try:
        return sparql_term(term)
    except ValueError as exc:
        raise NotCompiled(f"{exc} where an IRI or literal is needed") from None


def _string(text: str) -> str:
    return sparql_literal(text)


class Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.fresh = itertools.count()
        self.target_queries: dict = {}
        for p in shapes.predicates():
            if p.value.startswith(ns.SH) and p not in _KNOWN:
                raise NotCompiled(f"{p.value} is not compiled")

    def var(self) -> str:
        return f"?v{next(self.fresh)}"

    def items(self, node) -> list:
        return self.g.items(node)

    # ------------------------------------------------------------------ paths

    def path(self, node) -> str:
        g = self.g
        if isinstance(node, ox.NamedNode) and not any((node, p, None) in g for p in _PATH_KEYS):
            return _n3(node)  # a predicate (a skolemised complex path is an IRI too)
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(x) for x in self.items(node)) + ")"
        for predicate, fmt in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = g.value(node, predicate)
            if inner is not None:
                return fmt.format(self.path(inner))
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in self.items(alt)) + ")"
        raise NotCompiled(f"path {node.value}")

    # ------------------------------------------------------------------ targets

    def targets(self, shape) -> str | None:
        g = self.g
        parts = []
        for c in g.objects(shape, SH.targetClass):
            parts += self.class_members(c)
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            parts += self.class_members(shape)
        for node in g.objects(shape, SH.targetNode):
            parts.append(f"BIND({_n3(node)} AS ?this)")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_n3(p)} [] .")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"[] {_n3(p)} ?this .")
        if not parts:
            return None
        union = " UNION ".join("{ " + p + " }" for p in parts)
        self.target_queries[shape] = f"{{ {union} }}"
        return self.target_lookup(shape)

    def target_lookup(self, shape) -> str:
        """The pattern that binds ?this to the focus nodes of *shape* in a check: the targets
        found once in the scratch graph (``prepare``)."""
        return f"GRAPH {sparql_iri(SCRATCH)} {{ ?this {sparql_iri(TARGET)} {_n3(shape)} }}"

    def one_of(self, v: str, members: list) -> str:
        """A test true when *v* is one of the terms *members* (sh:in: the same term)."""
        tests = " || ".join(f"sameTerm({v}, {_n3(x)})" for x in members)
        return f"({tests or 'false'})"

    def violated(self, component, expr: str) -> str:
        """An expression true when the test *expr* of *component* finds a violation: an
        error (a value the test cannot compare) is one."""
        return f"COALESCE({expr}, true)"

    def class_members(self, cls) -> list[str]:
        """Patterns (alternatives) that bind ?this to each instance of the class *cls*: its
        instances in the scratch graph, which ``prepare`` fills before it finds targets."""
        return [instance_of("?this", _n3(cls))]

    def not_instance(self, v: str, cls) -> str:
        """An expression true when node *v* is not an instance of the class *cls*."""
        return f"NOT EXISTS {{ {instance_of(v, _n3(cls))} }}"

    # ------------------------------------------------------------------ value tests

    def bad(self, shape, v: str) -> list[tuple[ox.NamedNode, str]]:
        """(component, expression true when value *v* violates it) for value-type components."""
        g = self.g
        found = []
        for c in g.objects(shape, SH["class"]):
            test = self.not_instance(v, c)
            found.append((SH.ClassConstraintComponent, test))
        for d in g.objects(shape, SH.datatype):
            found.append((SH.DatatypeConstraintComponent, f"!({self.datatype_ok(d, v)})"))
        for kind in g.objects(shape, SH.nodeKind):
            test = {
                SH.IRI: f"isIRI({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNodeOrIRI: f"(isIRI({v}) || isBlank({v}))",
                SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
                SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
            }.get(kind)
            if test is None:
                raise NotCompiled(f"sh:nodeKind {kind.value}")
            found.append((SH.NodeKindConstraintComponent, f"!{test}"))
        flags = g.value(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            given = flags is not None and flags.value
            args = _string(pattern.value) + (f", {_string(flags.value)}" if given else "")
            found.append(
                (
                    SH.PatternConstraintComponent,
                    f"(isBlank({v}) || !COALESCE(REGEX(STR({v}), {args}), false))",
                )
            )
        for langs in g.objects(shape, SH.languageIn):
            tests = " || ".join(
                f"langMatches(lang({v}), {_string(x.value)})" for x in self.items(langs)
            )
            test = f"!(isLiteral({v}) && COALESCE({tests or 'false'}, false))"
            found.append((SH.LanguageInConstraintComponent, test))
        for component, op in (
            (SH.minInclusive, ">="),
            (SH.maxInclusive, "<="),
            (SH.minExclusive, ">"),
            (SH.maxExclusive, "<"),
        ):
            for bound in g.objects(shape, component):
                local = component.value.split("#")[1]
                found.append(
                    (
                        SH[f"{local[0].upper()}{local[1:]}ConstraintComponent"],
                        f"!COALESCE({v} {op} {_n3(bound)}, false)",
                    )
                )
        for component, op in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for bound in g.objects(shape, component):
                name = "MinLength" if component == SH.minLength else "MaxLength"
                found.append(
                    (
                        SH[f"{name}ConstraintComponent"],
                        f"(isBlank({v}) || !(STRLEN(STR({v})) {op} {_int(bound)}))",
                    )
                )
        for members in g.objects(shape, SH["in"]):
            found.append((SH.InConstraintComponent, f"!{self.one_of(v, self.items(members))}"))
        for alternatives in g.objects(shape, SH["or"]):
            tests = " || ".join(self.conforms(x, v) for x in self.items(alternatives))
            found.append((SH.OrConstraintComponent, f"!({tests or 'false'})"))
        for parts in g.objects(shape, SH["and"]):
            tests = " && ".join(self.conforms(x, v) for x in self.items(parts))
            found.append((SH.AndConstraintComponent, f"!({tests or 'true'})"))
        for negated in g.objects(shape, SH["not"]):
            found.append((SH.NotConstraintComponent, self.conforms(negated, v)))
        for node in g.objects(shape, SH.node):
            found.append((SH.NodeConstraintComponent, f"!{self.conforms(node, v)}"))
        return found

    def datatype_ok(self, d, v: str) -> str:
        if d == RDF.langString:
            return f'isLiteral({v}) && lang({v}) != ""'
        if d in _INTEGER_RANGES:
            # Oxigraph stores integer subtypes as xsd:integer, so the subtype is read off the value.
            integer = f"isLiteral({v}) && sameTerm(datatype({v}), {_n3(XSD.integer)})"
            return f"{integer} && COALESCE({v} {_INTEGER_RANGES[d]}, false)"
        if d in _INTEGER_TYPES and d != XSD.integer:
            raise NotCompiled(f"sh:datatype {d.value} (Oxigraph normalises it to xsd:integer)")
        test = f'isLiteral({v}) && lang({v}) = "" && sameTerm(datatype({v}), {_n3(d)})'
        if d in _CHECKED:
            test += f" && COALESCE(isLiteral({_n3(d)}({v})), false)"
        return test

    def conforms(self, shape, v: str) -> str:
        """An expression true when node *v* conforms to *shape* (no results for it)."""
        g = self.g
        if (shape, SH.sparql, None) in g:
            raise NotCompiled("SHACL-SPARQL inside sh:or/sh:not/sh:node")
        path = g.value(shape, SH.path)
        tests = []
        if path is None:
            tests += [f"!{self.violated(c, expr)}" for c, expr in self.bad(shape, v)]
            for prop in g.objects(shape, SH.property):
                tests.append(self.conforms(prop, v))
        else:
            p = self.path(path)
            x = self.var()
            for c, expr in self.bad(shape, x):
                tests.append(f"NOT EXISTS {{ {v} {p} {x} FILTER({self.violated(c, expr)}) }}")
            low = g.value(shape, SH.minCount)
            if low is not None and _int(low) > 0:
                if _int(low) != 1:
                    raise NotCompiled("sh:minCount above 1 inside a logical constraint")
                tests.append(f"EXISTS {{ {v} {p} {self.var()} }}")
            high = g.value(shape, SH.maxCount)
            if high is not None:
                a, b = self.var(), self.var()
                if _int(high) == 0:
                    tests.append(f"NOT EXISTS {{ {v} {p} {a} }}")
                elif _int(high) == 1:
                    tests.append(f"NOT EXISTS {{ {v} {p} {a}, {b} FILTER(!sameTerm({a}, {b})) }}")
                else:
                    raise NotCompiled("sh:maxCount above 1 inside a logical constraint")
            qualified = g.value(shape, SH.qualifiedValueShape)
            if qualified is not None:
                y = self.var()
                low = g.value(shape, SH.qualifiedMinCount)
                high = g.value(shape, SH.qualifiedMaxCount)
                if high is not None or (low is not None and _int(low) != 1):
                    raise NotCompiled("qualified counts other than min 1 in a logical constraint")
                if low is not None:
                    tests.append(f"EXISTS {{ {v} {p} {y} FILTER({self.conforms(qualified, y)}) }}")
            if (shape, SH.uniqueLang, TRUE) in g:
                raise NotCompiled("sh:uniqueLang inside a logical constraint")
        return "(" + (" && ".join(tests) or "true") + ")"

    # ------------------------------------------------------------------ checks

    def checks(self) -> list[Check]:
        g = self.g
        found = []
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | {
            s
            for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
            for s in g.subjects(p, None)
        }
        for shape in sorted(shapes, key=lambda node: node.value):
            if (shape, SH.deactivated, TRUE) in g:
                continue
            target = self.targets(shape)
            if target is None:
                continue
            if g.value(shape, SH.path) is not None:
                raise NotCompiled(f"property shape {shape.value} with its own targets")
            mine = self.node_checks(shape, target)
            for prop in g.objects(shape, SH.property):
                if (prop, SH.deactivated, TRUE) not in g:
                    mine += self.property_checks(prop, target)
            for constraint in g.objects(shape, SH.sparql):
                if (constraint, SH.deactivated, TRUE) not in g:
                    mine.append(self.sparql_check(shape, constraint, target))
            for check in mine:
                check.target_shape = shape
                check.target_query = self.target_queries[shape]
            found += mine
        return found

    def _meta(self, shape):
        message = self.g.value(shape, SH.message)
        severity = self.g.value(shape, SH.severity) or SH.Violation
        return (message.value if message is not None else None), severity

    def node_checks(self, shape, target) -> list[Check]:
        message, severity = self._meta(shape)
        checks = []
        for component, expr in self.bad(shape, "?this"):
            query = (
                f"SELECT ?this (?this AS ?value) WHERE {{ {target} "
                f"FILTER({self.violated(component, expr)}) }}"
            )
            checks.append(
                Check(query, shape, None, component, message or _default(component), severity)
            )
        return checks

    def property_checks(self, prop, target) -> list[Check]:
        g = self.g
        path_node = g.value(prop, SH.path)
        if path_node is None:
            raise NotCompiled(f"property shape {prop.value} without sh:path")
        if (prop, SH.property, None) in g or (prop, SH.sparql, None) in g:
            raise NotCompiled(f"nested shapes in property shape {prop.value}")
        p = self.path(path_node)
        result_path = path_node
        message, severity = self._meta(prop)
        checks = []

        def add(query, component):
            checks.append(
                Check(query, prop, result_path, component, message or _default(component), severity)
            )

        for component, expr in self.bad(prop, "?value"):
            add(
                f"SELECT ?this ?value WHERE {{ {target} ?this {p} ?value "
                f"FILTER({self.violated(component, expr)}) }}",
                component,
            )

        def at_least(n: int, condition: str, component) -> None:
            if n == 1:  # the common case: no counting, one index lookup per focus node
                add(
                    f"SELECT ?this WHERE {{ {target} "
                    f"FILTER NOT EXISTS {{ ?this {p} ?x {condition} }} }}",
                    component,
                )
            elif n > 1:
                add(
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ SELECT ?this "
                    f"(COUNT(DISTINCT ?x) AS ?n) WHERE {{ {target} ?this {p} ?x {condition} }} "
                    f"GROUP BY ?this }} FILTER(COALESCE(?n, 0) < {n}) }}",
                    component,
                )

        def at_most(n: int, condition: str, component) -> None:
            add(
                f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?x) AS ?n) "
                f"WHERE {{ {target} ?this {p} ?x {condition} }} GROUP BY ?this }} "
                f"FILTER(?n > {n}) }}",
                component,
            )

        low = g.value(prop, SH.minCount)
        if low is not None:
            at_least(_int(low), "", SH.MinCountConstraintComponent)
        high = g.value(prop, SH.maxCount)
        if high is not None:
            at_most(_int(high), "", SH.MaxCountConstraintComponent)
        qualified = g.value(prop, SH.qualifiedValueShape)
        if qualified is not None:
            if (prop, SH.qualifiedValueShapesDisjoint, TRUE) in g:
                raise NotCompiled("sh:qualifiedValueShapesDisjoint")
            condition = f"FILTER({self.conforms(qualified, '?x')})"
            low = g.value(prop, SH.qualifiedMinCount)
            if low is not None:
                at_least(_int(low), condition, SH.QualifiedMinCountConstraintComponent)
            high = g.value(prop, SH.qualifiedMaxCount)
            if high is not None:
                at_most(_int(high), condition, SH.QualifiedMaxCountConstraintComponent)
        if (prop, SH.uniqueLang, TRUE) in g:
            add(
                # one result per language that two values share (SHACL 1.0 §4.4.5)
                f"SELECT DISTINCT ?this ?lang WHERE {{ {target} ?this {p} ?a, ?b "
                f'FILTER(!sameTerm(?a, ?b) && lang(?a) != "" && lang(?a) = lang(?b)) '
                f"BIND(lang(?a) AS ?lang) }}",
                SH.UniqueLangConstraintComponent,
            )
        return checks

    def sparql_check(self, shape, constraint, target) -> Check:
        g = self.g
        select = g.value(constraint, SH.select)
        if select is None:
            raise NotCompiled(f"SPARQL constraint {constraint.value} without sh:select")
        query = with_target(select.value, target, f"the sh:select of {constraint.value}")
        message = g.value(constraint, SH.message) or g.value(shape, SH.message)
        severity = g.value(shape, SH.severity) or SH.Violation
        return Check(
            query,
            shape,
            None,
            SH.SPARQLConstraintComponent,
            message.value if message is not None else "SPARQL constraint violated",
            severity,
            sparql=True,
        )


def with_target(select: str, target: str, source: str) -> str:
    """*select* (screened text, from the shapes) with the *target* pattern joined first in
    its WHERE group, which binds $this as SHACL's pre-binding does. The group is found by
    the screen's tokens (a '{' in a string is not one), and the query is screened again
    as assembled: what runs is what was screened."""
    try:
        tokens = screen(select, source, allowed_graph=lambda _iri: False).tokens
        start = _where_group(tokens)
        if start is None:
            raise NotCompiled(f"cannot find the WHERE group of {source}")
        texts = [t.text for t in tokens]
        assembled = "\n".join([*texts[: start + 1], target, *texts[start + 1 :]])
        return screen(assembled, source, allowed_graph=lambda _iri: False).text
    except QueryError as exc:
        raise NotCompiled(f"{source}: {exc.message}") from None


def _where_group(tokens) -> int | None:
    """The index of the '{' that opens the WHERE group of the query's first SELECT (the
    first '{' after it outside parentheses: a projection may hold EXISTS { })."""
    depth = 0
    seen_select = False
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "SELECT":
            seen_select = True
        elif token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
        elif seen_select and depth == 0 and token.kind == "punct" and token.text == "{":
            return i
    return None


def _default(component: ox.NamedNode) -> str:
    return component.value.split("#")[-1].replace("ConstraintComponent", " constraint violated")


def compile_shapes(shapes: Graph) -> list[Check]:
    try:
        return Compiler(shapes).checks()
    except (ValueError, TypeError) as exc:  # e.g. sh:minCount "a": pySHACL says what is wrong
        raise NotCompiled(f"a parameter value the compiler cannot read ({exc})") from None


#: What the compiler is proven on (tests/conformance, each case checked against pySHACL):
#: anything else is handed to another engine. Focus nodes come from class, subjects-of
#: and IRI node targets (never literals, which the scratch graph cannot hold); paths are
#: predicates; SPARQL constraints are SELECTs whose $this stands
#: in the top-level group (joining the targets first is then the same as pre-binding).
_SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
_UNPROVEN = {SH.targetObjectsOf, SH.deactivated, SH.ask, SH.construct}
_GROUP_OPENERS = {"EXISTS"}


#: Parameters a shape has at most one value for (SHACL 1.0 §4): more makes it ill-formed.
_AT_MOST_ONE = [
    SH[name]
    for name in (  # noqa: SIM905
        "datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive "
        "maxInclusive minLength maxLength languageIn uniqueLang in flags qualifiedMinCount "
        "qualifiedMaxCount qualifiedValueShape path severity deactivated"
    ).split()
]


def unproven(shapes: Graph) -> str | None:
    """Why the compiler is not proven on *shapes* (None: it is)."""
    g = shapes
    for parameter in _AT_MOST_ONE:
        for shape in set(g.subjects(parameter, None)):
            if len(g.objects(shape, parameter)) > 1:
                return f"more than one {ns.curie(parameter.value)} on a shape"
    for predicate in _UNPROVEN:
        if (None, predicate, None) in g:
            return f"{ns.curie(predicate.value)}"
    for node in g.objects(None, SH.targetNode):
        if not isinstance(node, ox.NamedNode):
            return f"sh:targetNode {node} (only IRI focus nodes are compiled)"
    for severity in g.objects(None, SH.severity):
        if severity not in _SEVERITIES:
            return f"the severity {severity}"
    for path in g.objects(None, SH.path):
        if not isinstance(path, ox.NamedNode) or any((path, p, None) in g for p in _PATH_KEYS):
            return "a path other than a predicate (inverse, sequence, alternative, repetition)"
    for owner, constraint in g.subject_objects(SH.sparql):
        if (owner, SH.path, None) in g:
            return "a SPARQL constraint on a property shape"
        for text in g.objects(constraint, SH.select):
            why = _select_unproven(text.value)
            if why:
                return why
    for name in ("shapesGraph", "currentShape"):
        for text in g.objects(None, SH.select):
            if f"${name}" in text.value or f"?{name}" in text.value:
                return f"${name}"
    return None


def _select_unproven(text: str) -> str | None:
    """A SELECT whose only nested groups are FILTER (NOT) EXISTS ones (screened text)."""
    tokens = [t for t in text.split("\n") if t]
    upper = [t.upper() for t in tokens]
    if upper.count("SELECT") != 1 or "{" not in tokens:
        return "a nested SELECT"
    start = tokens.index("{")
    projected = tokens[upper.index("SELECT") + 1 : start]
    if "$this" not in projected and "?this" not in projected:
        return "a SPARQL constraint that does not select $this"
    i = start + 1
    while i < len(tokens):
        if upper[i] == "OPTIONAL" and tokens[i + 1 : i + 2] == ["{"]:
            # OPTIONAL { triple patterns }: the left join on ?this is pre-binding
            end = tokens.index("}", i)
            inner = upper[i + 2 : end]
            if any(t == "{" or t.startswith(("FILTER", "BIND")) for t in inner):
                return "an OPTIONAL with more than triple patterns in a SPARQL constraint"
            i = end + 1
            continue
        if tokens[i] == "{" and upper[i - 1] not in _GROUP_OPENERS:
            return "a nested group (UNION, OPTIONAL or { }) in a SPARQL constraint"
        if upper[i] in ("UNION", "OPTIONAL", "GRAPH"):
            return f"{upper[i]} in a SPARQL constraint"
        i += 1
    return None
