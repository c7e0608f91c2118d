"""OWL-RL reasoning on Oxigraph: the ontology closed once, then compiled instance rules.

The schema (the ontology, plus any schema triples in the data) is small, so
another engine closes it (the pipeline passes its ``close_schema``: owlrl); the
closed TBox is then compiled into instance rules (types,
domains, ranges, sub/inverse/transitive/functional properties, owl:sameAs) run
semi-naively over integer-coded terms until nothing new is derived.
(Evaluating the same rules as SPARQL UPDATE rounds in Oxigraph was tried first:
it re-joins the whole graph every round and took 46 s at 100k triples against
1.8 s for this.) An ontology using constructs the compiler does not know is
refused (``Unsupported``), never reasoned over wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ...core.errors import Setting, ZonekgError
from ...core.namespaces import OWL, RDF, RDFS, XSD
from ...core.settings import exceeded
from ...safety.screen import sparql_iri
from ..base import Progress, SchemaCloser, Unsupported

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"

#: TBox constructs whose instance rules the compiler does not generate.
_UNSUPPORTED = {
    OWL + name
    for name in (
        "someValuesFrom",
        "allValuesFrom",
        "hasValue",
        "intersectionOf",
        "unionOf",
        "complementOf",
        "oneOf",
        "propertyChainAxiom",
        "hasKey",
        "maxCardinality",
        "maxQualifiedCardinality",
        "onProperty",
    )
}

#: Data triples with these predicates (or any owl: one but sameAs) are schema, not instances.
_SCHEMA_PREDICATES = ", ".join(
    f"<{RDFS}{name}>" for name in ("subClassOf", "subPropertyOf", "domain", "range")
)


@dataclass
class RuleSet:
    """Instance rules compiled from a closed TBox."""

    tbox: list[ox.Triple]  # the closed TBox triples, part of the closure
    superclasses: dict[str, set[str]]
    domains: dict[str, set[str]]
    ranges: dict[str, set[str]]
    superproperties: dict[str, set[str]]
    inverses: set[tuple[str, str]]
    transitive: set[str]
    symmetric: set[str]
    functional: set[str]
    inverse_functional: set[str]


def schema_query(ontology: list[str], data: list[str]) -> str:
    """The CONSTRUCT of the schema: the *ontology* graphs whole, and the triples of the
    *data* graphs that speak about classes and properties (one definition for the rules
    compiled here and for reasoning inside a remote store)."""
    onto = " ".join(sparql_iri(g) for g in ontology) or "<urn:none>"
    data_values = " ".join(sparql_iri(g) for g in data) or "<urn:none>"
    return f"""
    CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {{ VALUES ?g {{ {onto} }} GRAPH ?g {{ ?s ?p ?o }} }}
      UNION
      {{ VALUES ?g {{ {data_values} }} GRAPH ?g {{ ?s ?p ?o }}
         FILTER(?p IN ({_SCHEMA_PREDICATES}) || (STRSTARTS(STR(?p), "{OWL}")
                && ?p != <{OWL}sameAs>)) }}
      UNION
      {{ VALUES ?g {{ {data_values} }} GRAPH ?g {{ ?s a ?o }}
         FILTER(STRSTARTS(STR(?o), "{RDFS}") || STRSTARTS(STR(?o), "{OWL}")
                || STRSTARTS(STR(?o), "{RDF}")) BIND(<{RDF_TYPE}> AS ?p) }}
    }}"""


def _schema_triples(
    store: ox.Store, ontology: list[ox.NamedNode], data: list[ox.NamedNode]
) -> list[ox.Triple]:
    """The ontology, plus data triples that speak about classes and properties."""
    return list(store.query(schema_query([g.value for g in ontology], [g.value for g in data])))


def compile_rules(
    store: ox.Store, ontology: list, data: list, close_schema: SchemaCloser
) -> RuleSet:
    """Close the schema (it is small) with *close_schema* and read off the instance rules."""
    asserted = set(_schema_triples(store, ontology, data))
    unsupported = sorted({t.predicate.value for t in asserted} & _UNSUPPORTED)
    if unsupported:
        reference = Setting("engine", "reference")
        raise Unsupported(
            "the fast reasoner does not compile these OWL constructs: " + ", ".join(unsupported),
            hint=f"use {reference} (owlrl) for this ontology",
            settings=(reference,),
        )
    tbox = close_schema(sorted(asserted, key=str))
    schema = [*asserted, *tbox]

    def pairs(predicate: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for t in schema:
            s, o = t.subject, t.object
            named = isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)
            if t.predicate.value == predicate and named:
                found.setdefault(s.value, set()).add(o.value)
        return found

    def typed(cls: str) -> set[str]:
        return {
            t.subject.value
            for t in schema
            if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(cls)
        }

    inverses = set()
    for p, qs in pairs(OWL + "inverseOf").items():
        for q in qs:
            inverses |= {(p, q), (q, p)}

    return RuleSet(
        tbox=tbox,
        superclasses=pairs(RDFS + "subClassOf"),
        domains=pairs(RDFS + "domain"),
        ranges=pairs(RDFS + "range"),
        superproperties=pairs(RDFS + "subPropertyOf"),
        inverses=inverses,
        transitive=typed(OWL + "TransitiveProperty"),
        symmetric=typed(OWL + "SymmetricProperty"),
        functional=typed(OWL + "FunctionalProperty"),
        inverse_functional=typed(OWL + "InverseFunctionalProperty"),
    )


def closure(
    store: ox.Store,
    ontology: list[ox.NamedNode],
    data: list[ox.NamedNode],
    target: ox.NamedNode,
    progress: Progress,
    close_schema: SchemaCloser,
    cap: int | None = None,
    max_rounds: int = 10_000,
) -> None:
    """Materialise the OWL-RL closure of the *ontology* and *data* graphs into *target*.

    Like the reference engine, *target* holds only what is not asserted, and no
    reflexive owl:sameAs. Triples with a literal subject (generalised RDF that
    owlrl makes internally, e.g. ``"9" rdf:type xsd:integer``) cannot be stored
    in RDF and are left out. *cap* stops the work (LimitError) once the closure
    passes that many triples. Each round only looks at the triples the previous
    round derived, so the cost follows the size of the closure, not rounds x size.
    """
    rules = compile_rules(store, ontology, data, close_schema)
    store.update(f"DROP SILENT GRAPH {target}")
    # Terms become small ints: hashing an int is far cheaper than a pyoxigraph term.
    terms: list = []
    ids: dict = {}

    def enc(term) -> int:
        found = ids.get(term)
        if found is None:
            found = ids[term] = len(terms)
            terms.append(term)
        return found

    asserted = {
        (enc(q.subject), enc(q.predicate), enc(q.object))
        for g in [*ontology, *data]
        for q in store.quads_for_pattern(None, None, None, g)
    }
    tbox = {(enc(t.subject), enc(t.predicate), enc(t.object)) for t in rules.tbox}
    engine = _SemiNaive(rules, asserted | tbox, enc, progress)
    engine.cap = cap
    engine.literals = {i for i, t in enumerate(terms) if isinstance(t, ox.Literal)}
    engine.named = {i for i, t in enumerate(terms) if isinstance(t, ox.NamedNode)}
    known = engine.run(max_rounds)
    rdf_type = ids.get(ox.NamedNode(RDF_TYPE))
    disjoint = datatype_disjointness(
        {t.datatype.value for t in terms if isinstance(t, ox.Literal)},
        {terms[o].value for _, p, o in asserted if p == rdf_type},
    )
    known |= {(enc(t.subject), enc(t.predicate), enc(t.object)) for t in disjoint}
    same = enc(ox.NamedNode(OWL + "sameAs"))
    _add(store, terms, [t for t in known - asserted if t[1] != same or t[0] != t[2]], target)


def _add(store: ox.Store, terms: list, triples: list, target: ox.NamedNode) -> None:
    """Add the integer-coded *triples* to *target*: as N-Triples text parsed by the store
    (at 1M triples 1.5 s against 2.0 s making a Python quad of each), those with a blank
    node as quads, since a load gives a document's blank nodes new names."""
    names = [None if isinstance(t, ox.BlankNode) else str(t) for t in terms]
    lines, quads = [], []
    for s, p, o in triples:
        subject, value = names[s], names[o]
        if subject is None or value is None:
            quads.append(ox.Quad(terms[s], terms[p], terms[o], target))
        else:
            lines.append(f"{subject} {names[p]} {value} .\n")
    text = "".join(lines).encode()
    store.load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=target, lenient=True)
    store.extend(quads)


