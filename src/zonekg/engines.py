"""Fast backends: parsing, querying, OWL-RL reasoning and SHACL validation on Oxigraph.

The reference path (rdflib + owlrl + pyshacl, in load/reason/validate) stays the
definition of what is right; this module does the same work on a pyoxigraph
Store, and the tests check both give the same answers.

* Loading: each file goes into its own named graph (the same graph IRIs as
  ``load.graph_iri``), so ``file:line`` maps and named-graph queries agree.
* On-disk store (``location``): a large graph is parsed once; a manifest of file
  digests beside the store says when the files changed and it must be reloaded.
* Reasoning: the ontology (plus any schema triples in the data) is closed once by
  owlrl itself, which is small and quick; the closed TBox is then compiled into
  instance rules (types, domains, ranges, sub/inverse/transitive/functional
  properties, owl:sameAs) run semi-naively over integer-coded terms until
  nothing new is derived, and the result is stored as the INFERRED graph.
  (Evaluating the same rules as SPARQL UPDATE rounds in Oxigraph was tried
  first: it re-joins the whole graph every round and took 46 s at 100k
  triples against 1.8 s for this.) An ontology using constructs the compiler
  does not know is refused with a pointer to ``--engine reference`` rather than
  reasoned over wrongly.
* Validation: the shapes are compiled to SPARQL (see shacl_sparql) and run by
  Oxigraph; shapes the compiler refuses go to pyrudof's native engine. Blank
  node shapes are skolemised first so every engine reports the same source
  shape IRIs, which is what the equivalence tests compare.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .errors import LoadError, QueryError, ZonekgError
from .validate import ValidationReport, ValidationResult, owning_node_shape

ENGINES = ("oxigraph", "reference")
DEFAULT_ENGINE = "oxigraph"

_BASE = "https://w3id.org/zonekg/graph/"
INFERRED = ox.NamedNode(_BASE + "inferred")
MANIFEST = "zonekg-manifest.json"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

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

Progress = Callable[[str, int], None]


def _no_progress(_step: str, _advance: int) -> None:
    return None


@dataclass
class OxGraph:
    """A Store holding one named graph per ontology/data file (and the closure once reasoned)."""

    store: ox.Store
    ontology_files: list[Path]
    data_files: list[Path]
    location: Path | None = None
    reused: bool = False
    inferred_count: int | None = None
    graphs: dict[Path, ox.NamedNode] = field(default_factory=dict)

    @property
    def ontology_graphs(self) -> list[ox.NamedNode]:
        return [self.graphs[f] for f in self.ontology_files]

    @property
    def data_graphs(self) -> list[ox.NamedNode]:
        return [self.graphs[f] for f in self.data_files]

    @property
    def asserted_graphs(self) -> list[ox.NamedNode]:
        return [*self.ontology_graphs, *self.data_graphs]

    def over(self, default: Sequence[ox.NamedNode]) -> dict:
        """Query options that make *default* the default graph.

        When the store holds exactly those graphs, ask for the union of all named
        graphs instead of listing them: Oxigraph plans the union far better (one
        competency question: 18 s listed, 2 s as the union, at 1M triples).
        """
        if set(self.store.named_graphs()) == set(default):
            return {"use_default_graph_as_union": True}
        return {"default_graph": list(default)}

    def has_inferred(self) -> bool:
        return bool(self.store.query(f"ASK {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }}"))

    def count(self, graphs: Sequence[ox.NamedNode]) -> int:
        if not graphs:
            return 0
        values = " ".join(str(g) for g in graphs)
        result = self.store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(result))["n"].value)


# --------------------------------------------------------------------------- loading


def graph_node(file: Path) -> ox.NamedNode:
    from .load import display_path

    return ox.NamedNode(_BASE + display_path(file))


def load(
    data: Sequence[Path] | None = None,
    ontology: Sequence[Path] | None = None,
    location: Path | None = None,
    progress: Progress = _no_progress,
) -> OxGraph:
    """Parse the ontology and data files into a Store (in memory, or on disk at *location*).

    An on-disk store that already holds exactly these files (same digests) is
    reused without parsing; otherwise it is cleared and reloaded.
    """
    from .load import data_files

    ontology_files = [Path(p) for p in (ontology or [paths.ONTOLOGY])]
    files = data_files(data)
    every = [*ontology_files, *files]
    for file in every:
        if not file.is_file():
            raise LoadError("no such file", hint="check the path", file=file)
    graph = OxGraph(
        store=_open(location),
        ontology_files=ontology_files,
        data_files=files,
        location=location,
        graphs={f: graph_node(f) for f in every},
    )
    manifest = _manifest(every)
    if location is not None and _read_manifest(location) == manifest:
        graph.reused = True
        progress("load", sum(f.stat().st_size for f in every))
        return graph
    store = graph.store
    store.clear()
    for file in every:
        _load_file(store, file, graph.graphs[file], bulk=location is not None)
        progress("load", file.stat().st_size)
    if location is not None:
        store.flush()
        from .atomic import write_atomic

        write_atomic(Path(location) / MANIFEST, json.dumps(manifest, indent=1))
    return graph


def _open(location: Path | None) -> ox.Store:
    if location is None:
        return ox.Store()
    location = Path(location)
    if location.exists() and not location.is_dir():
        raise ZonekgError(
            "the store location is a file, not a folder",
            hint="give --store a folder (it is created if missing)",
            file=location,
        )
    location.mkdir(parents=True, exist_ok=True)
    try:
        return ox.Store(str(location))
    except OSError as exc:
        raise ZonekgError(
            f"cannot open the store: {exc}",
            hint="is another zonekg or oxigraph process using this folder?",
            file=location,
        ) from None


def _load_file(store: ox.Store, file: Path, graph: ox.NamedNode, bulk: bool) -> None:
    loader = store.bulk_load if bulk else store.load
    try:
        loader(
            path=str(file),
            format=ox.RdfFormat.TURTLE,
            base_iri=file.resolve().as_uri(),
            to_graph=graph,
        )
    except SyntaxError as exc:
        # Oxigraph reports "between line L column C and ..." in its 1-based message.
        raise LoadError(
            f"Turtle syntax error: {exc.msg}",
            hint="fix the Turtle at this position (a missing '.', ';' or quote is the usual cause)",
            file=file,
            line=exc.lineno,
            column=exc.offset,
        ) from None
    except (OSError, ValueError) as exc:
        raise LoadError(f"cannot load: {exc}", hint="check the file", file=file) from None


def _manifest(files: Iterable[Path]) -> dict[str, str]:
    manifest = {}
    for file in files:
        digest = hashlib.sha256()
        with Path(file).open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(block)
        manifest[str(Path(file).resolve())] = digest.hexdigest()
    return manifest


def _read_manifest(location: Path) -> dict[str, str] | None:
    try:
        return json.loads((Path(location) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- querying

_COMMENT_OR_STRING = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|#[^\n]*'
)
_UPDATE = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b\s*(DATA|WHERE|\{|<|GRAPH|SILENT|ALL|DEFAULT|NAMED)",
    re.I,
)


def check_query(text: str, source: str = "query") -> None:
    """Refuse updates and SERVICE, which Oxigraph would otherwise run (read-only, offline)."""
    bare = _COMMENT_OR_STRING.sub(" ", text)
    if re.search(r"\bSERVICE\b", bare, re.I):
        raise QueryError(
            "SERVICE is not allowed: queries never reach other endpoints",
            hint="remove the SERVICE clause",
            file=Path(source),
        )
    if _UPDATE.search(bare):
        raise QueryError(
            "updates are not allowed: the graph is read-only",
            hint="use a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            file=Path(source),
        )


def query(graph: OxGraph, text: str, reasoned: bool = False, source: str = "query"):
    """Run SPARQL over ontology + data (+ the closure when *reasoned*, computed if missing)."""
    from .namespaces import PREFIXES

    check_query(text, source)
    default = list(graph.asserted_graphs)
    if reasoned:
        if not graph.has_inferred():
            reason(graph)
        default.append(INFERRED)
    try:
        return graph.store.query(text, prefixes=dict(PREFIXES), **graph.over(default))
    except SyntaxError as exc:
        raise QueryError(
            f"SPARQL syntax error: {exc.msg}",
            hint="fix the query at this position",
            file=Path(source),
            line=exc.lineno,
            column=exc.offset,
        ) from None


def is_graph_result(result) -> bool:
    return isinstance(result, ox.QueryTriples)


def result_rows(result) -> list[dict[str, str]]:
    """SELECT rows as the SPARQL CSV format writes them (IRIs in full, literals lexical)."""
    import csv
    import io

    if isinstance(result, ox.QueryBoolean):
        return [{"ask": str(bool(result)).lower()}]
    text = result.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def render(result, fmt: str) -> str:
    """A result in csv, tsv, json or xml (CONSTRUCT/DESCRIBE as Turtle)."""
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8")
    formats = {
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
    }
    if fmt not in formats:
        raise QueryError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(formats)}")
    return result.serialize(format=formats[fmt]).decode("utf-8")


def table_cells(result) -> tuple[list[str], list[list[str]]]:
    from .namespaces import curie

    if isinstance(result, ox.QueryBoolean):
        return ["ask"], [[str(bool(result)).lower()]]
    columns = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = []
        for name in columns:
            term = solution[name]
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(curie(term.value))
            elif isinstance(term, ox.BlankNode):
                row.append(f"_:{term.value}")
            else:
                row.append(term.value)
        rows.append(row)
    return columns, rows


# --------------------------------------------------------------------------- reasoning


@dataclass
class RuleSet:
    """Instance rules compiled from a closed TBox."""

    tbox: list[tuple]  # the closed TBox triples (rdflib terms), part of the closure
    superclasses: dict[str, set[str]]
    domains: dict[str, set[str]]
    ranges: dict[str, set[str]]
    superproperties: dict[str, set[str]]
    inverses: set[tuple[str, str]]
    transitive: set[str]
    symmetric: set[str]
    functional: set[str]
    inverse_functional: set[str]


def _schema_triples(graph: OxGraph) -> list[ox.Triple]:
    """The ontology, plus data triples that speak about classes and properties."""
    onto = " ".join(str(g) for g in graph.ontology_graphs)
    data = " ".join(str(g) for g in graph.data_graphs) or "<urn:none>"
    text = f"""
    CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {{ VALUES ?g {{ {onto} }} GRAPH ?g {{ ?s ?p ?o }} }}
      UNION
      {{ VALUES ?g {{ {data} }} GRAPH ?g {{ ?s ?p ?o }}
         FILTER(?p IN ({_SCHEMA_PREDICATES}) || (STRSTARTS(STR(?p), "{OWL}")
                && ?p != <{OWL}sameAs>)) }}
      UNION
      {{ VALUES ?g {{ {data} }} GRAPH ?g {{ ?s a ?o }}
         FILTER(STRSTARTS(STR(?o), "{RDFS}") || STRSTARTS(STR(?o), "{OWL}")
                || STRSTARTS(STR(?o), "{RDF}")) BIND(<{RDF_TYPE}> AS ?p) }}
    }}"""
    return list(graph.store.query(text))


def compile_rules(graph: OxGraph) -> RuleSet:
    """Close the schema with owlrl (it is small) and read off the instance rules."""
    from owlrl import DeductiveClosure, OWLRL_Semantics
    from rdflib import Graph, Literal, URIRef

    schema = Graph()
    for triple in _schema_triples(graph):
        schema.add(tuple(to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object)))
    unsupported = sorted({str(p) for p in schema.predicates() if str(p) in _UNSUPPORTED})
    if unsupported:
        raise ZonekgError(
            "the fast reasoner does not compile these OWL constructs: " + ", ".join(unsupported),
            hint="use --engine reference (owlrl) for this ontology",
        )
    asserted = set(schema)
    DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(schema)

    def pairs(predicate: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for s, o in schema.subject_objects(URIRef(predicate)):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                found.setdefault(str(s), set()).add(str(o))
        return found

    def typed(cls: str) -> set[str]:
        return {str(s) for s in schema.subjects(URIRef(RDF_TYPE), URIRef(cls))}

    inverses = set()
    for p, qs in pairs(OWL + "inverseOf").items():
        for q in qs:
            inverses |= {(p, q), (q, p)}
    tbox = [t for t in schema if t not in asserted and not isinstance(t[0], Literal)]
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


def reason(
    graph: OxGraph,
    progress: Progress = _no_progress,
    max_rounds: int = 10_000,
    cap: int | None = None,
) -> int:
    """Materialise the OWL-RL closure into the INFERRED graph; return how many triples it has.

    Like ``reason.reason``, the graph holds only what is not asserted, and no
    reflexive owl:sameAs. Triples with a literal subject (generalised RDF that
    owlrl makes internally, e.g. ``"9" rdf:type xsd:integer``) cannot be stored
    in RDF and are left out.

    *cap* stops the work (LimitError) once the closure passes that many triples.
    The compiled rules run semi-naively in Python over pyoxigraph terms: each
    round only looks at the triples the previous round derived, so the cost
    follows the size of the closure, not rounds x size of the graph.
    """
    rules = compile_rules(graph)
    store = graph.store
    store.update(f"DROP SILENT GRAPH {INFERRED}")
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
        for g in graph.asserted_graphs
        for q in store.quads_for_pattern(None, None, None, g)
    }
    tbox = {(enc(to_ox(s)), enc(to_ox(p)), enc(to_ox(o))) for s, p, o in rules.tbox}
    engine = _SemiNaive(rules, asserted | tbox, enc, progress)
    engine.cap = cap
    engine.literals = {i for i, t in enumerate(terms) if isinstance(t, ox.Literal)}
    engine.named = {i for i, t in enumerate(terms) if isinstance(t, ox.NamedNode)}
    known = engine.run(max_rounds)
    same = enc(ox.NamedNode(OWL + "sameAs"))
    store.extend(
        ox.Quad(terms[s], terms[p], terms[o], INFERRED)
        for s, p, o in known
        if (s, p, o) not in asserted and not (p == same and s == o)
    )
    graph.inferred_count = graph.count([INFERRED])
    return graph.inferred_count


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
        self.delta = set(start)

    def run(self, max_rounds: int) -> set:
        for _ in range(max_rounds):
            if not self.delta:
                return self.known
            for t in self.delta:
                self._remember(t)
            new: set = set()
            for t in self.delta:
                self._fire(t, new)
            self._aliases(new)
            self.delta = {t for t in new if t not in self.known}
            self.progress("reason", len(self.delta))
            if self.cap is not None and len(self.known) + len(self.delta) > self.cap:
                from .limits import MAX_TRIPLES, LimitError

                raise LimitError(
                    f"reasoning stopped: the closure passed {self.cap} triples (triple-count cap)",
                    hint=MAX_TRIPLES.how_to_raise(),
                )
        raise ZonekgError(f"reasoning did not reach a fixpoint in {max_rounds} rounds")

    def _remember(self, t) -> None:
        self.known.add(t)
        s, p, o = t
        if p in self.joined:
            self.out.setdefault((p, s), set()).add(o)
            self.inn.setdefault((p, o), set()).add(s)

    def _fire(self, t, new: set) -> None:
        s, p, o = t
        add = new.add
        resource = o not in self.literals
        if p == self.type:
            for d in self.sup.get(o, ()):
                add((s, p, d))
        for d in self.dom.get(p, ()):
            add((s, self.type, d))
        if resource:
            for d in self.rng.get(p, ()):
                add((o, self.type, d))
            for q in self.inv.get(p, ()):
                add((o, q, s))
            if p in self.sym:
                add((o, p, s))
        for q in self.supp.get(p, ()):
            add((s, q, o))
        if p in self.trans:
            for z in self.out.get((p, o), ()):
                add((s, p, z))
            for x in self.inn.get((p, s), ()):
                add((x, p, o))
        if p in self.func and resource:
            for other in self.out.get((p, s), ()):
                if other != o:
                    add((o, self.same, other))
                    if other not in self.literals:
                        add((other, self.same, o))
        if p in self.ifunc:
            for other in self.inn.get((p, o), ()):
                if other != s:
                    add((s, self.same, other))
                    add((other, self.same, s))
        if p == self.same and resource:
            add((o, p, s))
            for z in self.out.get((p, o), ()):
                add((s, p, z))
            for x in self.inn.get((p, s), ()):
                add((x, p, o))
        # A statement about a node also holds of each of its aliases.
        for alias in self.out.get((self.same, s), ()):
            add((alias, p, o))
        if resource:
            for alias in self.out.get((self.same, o), ()):
                add((s, p, alias))
        for alias in self.out.get((self.same, p), ()):
            if alias in self.named:
                add((s, alias, o))

    def _aliases(self, new: set) -> None:
        """A new alias x = y also gets every statement already known about x."""
        same = self.same
        fresh = {(s, o) for s, p, o in self.delta if p == same and o not in self.literals}
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


def inferred_triples(graph: OxGraph) -> Iterable[ox.Quad]:
    return graph.store.quads_for_pattern(None, None, None, INFERRED)


# --------------------------------------------------------------------------- terms


def to_rdflib(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ZonekgError(f"unsupported RDF term {term!r}")


def to_ox(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ZonekgError(f"unsupported RDF term {term!r}")


# --------------------------------------------------------------------------- validation

SKOLEM = "https://w3id.org/zonekg/shapes/.well-known/genid/"
SH = "http://www.w3.org/ns/shacl#"


def skolemized_shapes(file: Path | None = None):
    """The shapes graph with blank nodes named, so both engines report the same shape IRIs."""
    from .load import parse_turtle
    from .query import screen_shapes

    graph, _ = parse_turtle(Path(file or paths.SHAPES))
    screen_shapes(graph, str(file or paths.SHAPES))  # their SPARQL may not use FROM or SERVICE
    return graph, graph.skolemize(basepath=SKOLEM)


def skolem_iri(node) -> str:
    """The name a shape node gets in ``skolemized_shapes`` (IRIs stay as they are)."""
    from rdflib import BNode

    return SKOLEM + str(node) if isinstance(node, BNode) else str(node)


def owning_shape(shapes, shape):
    """The node shape a skolemised property or SPARQL shape belongs to."""
    from rdflib import URIRef

    return URIRef(str(owning_node_shape(shapes, URIRef(str(shape)))))


def validate(
    graph: OxGraph,
    shapes_file: Path | None = None,
    progress: Progress = _no_progress,
    shapes=None,
):
    """SHACL validation of ontology + data: shapes compiled to SPARQL and run by Oxigraph.

    Shapes the compiler does not translate are validated by pyrudof instead.
    *shapes*, if given, is an already skolemised shapes graph (see skolemized_shapes).
    """
    if shapes is None:
        _, shapes = skolemized_shapes(shapes_file)
    from .shacl_sparql import Unsupported, compile_shapes

    try:
        checks = compile_shapes(shapes)
    except Unsupported:
        return validate_rudof(graph, shapes, progress)
    return _run_checks(graph, shapes, checks, progress)


def _run_checks(graph: OxGraph, shapes, checks, progress: Progress):
    """Run compiled SHACL checks (see shacl_sparql) over ontology + data in the store."""
    from .shacl_sparql import finish, prepare

    results = []
    default = graph.asserted_graphs
    prepare(graph.store, default, checks)
    try:
        results = _results(graph, shapes, checks, progress)
    finally:
        finish(graph.store)
    _locate(graph, results)
    return ValidationReport(conforms=not results, results=results)


def _results(graph: OxGraph, shapes, checks, progress: Progress) -> list:
    from rdflib import URIRef

    results = []
    dataset = graph.over(graph.asserted_graphs)
    for check in checks:
        for row in graph.store.query(check.query, **dataset):
            focus = to_rdflib(row["this"])
            value = row["value"] if "value" in check.query else None
            path = check.path
            if check.sparql and "?path" in check.query and row["path"] is not None:
                path = to_rdflib(row["path"])
            results.append(
                ValidationResult(
                    focus=focus,
                    path=path,
                    message=check.message,
                    severity=check.severity,
                    source_shape=URIRef(str(check.source_shape)),
                    node_shape=owning_shape(shapes, check.source_shape),
                    value=None if value is None else str(value),
                    component=str(check.component),
                )
            )
        progress("validate", 1)
    return results


def _locate(graph: OxGraph, results: list) -> None:
    if results:
        wanted = {r.focus for r in results}
        where = _locations([*graph.ontology_files, *graph.data_files], wanted)
        for r in results:
            r.locations = where.get(r.focus, [])


def validate_rudof(graph: OxGraph, shapes, progress: Progress = _no_progress):
    """SHACL validation with rudof's native engine (pyrudof), for shapes the compiler refuses."""
    import pyrudof
    from rdflib import BNode, URIRef
    from rdflib.namespace import SH as NS

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    first = True
    # Path objects, never str: a str may be taken as inline data or a URL to fetch.
    for file in [*graph.ontology_files, *graph.data_files]:
        try:
            rudof.read_data(
                Path(file).resolve(),
                reader_mode=pyrudof.ReaderMode.Strict,
                merge=not first,
                base=Path(file).resolve().as_uri(),
            )
        except Exception as exc:
            raise LoadError(f"cannot read for validation: {exc}", file=file) from None
        first = False
        progress("validate", Path(file).stat().st_size)
    rudof.read_shacl(shapes.serialize(format="turtle"))
    report = rudof.validate_shacl()
    results = []
    for entry in report:
        focus = entry.focus_node
        focus = BNode(focus[2:]) if focus.startswith("_:") else URIRef(focus)
        source = URIRef(entry.source_shape)
        results.append(
            ValidationResult(
                focus=focus,
                path=URIRef(entry.path) if entry.path else None,
                message=_message(entry.message),
                severity=NS[entry.severity],
                source_shape=source,
                node_shape=owning_shape(shapes, source),
                value=entry.value,
                component=entry.constraint_component,
            )
        )
    _locate(graph, results)
    return ValidationReport(conforms=bool(report.conforms), results=results)


def _message(text: str | None) -> str:
    """rudof joins its own message and the shape's sh:message; keep the shape's words."""
    if not text:
        return "(no message)"
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"(?:@[\w-]+)?', text)
    return parts[-1] if parts else text


def _locations(files: Sequence[Path], wanted: set) -> dict:
    """file:line of the descriptions of *wanted* subjects, found without parsing again."""
    from .load import Location

    prefix_line = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.I)
    found: dict = {}
    names = {str(w) for w in wanted}
    for file in files:
        namespaces: dict[str, str] = {}
        with Path(file).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                match = prefix_line.match(line)
                if match:
                    namespaces[match.group(1)] = match.group(2)
                    continue
                if not line or line[0].isspace() or line[0] == "#":
                    continue
                token = line.split(None, 1)[0]
                if token.startswith("<") and token.endswith(">"):
                    iri = token[1:-1]
                else:
                    prefix, sep, local = token.partition(":")
                    if not sep or prefix not in namespaces:
                        continue
                    iri = namespaces[prefix] + local
                if iri in names:
                    from rdflib import URIRef

                    found.setdefault(URIRef(iri), []).append(Location(Path(file), number))
    return found
