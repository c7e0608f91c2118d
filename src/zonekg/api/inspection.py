"""Inspection: who says what about an entity (``why``) and what the graph holds
(``stats``). Their SPARQL lives in ``queries/*.rq`` beside this module; a query that takes
IRIs has an empty ``VALUES ?name { }`` block, filled here with checked terms only."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..core.errors import QueryError
from ..core.namespaces import RDF, RDFS, TYPES_GRAPH, display_path, expand
from ..safety.screen import screen, sparql_iri
from .dataset import default_dataset, derive
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
class Why:
    """Who says what about an entity: per source document, the triples with the entity
    as subject in that source's graph, and the quoted passages the entity derives from."""

    entity: str
    label: str
    sources: list[Source]
    supports: list[Support]  # prov:wasDerivedFrom: the quoted passages and documents

    def __bool__(self) -> bool:
        return bool(self.sources)

    def stating(self, predicate: str, value: str | None = None) -> list[str]:
        """The documents whose graphs state ``<entity> predicate value`` (any value if None)."""
        return [
            s.document
            for s in self.sources
            if any(f.predicate == predicate and value in (None, f.value.value) for f in s.facts)
        ]


def why(kg: KnowledgeGraph, entity: str) -> Why:
    """Which sources state what about *entity*: per source graph, the triples with the
    entity as subject (the one pattern: ``GRAPH ?source { <entity> ?p ?o }``), the source's
    record (label, publisher, date, address) and the passages it quotes."""
    iri = expand(entity)
    try:
        term = sparql_iri(iri)  # the one way a value enters a query: as a checked term
    except ValueError:
        raise QueryError(f"{entity!r} is not an IRI or a CURIE", hint="e.g. zone:chengdu") from None
    described = answer(kg, screen(f"ASK {{ {term} ?p ?o }}", "why", limits=kg.limits))
    if not described.boolean:
        raise QueryError(
            f"{entity} is not described in the graph",
            hint="give a full IRI or a CURIE such as zone:chengdu (see `zonekg stats`)",
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
    return Why(iri, min(names) if names else "", ordered, supports)


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
