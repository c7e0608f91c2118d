"""Inspection: who says what about an entity (``why``: what it states, what points at it,
where sources disagree about it) and what the graph holds (``stats``). Their SPARQL lives
in ``queries/*.rq`` beside this module; a query that takes IRIs has an empty
``VALUES ?name { }`` block, filled here with checked terms only."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pyoxigraph as ox

from ..core.errors import InvalidValue, QueryError, UnknownName
from ..core.namespaces import RDF, RDFS, TYPES_GRAPH, display_path, expand
from ..safety.screen import screen, sparql_iri
from .dataset import default_dataset, derive
from .finding import Found, labels
from .loading import KnowledgeGraph
from .querying import answer


def sparql(name: str) -> str:
    """The text of the inspection query ``queries/{name}.rq``."""
    return resources.files(__package__).joinpath("queries", f"{name}.rq").read_text("utf-8")


def with_values(text: str, variable: str, terms: list[str]) -> str:
    """*text* with its one empty ``VALUES ?variable { }`` block holding *terms* (each
    already a checked SPARQL term: ``safety.screen.sparql_iri``)."""
    block = f"VALUES ?{variable} {{ }}"
    if text.count(block) != 1:
        raise ValueError(f"the query has no single empty {block}")  # a bug in the .rq
    return text.replace(block, f"VALUES ?{variable} {{ {' '.join(terms)} }}")


WHY_SUPPORTS = sparql("why-supports")
WHY_FACTS = sparql("why-facts")
WHY_RECORDS = sparql("why-records")
WHY_INCOMING = sparql("why-incoming")
WHY_CLAIMS = sparql("why-claims")
CLASS_COUNTS = sparql("stats-classes")
TYPES = sparql("stats-types")
SOURCE_COUNTS = sparql("stats-sources")


@dataclass
class Support:
    kind: str  # "quote" or "document"
    document: str
    document_label: str
    quote: str
    url: str


@dataclass
class Fact:
    """One triple a source states about the entity: ``<entity> predicate value``."""

    predicate: str
    value: Any  # a pyoxigraph term
    label: str = ""  # the English label of an IRI value, where it has one


@dataclass
class Source:
    """A source document, its record, and what it says about the entity."""

    document: str
    label: str = ""
    publisher: str = ""
    issued: str = ""
    url: str = ""
    citation: str = ""  # an address given without a scheme (dct:bibliographicCitation)
    facts: list[Fact] = field(default_factory=list)  # the triples its graph states
    quotes: list[str] = field(default_factory=list)  # its passages the entity derives from


@dataclass
class Link:
    """One triple a source states that points at the entity: ``subject predicate <entity>``."""

    subject: str
    predicate: str
    label: str = ""  # the English label of the subject, where it has one
    sources: list[str] = field(default_factory=list)  # the documents whose graphs state it


@dataclass
class Claim:
    """One side's claim at a point of disagreement: what it states (label, and the reified
    triple) and the source whose graph holds it."""

    claim: str
    side: str  # "one side" or "other side"
    statement: str
    subject: str
    predicate: str
    value: Any  # a pyoxigraph term (rdf:object)
    source: str
    about: bool  # whether its subject or its object is the entity itself


@dataclass
class Disagreement:
    """A point where sources disagree (zk:Disagreement) that concerns the entity, with
    every claim on each side."""

    disagreement: str
    point: str
    claims: list[Claim]


@dataclass
class Why:
    """Who says what about an entity: per source document, the triples with the entity
    as subject in that source's graph, and the quoted passages the entity derives from."""

    entity: str
    label: str
    sources: list[Source]
    supports: list[Support]  # prov:wasDerivedFrom: the quoted passages and documents
    pointed_by: list[Link] = field(default_factory=list)  # what points at it, with sources
    disagreements: list[Disagreement] = field(default_factory=list)  # claims where they differ
    found: Found | None = None  # the search that named the entity, when given by name

    def __bool__(self) -> bool:
        return bool(self.sources)

    def stating(self, predicate: str, value: str | None = None) -> list[str]:
        """The documents whose graphs state ``<entity> predicate value`` (any value if None)."""
        return [
            s.document
            for s in self.sources
            if any(f.predicate == predicate and value in (None, f.value.value) for f in s.facts)
        ]