_DECIMALS = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
)
_STRINGS = "string normalizedString token language Name NCName NMTOKEN"
_OWN_FAMILY = "dateTime double float boolean hexBinary base64Binary anyURI"

#: OWL 2 RL's datatypes (OWL 2 Profiles, 4.2), each mapped to the widest RL datatype of its
#: value space. Datatypes of two value spaces are disjoint, and the RL closure states it
#: (owl:disjointWith between the two widest) for those the graph uses; xsd:string's values are
#: rdf:PlainLiteral's without a language tag, so that pair is the one that is not disjoint.
_VALUE_SPACE = {
    **{XSD + name: XSD + "decimal" for name in _DECIMALS.split(" ")},
    **{XSD + name: XSD + "string" for name in _STRINGS.split(" ")},
    **{XSD + name: XSD + name for name in _OWN_FAMILY.split(" ")},
    XSD + "dateTimeStamp": XSD + "dateTime",
    RDF + "XMLLiteral": RDF + "XMLLiteral",
    RDF + "PlainLiteral": RDF + "PlainLiteral",
}
_NOT_DISJOINT = frozenset((XSD + "string", RDF + "PlainLiteral"))


def datatype_disjointness(literal_types: set[str], node_types: set[str]) -> list[ox.Triple]:
    """The disjointness of the RL datatypes a graph uses, given the datatypes of its literals
    and the classes it types nodes with: one triple per pair of value spaces. The compiled
    rules do not see literals, so these are added beside them (here, and by reasoning in a
    store); the reference engine (owlrl) states the same pairs, and a graph using xsd:boolean
    and xsd:decimal literals showed the difference."""
    # A plain literal is xsd:string to Oxigraph but has no datatype to rdflib, which does not
    # count it; xsd:string is then counted only where a node is typed with it.
    named = (literal_types - {XSD_STRING}) | node_types
    used = sorted({_VALUE_SPACE[d] for d in named if d in _VALUE_SPACE})
    disjoint = ox.NamedNode(OWL + "disjointWith")
    return [
        ox.Triple(ox.NamedNode(a), disjoint, ox.NamedNode(b))
        for i, a in enumerate(used)
        for b in used[i + 1 :]
        if frozenset((a, b)) != _NOT_DISJOINT
    ]


