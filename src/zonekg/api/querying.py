"""Query: competency questions, .rq files and SPARQL text, each screened (``safety.screen``)
and answered over the published dataset (``dataset``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..core import paths
from ..core.errors import QueryError
from ..core.namespaces import ASSERTED_GRAPH, CHECKED_VOCABULARIES, PREFIXES
from ..core.questions import CompetencyQuestion, find_question, questions
from ..core.results import QueryResult
from ..core.settings import Limits
from ..safety.limits import in_order
from ..safety.screen import ScreenedQuery, screen, sparql_iri
from .dataset import default_dataset, derive, published_graphs
from .loading import KnowledgeGraph

#: The label of SPARQL text given as such (not as a question or a file), in messages.
TEXT_LABEL = "query text"


@dataclass(frozen=True)
class Job:
    """One query to answer: its label (a question's name, a file, ``TEXT_LABEL``), the
    question it asks, its text and whether it needs the closure."""

    label: str
    question: str
    text: str
    needs_reasoning: bool


def job_for(query: str | CompetencyQuestion, reasoned: bool | None = None) -> Job:
    """A job for a question (name, number or .rq path), or for SPARQL text."""
    if isinstance(query, CompetencyQuestion):
        cq = query
    elif _looks_like_sparql(query):
        return Job(TEXT_LABEL, "", query, bool(reasoned))
    else:
        cq = find_question(query)
    needs = cq.needs_reasoning if reasoned is None else reasoned
    return Job(cq.name, cq.question, cq.text, needs)


def _looks_like_sparql(text: str) -> bool:
    """SPARQL text, as opposed to a question name or a path (which have no braces or spaces)."""
    return "{" in text or any(c.isspace() for c in text.strip())


def screen_job(job: Job, limits: Limits | None = None, **options: Any) -> ScreenedQuery:
    """The job's query through the one screen, within *limits* (``Limits.from_env()`` when
    None)."""
    limits = Limits.from_env() if limits is None else limits
    return screen(job.text, job.label, limits=limits, **options)


def all_questions() -> list[CompetencyQuestion]:
    """The project's competency questions (at least one, or an error)."""
    found = questions()
    if not found:
        raise QueryError(
            f"no competency questions (cqNN-*.rq) in {paths.where()}",
            hint=paths.missing_hint(),
            file=paths.QUERIES,
        )
    return found


def query(
    kg: KnowledgeGraph,
    query: str | CompetencyQuestion | ScreenedQuery,
    reasoned: bool | None = None,
) -> QueryResult:
    """Answer a competency question, an .rq file or SPARQL text.

    A question runs over the closure when its header says ``Inference: owlrl``;
    *reasoned* asks for the closure for any query.
    """
    if isinstance(query, ScreenedQuery):
        return answer(kg, query, bool(reasoned))
    job = job_for(query, reasoned)
    return answer(kg, screen_job(job, kg.limits), job.needs_reasoning)