def resolve(kg: KnowledgeGraph, entity: str) -> tuple[str, Found | None]:
    """The IRI *entity* names: an IRI or a CURIE as it is; anything else a name, looked up
    with ``find``: the one entity with exactly that name. ``UnknownName`` (bad input:
    exit 2) when several have it exactly (``found``: those), when none has it exactly
    (``found``: those that have it in part), or when none has it at all (``found``: the
    closest names as suggestions). A name matched only in part is never taken on trust:
    ``a b`` is part of one name, but hardly the user's way to name that entity."""
    iri = expand(entity)
    try:
        sparql_iri(iri)
        return iri, None
    except ValueError:
        pass
    try:
        found = labels(kg).find(entity)
    except InvalidValue as exc:  # said of this function's parameter
        raise InvalidValue("entity", exc.value, exc.requirement, hint=exc.hint) from None
    if len(found.exact) == 1:
        return found.exact[0].entity, found
    if found.exact:  # the ones to choose from: those named so exactly
        found = Found(found.text, found.exact, len(found.exact))
        raise UnknownName(
            f"{found.total} entities are named {entity!r} exactly",
            hint="give one of them by its CURIE (see `find`)",
            found=found,
        )
    not_iri = f"{entity!r} is not an IRI or a CURIE, and no entity is named so"
    if found:
        held = (
            "the name of 1 entity holds it"
            if found.total == 1
            else f"the names of {found.total} entities hold it"
        )
        raise UnknownName(
            f"{not_iri} exactly ({held})",
            hint="give one of them by its full name or its CURIE (see `find`)",
            found=found,
        )
    raise UnknownName(
        not_iri,
        hint="give a name the data holds, an IRI or a CURIE such as zone:chengdu"
        + (f"; close names: {', '.join(found.suggestions)}" if found.suggestions else ""),
        found=found,
    )


def why(kg: KnowledgeGraph, entity: str) -> Why:
    """Which sources state what about *entity* (an IRI, a CURIE or a name: ``resolve``):
    per source graph, the triples with the entity as subject (the one pattern:
    ``GRAPH ?source { <entity> ?p ?o }`` with ``?source a zk:SourceDocument``), the
    source's record (label, publisher, date, address) and the passages it quotes; what
    points at the entity, with the sources that say so; and the points where sources
    disagree about it (``zk:Disagreement``), with every claim on each side."""
    iri, found = resolve(kg, entity)
    term = sparql_iri(iri)  # the one way a value enters a query: as a checked term
    described = answer(kg, screen(f"ASK {{ {term} ?p ?o }}", "why", limits=kg.limits))
    if not described.boolean:
        raise QueryError(
            f"{entity} is not described in the graph",
            hint="give a full IRI, a CURIE such as zone:chengdu, or a name (see `find`)",
        )
    supports = [
        Support(*(("" if term is None else term.value) for term in (r[0], r[1], r[2], r[3], r[4])))
        for r in answer(kg, _screened(WHY_SUPPORTS, "entity", [term], kg)).rows
    ]
    data = set(kg.loaded.data_graphs)
    sources: dict[str, Source] = {}
    facts: dict[tuple, Fact] = {}
    # over the graphs the store holds now: only the data graphs are kept below, so the
    # derived graphs (the closure: a reasoning run) need not be made for this
    stated = kg.engine.query(
        kg.loaded, _screened(WHY_FACTS, "entity", [term], kg), default_graphs=_typed(kg)
    )
    for graph, p, o, label in stated.rows:
        if graph.value not in data:
            continue  # the ontology's graph, or a derived one: no source states these
        source = sources.setdefault(graph.value, Source(graph.value))
        key = (graph.value, p.value, o)
        if key not in facts:
            facts[key] = Fact(p.value, o)
            source.facts.append(facts[key])
        text = "" if label is None else label.value
        if text and (not facts[key].label or text < facts[key].label):
            facts[key].label = text  # the same label whichever engine answers
    for support in supports:
        source = sources.setdefault(support.document, Source(support.document))
        if support.kind == "quote" and support.quote not in source.quotes:
            source.quotes.append(support.quote)
    _add_records(kg, sources)
    for source in sources.values():
        source.facts.sort(key=lambda f: (f.predicate != RDF + "type", f.predicate, str(f.value)))
        source.quotes.sort()
    ordered = sorted(sources.values(), key=lambda s: (s.issued or "~", s.document))
    names = [
        f.value.value
        for s in ordered
        for f in s.facts
        if f.predicate == RDFS + "label" and getattr(f.value, "language", None) == "en"
    ]
    return Why(
        iri,
        min(names) if names else "",
        ordered,
        supports,
        _pointed_by(kg, term),
        _disagreements(kg, term, iri),
        found,
    )


def _pointed_by(kg: KnowledgeGraph, term: str) -> list[Link]:
    """The triples that point at the entity, each once, with the sources that state it."""
    links: dict[tuple[str, str], Link] = {}
    rows = kg.engine.query(
        kg.loaded, _screened(WHY_INCOMING, "entity", [term], kg), default_graphs=_typed(kg)
    ).rows
    for source, subject, predicate, label in rows:
        if isinstance(subject, ox.BlankNode):
            continue  # a blank node cannot be looked up
        link = links.setdefault(
            (subject.value, predicate.value), Link(subject.value, predicate.value)
        )
        if source.value not in link.sources:
            link.sources.append(source.value)
        text = "" if label is None else label.value
        if text and (not link.label or text < link.label):
            link.label = text
    for link in links.values():
        link.sources.sort()
    return sorted(links.values(), key=lambda k: (k.predicate, k.subject))