def _individual_is_a_value() -> Unsupported:
    # owlrl then types the individual as the literal's datatype (dt-type2 and eq-rep-s
    # over a literal subject): rules these compiled ones do not have.
    return Unsupported(
        "an individual is owl:sameAs a literal (a functional property with an IRI "
        "and a literal value, or owl:sameAs a literal)"
    )


class _SemiNaive:
    """Forward chaining of a RuleSet: every rule fires once per newly derived triple."""

    def __init__(self, rules: RuleSet, start: set, enc: Callable, progress: Progress) -> None:
        def n(iri: str) -> int:
            return enc(ox.NamedNode(iri))

        self.cap: int | None = None
        self.literals: set[int] = set()
        self.named: set[int] = set()
        self.type = n(RDF_TYPE)
        self.same = n(OWL + "sameAs")
        self.progress = progress

        def table(pairs: dict[str, set[str]], drop_self: bool = True) -> dict:
            return {
                n(k): [n(v) for v in sorted(vs) if not (drop_self and v == k)]
                for k, vs in pairs.items()
            }

        self.sup = table(rules.superclasses)
        self.dom = table(rules.domains, drop_self=False)
        self.rng = table(rules.ranges, drop_self=False)
        self.supp = table(rules.superproperties)
        self.inv: dict = {}
        for p, q in rules.inverses:
            self.inv.setdefault(n(p), []).append(n(q))
        self.sym = {n(p) for p in rules.symmetric}
        self.trans = {n(p) for p in rules.transitive}
        self.func = {n(p) for p in rules.functional}
        self.ifunc = {n(p) for p in rules.inverse_functional}
        # (p, s) -> objects and (p, o) -> subjects, only for the properties whose rules join.
        self.joined = self.trans | self.func | self.ifunc | {self.same}
        self.out: dict = {}
        self.inn: dict = {}
        self.known: set = set()
        self.aliased = False  # whether an owl:sameAs is known: then aliases' rules fire
        self.delta = set(start)

    def run(self, max_rounds: int) -> set:
        for _ in range(max_rounds):
            if not self.delta:
                return self.known
            # The rules a triple fires depend on its predicate first: grouped by it, each rule
            # runs over a list of triples instead of being looked up for each (at 1M: 5.1 s
            # -> 3.8 s for the rounds).
            by_predicate: dict = {}
            for t in self.delta:
                found = by_predicate.get(t[1])
                if found is None:
                    by_predicate[t[1]] = [t]
                else:
                    found.append(t)
            self._remember(by_predicate)
            new: set = set()
            for p, triples in by_predicate.items():
                self._fire(p, triples, new)
            if self.aliased:
                self._fire_aliases(new)
            self._aliases(by_predicate.get(self.same, ()), new)
            self.delta = new - self.known
            self.progress("reason", len(self.delta))
            if self.cap is not None and len(self.known) + len(self.delta) > self.cap:
                raise exceeded(
                    "max_triples",
                    self.cap,
                    f"reasoning stopped: the closure passed {self.cap} triples (triple-count cap)",
                )
        raise ZonekgError(f"reasoning did not reach a fixpoint in {max_rounds} rounds")

    def _remember(self, by_predicate: dict) -> None:
        self.known |= self.delta
        out, inn, same = self.out, self.inn, self.same
        for p in self.joined.intersection(by_predicate):
            for s, _, o in by_predicate[p]:
                # x owl:sameAs x (the closed schema states it of every term) joins nothing new;
                # counted as an alias, it made every triple look for aliases (3.8 s -> 1.5 s)
                if p != same or s != o:
                    out.setdefault((p, s), set()).add(o)
                    inn.setdefault((p, o), set()).add(s)
                    self.aliased = self.aliased or p == same

    def _fire(self, p: int, triples: list, new: set) -> None:
        """The rules a round's *triples* of predicate *p* fire, into *new*."""
        rdf_type, same, literals = self.type, self.same, self.literals
        update = new.update
        if p == rdf_type:
            sup = self.sup
            update((s, p, d) for s, _, o in triples for d in sup.get(o, ()))
        domains = self.dom.get(p)
        if domains:
            update((s, rdf_type, d) for s, _, _ in triples for d in domains)
        supers = self.supp.get(p)
        if supers:
            update((s, q, o) for s, _, o in triples for q in supers)
        ranges, inverses, symmetric = self.rng.get(p), self.inv.get(p), p in self.sym
        functional = p in self.func
        if not (ranges or inverses or symmetric or functional or p == same):
            if p in self.trans or p in self.ifunc:
                self._join(p, triples, new)
            return
        resources = [t for t in triples if t[2] not in literals] if literals else triples
        if len(resources) != len(triples):
            if inverses or symmetric:
                # owlrl turns it round into a triple with a literal subject, whose range and
                # property rules then reach the subject: rules these compiled ones do not have
                raise Unsupported("an inverse or symmetric property has a literal value")
            if p == same:
                raise _individual_is_a_value()
        if ranges:
            update((o, rdf_type, d) for _, _, o in resources for d in ranges)
        if inverses:
            update((o, q, s) for s, _, o in resources for q in inverses)
        if symmetric:
            update((o, p, s) for s, _, o in resources)
        if functional:
            add, out = new.add, self.out
            for s, _, o in resources:
                for other in out.get((p, s), ()):
                    if other != o:
                        if other in literals:
                            raise _individual_is_a_value()
                        add((o, same, other))
                        add((other, same, o))
        if p == same:
            update((o, p, s) for s, _, o in resources)
        self._join(p, triples, new)

    def _join(self, p: int, triples: list, new: set) -> None:
        """The rules that join a triple with the known ones: transitive and inverse
        functional properties, and owl:sameAs (symmetric above, transitive here)."""
        add, out, inn = new.add, self.out, self.inn
        if p in self.trans or p == self.same:
            for s, _, o in triples:
                for z in out.get((p, o), ()):
                    add((s, p, z))
                for x in inn.get((p, s), ()):
                    add((x, p, o))
        if p in self.ifunc:
            same = self.same
            for s, _, o in triples:
                for other in inn.get((p, o), ()):
                    if other != s:
                        add((s, same, other))
                        add((other, same, s))

    def _fire_aliases(self, new: set) -> None:
        """A statement about a node also holds of each of its aliases."""
        add, out, same, literals, named = new.add, self.out, self.same, self.literals, self.named
        for s, p, o in self.delta:
            for alias in out.get((same, s), ()):
                add((alias, p, o))
            if o not in literals:
                for alias in out.get((same, o), ()):
                    add((s, p, alias))
            for alias in out.get((same, p), ()):
                if alias in named:
                    add((s, alias, o))

    def _aliases(self, sames: list, new: set) -> None:
        """A new alias x = y (of this round's owl:sameAs, *sames*) also gets every statement
        already known about x."""
        fresh = {(s, o) for s, _, o in sames if s != o and o not in self.literals}
        if not fresh:
            return
        by_node: dict = {}
        for x, y in fresh:
            by_node.setdefault(x, []).append(y)
        for s, p, o in self.known:
            if s in by_node:
                new.update((y, p, o) for y in by_node[s])
            if o in by_node:
                new.update((s, p, y) for y in by_node[o])
            if p in by_node:
                new.update((s, y, o) for y in by_node[p] if y in self.named)