def answer(
    kg: KnowledgeGraph,
    screened: ScreenedQuery,
    reasoned: bool = False,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> QueryResult:
    """Run an already screened query.

    The dataset, as the SPARQL 1.1 Protocol orders it: the graphs the caller gives (the
    protocol's default-graph-uri / named-graph-uri), else the query's own FROM / FROM
    NAMED, else ``default_dataset``; the named graphs are then every graph of the load
    (the source graphs, and the derived ones computed so far: the types, the closure).
    """
    default_graphs, named_graphs = _dataset(kg, screened, reasoned, default_graphs, named_graphs)
    return kg.engine.query(
        kg.loaded, screened, default_graphs=default_graphs, named_graphs=named_graphs
    )


def answer_each(
    kg: KnowledgeGraph, screened: Sequence[ScreenedQuery], reasoned: Sequence[bool]
) -> list[QueryResult]:
    """``answer`` for each query (the closure for those *reasoned* says), in their order.

    The graphs they read are derived first, one query after another; the queries then run
    on up to ``kg.limits.usable_threads`` threads at once where the engine allows
    (``concurrent_queries``): Oxigraph evaluates outside Python's lock, so two CPUs answer
    the 29 questions at a million triples in 9 s instead of 15 s.
    """
    datasets = [
        _dataset(kg, query, wanted, None, None)
        for query, wanted in zip(screened, reasoned, strict=True)
    ]

    def run(at: int) -> QueryResult:
        default_graphs, named_graphs = datasets[at]
        return kg.engine.query(
            kg.loaded, screened[at], default_graphs=default_graphs, named_graphs=named_graphs
        )

    threads = kg.limits.usable_threads if kg.engine.concurrent_queries else 1
    return list(in_order(run, range(len(datasets)), threads))


def _dataset(
    kg: KnowledgeGraph,
    screened: ScreenedQuery,
    reasoned: bool,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
) -> tuple[list[str], list[str] | None]:
    """The default and named graphs *screened* runs over (see ``answer``), made where they
    are derived ones."""
    if default_graphs is None and named_graphs is None and screened.has_dataset:
        default_graphs, named_graphs = list(screened.from_default), list(screened.from_named)
    if default_graphs is None:
        default_graphs = default_dataset(kg, reasoned)
    if not uses_graph(screened):
        # only GRAPH reads the named graphs: without one, any set of them gives the same
        # answer, and the store's own set spares the engine a dataset of its own (a FROM
        # question's empty FROM NAMED made Oxigraph copy 100k triples into a view: 1.6 s)
        named_graphs = None
    elif named_graphs is None:
        named_graphs = published_graphs(kg)  # what GRAPH ?g ranges over in the published files
    # graph/asserted in the default graph is the merge of the asserted graphs: the same graph
    default_graphs = list(dict.fromkeys(_asserted_merge(kg, default_graphs)))
    derive(kg, [*default_graphs, *(named_graphs or [])])
    return default_graphs, named_graphs


def uses_graph(screened: ScreenedQuery) -> bool:
    """Whether the query has a GRAPH pattern (the only way it reads the named graphs)."""
    return any(token.upper() == "GRAPH" for token in screened.text.split("\n"))


def _asserted_merge(kg: KnowledgeGraph, graphs: Sequence[str]) -> list[str]:
    found = []
    for graph in graphs:
        found.extend(kg.asserted_graphs if graph == ASSERTED_GRAPH else [graph])
    return found


def undefined_terms(kg: KnowledgeGraph, screened: ScreenedQuery) -> list[tuple[str, str | None]]:
    """Terms of a checked vocabulary (``CHECKED_VOCABULARIES``: zk: and those the data and
    ontology use) that the query names but neither the ontology describes nor the data uses,
    each with the closest known term of its vocabulary (for a 'did you mean' warning): a
    misspelt term returns nothing, silently, otherwise."""
    used = sorted({iri for iri in screened.names if _vocabulary(iri)})
    known = _known(kg, used) if used else set()
    missing = [iri for iri in used if iri not in known]
    if not missing:
        return []
    import difflib  # only for a term that is not known

    found = []
    for iri in missing:
        namespace = _vocabulary(iri)
        by_name = {t[len(namespace) :].lower(): t for t in sorted(_known_terms(kg, namespace))}
        # compare local names (the shared namespace would make every term look close),
        # ignoring case: zk:company is zk:Company misspelt
        close = difflib.get_close_matches(iri[len(namespace) :].lower(), list(by_name), 1, 0.7)
        found.append((iri, by_name[close[0]] if close else None))
    return found


def _vocabulary(iri: str) -> str:
    """The namespace of the checked vocabulary *iri* is a term of, or ``""``."""
    for prefix in CHECKED_VOCABULARIES:
        namespace = PREFIXES[prefix]
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return namespace
    return ""


def _graphs(kg: KnowledgeGraph) -> list[str]:
    return [*kg.loaded.ontology_graphs, *kg.loaded.data_graphs]


def _known(kg: KnowledgeGraph, iris: list[str]) -> set[str]:
    """Those of *iris* the ontology describes or the data uses as a property or a class
    (index look-ups, in one query: this runs for every query, and each query over the
    inputs' graphs costs a dataset of them; one per term took 5 ms of a later cq01's 135)."""
    terms = " ".join(sparql_iri(iri) for iri in iris)
    text = (
        f"SELECT ?t WHERE {{ VALUES ?t {{ {terms} }} FILTER(EXISTS {{ ?t ?p ?o }} || "
        "EXISTS { ?s ?t ?o } || EXISTS { ?s a ?t }) }"
    )
    found = kg.engine.query(kg.loaded, screen(text, "known terms"), default_graphs=_graphs(kg))
    return {row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode)}


def _known_terms(kg: KnowledgeGraph, namespace: str) -> set[str]:
    """The terms of *namespace* the ontology describes or the data uses (a scan: only when a
    query names a term that is neither)."""
    within = f'FILTER(STRSTARTS(STR(?t), "{namespace}"))'
    text = (
        f"SELECT DISTINCT ?t WHERE {{ {{ ?t ?p ?o }} UNION {{ ?s ?t ?o }} UNION {{ ?s a ?t }} "
        f"{within} }}"
    )
    found = kg.engine.query(kg.loaded, screen(text, "known terms"), default_graphs=_graphs(kg))
    return {row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode)}


__all__ = [
    "TEXT_LABEL",
    "Job",
    "all_questions",
    "answer",
    "answer_each",
    "find_question",
    "job_for",
    "query",
    "screen_job",
    "undefined_terms",
    "uses_graph",
]