def _disagreements(kg: KnowledgeGraph, term: str, iri: str) -> list[Disagreement]:
    """The points of disagreement one of whose claims has the entity as subject or object."""
    points: dict[str, Disagreement] = {}
    seen = set()
    rows = kg.engine.query(
        kg.loaded, _screened(WHY_CLAIMS, "entity", [term], kg), default_graphs=_typed(kg)
    ).rows
    for point, label, side, claim, statement, subject, predicate, value, source in rows:
        text = "" if label is None else label.value
        found = points.setdefault(point.value, Disagreement(point.value, text, []))
        if text and (not found.point or text < found.point):
            found.point = text
        key = (point.value, side.value, claim.value, source.value)
        if key in seen:
            continue
        seen.add(key)
        found.claims.append(
            Claim(
                claim.value,
                side.value,
                "" if statement is None else statement.value,
                "" if subject is None else subject.value,
                "" if predicate is None else predicate.value,
                value,
                source.value,
                iri in ("" if subject is None else subject.value, getattr(value, "value", None)),
            )
        )
    for found in points.values():
        found.claims.sort(key=lambda c: (c.side, c.source, c.claim))
    return sorted(points.values(), key=lambda d: (d.point, d.disagreement))


def _screened(text: str, variable: str, terms: list[str], kg: KnowledgeGraph):
    return screen(with_values(text, variable, terms), "why", limits=kg.limits)


def _typed(kg: KnowledgeGraph) -> list[str]:
    """The default graph of questions without the closure, its types made."""
    graphs = default_dataset(kg)
    derive(kg, graphs)
    return graphs


def _add_records(kg: KnowledgeGraph, sources: dict[str, Source]) -> None:
    """Each source's label, publisher, date and address (the first of each, sorted)."""
    named = []
    for document in sorted(sources):
        with contextlib.suppress(ValueError):  # (a graph name that is not an IRI: no record)
            named.append(sparql_iri(document))
    if not named:
        return
    fields = ("label", "publisher", "issued", "url", "citation")
    for row in answer(kg, _screened(WHY_RECORDS, "document", named, kg)).rows:
        source = sources[row[0].value]
        for name, term in zip(fields, row[1:], strict=True):
            have = getattr(source, name)
            if term is not None and (not have or term.value < have):
                setattr(source, name, term.value)


@dataclass
class Stats:
    triples: dict[str, int]
    #: Per class: its IRI, the entities the data types with that class itself (asserted),
    #: and those typed with it or any subclass of it (what ``?x a C`` finds in a question).
    classes: list[tuple[str, int, int]]
    sources: list[tuple[str, str, int]]


def _with_subclasses(kg: KnowledgeGraph, data: list[str]) -> dict[str, int]:
    """Per class, the entities a data graph types with it or with a subclass of it: each
    entity the data types, counted for its asserted classes and the superclasses that
    graph/types adds (two scans joined here: the engines' joins of the two were slow)."""
    classes: dict[str, set[str]] = {}
    for entity, cls in answer(
        kg, screen(TYPES, "stats", limits=kg.limits), default_graphs=data
    ).rows:
        classes.setdefault(entity.value, set()).add(cls.value)
    implied = answer(kg, screen(TYPES, "stats", limits=kg.limits), default_graphs=[TYPES_GRAPH])
    for entity, cls in implied.rows:
        if entity.value in classes:
            classes[entity.value].add(cls.value)
    counts: dict[str, int] = {}
    for found in classes.values():
        for cls in found:
            counts[cls] = counts.get(cls, 0) + 1
    return counts


def stats(kg: KnowledgeGraph) -> Stats:
    """Statements per file (each quad the file writes, once), entities per class and per source.

    A source graph spans several files (each file holds one topic of every source that
    speaks of it), so a file's count is of its own statements, not of its graphs.
    """
    triples = {display_path(f.path): len(set(f.parse())) for f in kg.inputs.files}
    data = list(kg.loaded.data_graphs)
    classes = answer(kg, screen(CLASS_COUNTS, "stats", limits=kg.limits), default_graphs=data)
    asserted = {r[0].value: int(r[1].value) for r in classes.rows}
    with_subclasses = _with_subclasses(kg, data)
    counted = sorted(
        set(asserted) | set(with_subclasses),
        key=lambda c: (-with_subclasses.get(c, 0), -asserted.get(c, 0), c),
    )
    sources = answer(kg, screen(SOURCE_COUNTS, "stats", limits=kg.limits), default_graphs=data)
    return Stats(
        triples,
        [(c, asserted.get(c, 0), with_subclasses.get(c, 0)) for c in counted],
        [(r[0].value, "" if r[1] is None else r[1].value, int(r[2].value)) for r in sources.rows],
    )
