"""The pipeline: load → validate → reason → query → export, the same for every caller.

    from zonekg import api
    kg = api.load()                          # or api.load(["my-data/"], engine="reference")
    report = api.validate(kg)                # report.conforms, report.results (with file:line)
    api.reason(kg)                           # the OWL-RL closure, in its own graph
    answer = api.query(kg, "cq04")           # a question name, an .rq path, or SPARQL text
    text = api.export(kg, "turtle")

``load`` checks the inputs (``zonekg.inputs``) and hands them to an engine
(``oxigraph`` by default, ``reference`` on request). Each step works on that one
load. When an engine cannot do a step right (``Unsupported``), the step is
handed to the reference engine and a note says so. A closure is kept in the
cache folder under the digest of the inputs and the reasoner, so that separate
commands on the same inputs reason once.

These functions run in the calling process. ``bounded`` runs a whole task
(load and steps) in a worker process under the time and memory limits: that is
how the CLI and the server call them.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from . import engines
from .core import paths
from .core.errors import QueryError
from .core.namespaces import (
    ASSERTED_GRAPH,
    DERIVED_GRAPHS,
    INFERRED_GRAPH,
    RDF,
    RDFS,
    TYPES_GRAPH,
    ZK,
    curie,
    expand,
)
from .core.questions import CompetencyQuestion, find_question, questions
from .core.results import QueryResult, ValidationReport
from .engines.base import Progress, no_progress
from .inputs import Inputs, collect
from .inputs.shapes import Shapes, load_shapes
from .safety import limits, targets
from .safety.atomic import write_atomic
from .safety.screen import ScreenedQuery, screen, sparql_iri

T = TypeVar("T")
INFERENCE_CHOICES = ("none", "rdfs", "owlrl")


@dataclass
class KnowledgeGraph:
    """The inputs, loaded once by one engine; every step below works on it."""

    inputs: Inputs
    engine: engines.Engine
    loaded: engines.Loaded
    notes: list[str] = field(default_factory=list)
    _reference: Any = None
    merged_count: int | None = None  # the size of ASSERTED_GRAPH, once it is made

    @property
    def ontology_files(self) -> list[Path]:
        return self.inputs.ontology_files

    @property
    def data_files(self) -> list[Path]:
        return self.inputs.data_files

    @property
    def asserted_graphs(self) -> list[str]:
        return self.loaded.asserted_graphs

    @property
    def reasoned(self) -> bool:
        return self.loaded.inferred_count is not None

    def count(self, graphs: Sequence[str]) -> int:
        return self.engine.count(self.loaded, list(graphs))

    def quads(self, graphs: Sequence[str]):
        return self.engine.quads(self.loaded, list(graphs))

    def reference(self) -> tuple[engines.Engine, engines.Loaded]:
        """The reference engine loaded with the same inputs (for hand-overs)."""
        if self.engine.name == "reference":
            return self.engine, self.loaded
        if self._reference is None:
            engine = engines.get("reference")
            self._reference = (engine, engine.load(self.inputs))
        return self._reference

    @cached_property
    def rdf(self) -> RdfView:
        """The loaded graphs as rdflib graphs, for publishing and pages (built on first use)."""
        return RdfView.of(self)


def load(
    data: Sequence[Path | str] | None = None,
    *,
    ontology: Sequence[Path | str] | None = None,
    engine: str | None = None,
    store: Path | None = None,
    ill_typed: str = "error",
    progress: Progress = no_progress,
) -> KnowledgeGraph:
    """Check the inputs (the project's data, or *data*: files and folders) and load them."""
    inputs = collect(
        [Path(p) for p in data] if data else None,
        None if ontology is None else [Path(p) for p in ontology],
        ill_typed=ill_typed,
    )
    chosen = engines.get(engine)
    return KnowledgeGraph(inputs, chosen, chosen.load(inputs, store=store, progress=progress))


def bounded(task: Callable[..., T], *args: Any, what: str, **kwargs: Any) -> T:
    """Run ``task(*args, **kwargs)`` in a worker under the time and memory limits.

    The worker is forked, so the task may close over anything; what it returns
    must pickle (reports, query results and text do).
    """
    return limits.bounded(task, *args, what=what, **kwargs)


# --- validate ----------------------------------------------------------------------------


def validate(
    kg: KnowledgeGraph,
    shapes: Shapes | Path | None = None,
    inference: str = "none",
    progress: Progress = no_progress,
) -> ValidationReport:
    """SHACL validation of the ontology and data against the shapes (the project's by default)."""
    if inference not in INFERENCE_CHOICES:
        raise QueryError(f"--inference {inference!r} is not one of: {', '.join(INFERENCE_CHOICES)}")
    if not isinstance(shapes, Shapes):
        shapes = load_shapes(shapes)
    extra = graph_descriptions(kg, shapes)
    try:
        report = kg.engine.validate(
            kg.loaded, shapes, inference=inference, extra=extra, progress=progress
        )
    except engines.Unsupported as refusal:
        kg.notes.append(f"{refusal.message}; pySHACL (the reference engine) validated instead")
        engine, loaded = kg.reference()
        report = engine.validate(
            loaded, shapes, inference=inference, extra=extra, progress=progress
        )
    report.data_files = len(kg.data_files)
    flagged = {(str(r.focus), str(r.value)) for r in report.results if r.value is not None}
    report.ill_typed = [
        problem
        for problem in kg.inputs.ill_typed
        if (problem.subject.value, problem.literal.value) not in flagged
    ]
    return report


DATA_GRAPH = ZK + "DataGraph"


def graph_descriptions(kg: KnowledgeGraph, shapes: Shapes) -> list[ox.Triple]:
    """``G a zk:DataGraph`` for each named graph of the data, when the shapes check them.

    A data graph is named after the source document that states its triples; a shape on
    zk:DataGraph checks that, so that every statement has a source. Shapes that never
    mention zk:DataGraph (a user's own) get no such triples.
    """
    from rdflib import URIRef

    if (None, None, URIRef(DATA_GRAPH)) not in shapes.graph:
        return []
    rdf_type, data_graph = ox.NamedNode(RDF + "type"), ox.NamedNode(DATA_GRAPH)
    return [ox.Triple(ox.NamedNode(g), rdf_type, data_graph) for g in kg.loaded.data_graphs]


# --- reason ------------------------------------------------------------------------------


def reason(kg: KnowledgeGraph, progress: Progress = no_progress) -> int:
    """Materialise the OWL-RL closure into its own graph (once per load); return its size."""
    if kg.reasoned:
        return kg.loaded.inferred_count or 0
    ill_typed_literals(kg)
    kg.__dict__.pop("rdf", None)  # an rdflib view made before this would lack the closure
    cache = _closure_cache(kg)
    cached = _read_closure(kg, *cache) if cache is not None else None
    if cached is not None:
        kg.loaded.inferred_count = kg.engine.add_graph(kg.loaded, INFERRED_GRAPH, cached)
        check_consistency(kg)
        return kg.loaded.inferred_count
    cap = int(limits.MAX_TRIPLES.value())
    try:
        count = kg.engine.reason(kg.loaded, cap=cap, progress=progress)
    except engines.Unsupported as refusal:
        kg.notes.append(f"{refusal.message}; owlrl (the reference engine) reasoned instead")
        engine, loaded = kg.reference()
        engine.reason(loaded, cap=cap, progress=progress)
        count = kg.engine.add_graph(kg.loaded, INFERRED_GRAPH, engine.inferred(loaded))
        kg.loaded.inferred_count = count
    if cache is not None:
        _write_closure(*cache, kg.engine.inferred(kg.loaded))
    check_consistency(kg)
    return count


def ill_typed_literals(kg: KnowledgeGraph) -> None:
    """OWL 2 RL dt-not-type: a literal outside its datatype's lexical space makes the
    ontology and data inconsistent, whatever else holds (so before reasoning)."""
    from .engines import consistency

    consistency.refuse(
        [
            ("dt-not-type", str(problem.error()).split("\n")[0], (problem.lexical,))
            for problem in kg.inputs.ill_typed
        ]
    )


def check_consistency(kg: KnowledgeGraph) -> None:
    """Raise ``Inconsistent`` (exit 1) when a rule of OWL 2 RL concludes false on the asserted
    graphs and the closure: the rule and the resources are named."""
    from .engines import consistency

    graphs = [*kg.asserted_graphs, INFERRED_GRAPH]
    found = consistency.violations(
        lambda screened: kg.engine.query_distinct(kg.loaded, screened, graphs)
    )
    # What owlrl found when it reasoned (any rule the queries above would not name).
    reasoned_by = kg.loaded if kg.engine.name == "reference" else (kg._reference or (0, 0))[1]
    found += [("owlrl", words, ()) for words in getattr(reasoned_by, "reasoner_errors", [])]
    consistency.refuse(found)


def inferred(kg: KnowledgeGraph) -> list[ox.Triple]:
    """The inferred triples (reasoning first if needed)."""
    reason(kg)
    return kg.engine.inferred(kg.loaded)


def closure_text(kg: KnowledgeGraph, fmt: str = "turtle") -> str:
    """The inferred triples in *fmt* (Turtle by default, with the project's prefixes; in
    their graph in TriG and N-Quads), reasoning first if needed."""
    from .core.formats import serialize

    reason(kg)
    return serialize(kg.quads([INFERRED_GRAPH]), fmt)


def _closure_cache(kg: KnowledgeGraph) -> tuple[Path, str] | None:
    """Where the closure of this load is kept, and its key: everything that changes it."""
    if getattr(kg.loaded, "location", None) is not None:
        return None  # an on-disk store keeps its closure itself
    digest = hashlib.sha256()
    digest.update(kg.inputs.digest().encode())  # each file's role, graph, base, syntax, bytes
    digest.update(kg.engine.name.encode())
    for library in ("pyoxigraph", "owlrl", "rdflib"):  # their reasoning and parsing
        digest.update(f"\0{library} {_version(library)}".encode())
    for file in sorted(Path(engines.__file__).parent.rglob("*.py")):
        digest.update(file.read_bytes())  # a changed reasoner never reads an old closure
    key = digest.hexdigest()
    return paths.cache_folder() / f"closure-{key[:32]}.nt", key


def _version(library: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "-"


#: The bytes a cached closure may take: generous for the triples the reasoner may make.
_BYTES_PER_TRIPLE = 1024


def _read_closure(kg: KnowledgeGraph, path: Path, key: str) -> list[ox.Triple] | None:
    """The closure kept for *key*, if its bytes and count match its manifest; else None
    (a damaged entry is discarded, with a note)."""
    from .safety import cache

    cap = int(limits.MAX_TRIPLES.value()) * _BYTES_PER_TRIPLE
    try:
        entry = cache.read(paths.cache_folder(), path, key, cap)
        if entry is None:
            return None
        try:
            triples = [q.triple for q in ox.parse(entry.data, format=ox.RdfFormat.N_TRIPLES)]
        except (SyntaxError, ValueError):
            raise cache.Damaged("it does not parse as N-Triples") from None
        if len(triples) != entry.count:
            raise cache.Damaged(f"it holds {len(triples)} triples, its manifest {entry.count}")
    except cache.Damaged as damage:
        cache.discard(paths.cache_folder(), path)
        kg.notes.append(f"the cached closure {path} was not used: {damage}; reasoned again")
        return None
    return triples


def _write_closure(path: Path, key: str, triples: list[ox.Triple]) -> None:
    """Keep the closure for the next command; a cache that cannot be written is skipped."""
    from .safety import cache

    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    cache.write(paths.cache_folder(), path, key, data, len(triples))


# --- query -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query to answer: its label (a question's name, a file, ``--text``), text and needs."""

    label: str
    question: str
    text: str
    needs_reasoning: bool


def job_for(query: str | CompetencyQuestion, reasoned: bool | None = None) -> Job:
    """A job for a question (name, number or .rq path), or for SPARQL text."""
    if isinstance(query, CompetencyQuestion):
        cq = query
    elif _looks_like_sparql(query):
        return Job("--text", "", query, bool(reasoned))
    else:
        cq = find_question(query)
    needs = cq.needs_reasoning if reasoned is None else reasoned
    return Job(cq.name, cq.question, cq.text, needs)


def _looks_like_sparql(text: str) -> bool:
    """SPARQL text, as opposed to a question name or a path (which have no braces or spaces)."""
    return "{" in text or any(c.isspace() for c in text.strip())


def screen_job(job: Job, **options: Any) -> ScreenedQuery:
    return screen(job.text, job.label, **options)


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


def remote_graphs(endpoint: str) -> set[str]:
    """The graphs the last ``zonekg push`` wrote to the store at *endpoint* (the source
    graphs, graph/asserted, graph/types and graph/inferred if pushed), empty if none."""
    from .core.namespaces import PUSHED_GRAPH
    from .engines import remote

    text = (
        f"SELECT ?g WHERE {{ GRAPH <{PUSHED_GRAPH}> {{ <{PUSHED_GRAPH}> <{DCT_HAS_PART}> ?g }} }}"
    )
    found = remote.query(endpoint, screen(text, "pushed graphs"), limits.TIMEOUT.value())
    return {row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode)}


DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"


def remote_answer(
    endpoint: str,
    screened: ScreenedQuery,
    reasoned: bool = False,
    pushed: set[str] | None = None,
    notes: list[str] | None = None,
) -> QueryResult:
    """Answer a screened query at a SPARQL 1.1 Protocol endpoint (the only address used).

    When the store holds what ``zonekg push`` writes (*pushed*: ``remote_graphs``: the
    named graphs of the published dataset), the query's default graph is named as a local
    query sees it: graph/asserted with graph/types, or with graph/inferred when *reasoned*
    (a store's own default graph is something else in every store: every graph it holds,
    system graphs included, in Virtuoso), and a query with GRAPH ranges over the pushed
    graphs. A query with its own FROM keeps it (a question that needs the closure names
    graph/asserted and graph/inferred so). A question that needs inference the store
    lacks is asked without it, with a note in *notes*.
    """
    from .core.namespaces import ASSERTED_GRAPH
    from .engines import remote
    from .safety.http import shown_url

    default = named = None
    closure = reasoned and bool(pushed) and INFERRED_GRAPH in pushed
    if reasoned and pushed and ASSERTED_GRAPH in pushed and not closure and notes is not None:
        notes.append(
            f"{screened.source} needs OWL-RL inference, but {shown_url(endpoint)} holds no "
            f"closure (<{INFERRED_GRAPH}>): asked without it, so answers may be missing; "
            "push with `zonekg push --with-inferred`"
        )
    if pushed and ASSERTED_GRAPH in pushed and not screened.has_dataset:
        if uses_graph(screened):
            named = sorted(pushed)
        default = [ASSERTED_GRAPH, INFERRED_GRAPH if closure else TYPES_GRAPH]
    elif pushed is not None and not screened.has_dataset and notes is not None:
        notes.append(
            f"{shown_url(endpoint)} holds no <{ASSERTED_GRAPH}> (see `zonekg push`): questions "
            "are asked over the store's own default graph, which may hold other data"
        )
    return remote.query(endpoint, screened, limits.TIMEOUT.value(), default, named)


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
    return answer(kg, screen_job(job), job.needs_reasoning)


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
    if kg.engine.name != "oxigraph":
        check_syntax(screened)
    if default_graphs is None and named_graphs is None and screened.has_dataset:
        default_graphs, named_graphs = list(screened.from_default), list(screened.from_named)
    if default_graphs is None:
        default_graphs = default_dataset(kg, reasoned)
    if named_graphs is None and uses_graph(screened):
        named_graphs = published_graphs(kg)  # what GRAPH ?g ranges over in the published files
    # graph/asserted in the default graph is the merge of the asserted graphs: the same graph
    default_graphs = list(dict.fromkeys(_asserted_merge(kg, default_graphs)))
    derive(kg, [*default_graphs, *(named_graphs or [])])
    return kg.engine.query(
        kg.loaded, screened, default_graphs=default_graphs, named_graphs=named_graphs
    )


def uses_graph(screened: ScreenedQuery) -> bool:
    """Whether the query has a GRAPH pattern (the only way it reads the named graphs)."""
    return any(token.upper() == "GRAPH" for token in screened.text.split("\n"))


def _asserted_merge(kg: KnowledgeGraph, graphs: Sequence[str]) -> list[str]:
    found = []
    for graph in graphs:
        found.extend(kg.asserted_graphs if graph == ASSERTED_GRAPH else [graph])
    return found


_QUERY_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def check_syntax(screened: ScreenedQuery) -> None:
    """Refuse what is not SPARQL 1.1 with its position (a QueryError: exit 2), by
    pyoxigraph's parser. rdflib (the reference engine) runs some such queries, a variable
    outside GROUP BY or a BIND to a bound variable, and gives answers no other store
    would; the query is parsed here, on an empty store, and never run."""
    from .core.namespaces import PREFIXES

    try:
        ox.Store().query(screened.text, prefixes=PREFIXES)
    except SyntaxError as exc:
        found = _QUERY_ERROR.search(str(exc))
        if found:
            raise screened.syntax_error(found.group(3), int(found.group(1))) from None
        raise screened.syntax_error(str(exc), None) from None


# --- the published dataset ---------------------------------------------------------------
#
# One definition for every way the graph leaves zonekg, so that they agree by construction:
# `zonekg query` and `serve`'s /sparql answer over it (``answer``), `export` and `release`
# write it (``dataset_quads``), `push` puts its named graphs in a store.
#
# - The default graph: the asserted graphs merged, with the types (``default_dataset``):
#   what a question without FROM reads.
# - The named graphs (``published_graphs``): each asserted graph under its own name (the
#   ontology's, and one per source document: ``GRAPH ?source { … } ?source a
#   zk:SourceDocument`` tells which sources state a triple), then the derived graphs, none of
#   them a source: graph/asserted (the asserted graphs merged), graph/types and
#   graph/inferred (the closure less what is asserted). These three never overlap, so a
#   question that needs the closure names ``FROM <graph/asserted> FROM <graph/inferred>``
#   and every store reads each triple once (Oxigraph and Virtuoso count a triple twice
#   under ``FROM A FROM B`` when A and B share it).


def published_graphs(kg: KnowledgeGraph) -> list[str]:
    """The named graphs of the published dataset: the asserted ones, then the derived ones."""
    return [*kg.asserted_graphs, *DERIVED_GRAPHS]


def derive(kg: KnowledgeGraph, graphs: Sequence[str]) -> None:
    """Make the derived graphs among *graphs* (once per load): the types, the closure, the
    merge of the asserted graphs."""
    if TYPES_GRAPH in graphs:
        entail_types(kg)
    if INFERRED_GRAPH in graphs:
        reason(kg)
    if ASSERTED_GRAPH in graphs and kg.merged_count is None:
        kg.merged_count = kg.engine.add_merge(kg.loaded, ASSERTED_GRAPH, kg.asserted_graphs)


def published_dataset(kg: KnowledgeGraph, with_inferred: bool = True) -> dict[str | None, set]:
    """The published dataset, graph by graph as sets of triples: ``None`` is the default
    graph, then each named graph of ``published_graphs`` (without graph/inferred when not
    *with_inferred*)."""
    by_graph: dict[str | None, set] = {iri: set() for iri in kg.asserted_graphs}
    for quad in kg.quads(kg.asserted_graphs):  # one pass: a read per graph is a scan each
        by_graph[quad.graph_name.value].add(quad.triple)
    asserted = set().union(*by_graph.values())
    entail_types(kg)
    types = {q.triple for q in kg.quads([TYPES_GRAPH])} - asserted
    by_graph[ASSERTED_GRAPH] = asserted
    by_graph[TYPES_GRAPH] = types
    if with_inferred:
        reason(kg)
        by_graph[INFERRED_GRAPH] = {q.triple for q in kg.quads([INFERRED_GRAPH])} - asserted
    return {None: asserted | types, **by_graph}


def dataset_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    """The published dataset as quads: the default graph's, then each named graph's."""
    quads = []
    for graph, triples in published_dataset(kg).items():
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return quads


def default_dataset(kg: KnowledgeGraph, reasoned: bool = False) -> list[str]:
    """The default graph of a query: the asserted graphs, with the class hierarchy made
    explicit (so that ``?x a zk:Organization`` finds every kind of organisation), or with
    the whole OWL-RL closure when *reasoned*."""
    return [*kg.asserted_graphs, INFERRED_GRAPH if reasoned else TYPES_GRAPH]


def entail_types(kg: KnowledgeGraph) -> int:
    """Make the class hierarchy explicit in TYPES_GRAPH (once per load): ``x a D`` for each
    superclass D (along rdfs:subClassOf) of a class x has, where it is not asserted."""
    if kg.loaded.types_count is not None:
        return kg.loaded.types_count
    pairs = kg.engine.query(
        kg.loaded,
        screen(f"SELECT DISTINCT ?c ?d WHERE {{ ?c <{RDFS}subClassOf> ?d }}", "types"),
        default_graphs=list(kg.asserted_graphs),
        named_graphs=None,
    )
    supers: dict[str, set[str]] = {}
    for c, d in pairs.rows:
        if isinstance(c, ox.NamedNode) and isinstance(d, ox.NamedNode) and c != d:
            supers.setdefault(c.value, set()).add(d.value)
    closed = sorted((c, d) for c in supers for d in _ancestors(c, supers))
    kg.loaded.types_count = kg.engine.add_types(kg.loaded, closed)
    return kg.loaded.types_count


def _ancestors(cls, supers: dict) -> set:
    found: set = set()
    todo = list(supers.get(cls, ()))
    while todo:
        d = todo.pop()
        if d not in found and d != cls:
            found.add(d)
            todo.extend(supers.get(d, ()))
    return found


def undefined_terms(kg: KnowledgeGraph, screened: ScreenedQuery) -> list[tuple[str, str | None]]:
    """Terms of the ontology's namespace that the query names but the ontology does not define,
    each with the closest defined term (for a 'did you mean' warning)."""
    import difflib

    used = {iri for iri in screened.names if iri.startswith(ZK) and len(iri) > len(ZK)}
    if not used:
        return []
    defined = set(_defined_terms(kg))
    by_name = {iri[len(ZK) :].lower(): iri for iri in sorted(defined)}
    missing = []
    for iri in sorted(used - defined):
        # compare local names (the shared namespace would make every term look close),
        # ignoring case: zk:company is zk:Company misspelt
        name = iri[len(ZK) :].lower()
        close = difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.7)
        missing.append((iri, by_name[close[0]] if close else None))
    return missing


def _defined_terms(kg: KnowledgeGraph) -> list[str]:
    text = f'SELECT DISTINCT ?t WHERE {{ ?t <{RDF}type> ?k FILTER(STRSTARTS(STR(?t), "{ZK}")) }}'
    result = kg.engine.query(
        kg.loaded, screen(text, "ontology terms"), default_graphs=kg.loaded.ontology_graphs
    )
    return [row[0].value for row in result.rows]


# --- export ------------------------------------------------------------------------------


def write_output(
    output: Path, text: str | bytes, syntax: str | None = None, inputs: Sequence[Path] = ()
) -> None:
    """Write a command's output file atomically (parsed back first when it is RDF).

    Never on the project's sources or on one of *inputs* (``safety.targets``).
    """
    write_atomic(check_output(output, inputs), text, rdf_format=syntax)


def check_output(output: Path, inputs: Sequence[Path] = ()) -> Path:
    """The path an output file is written to, or ZonekgError if it may not go there."""
    return targets.check_file(Path(output), inputs)


def export_graphs(kg: KnowledgeGraph, graph: str = "asserted") -> list[str]:
    """The named graphs an export holds: asserted, inferred or all (for the published
    dataset, with its default graph, see ``dataset_quads``)."""
    from .core.formats import GRAPH_CHOICES

    if graph not in GRAPH_CHOICES or graph == "dataset":
        raise QueryError(
            f"--graph {graph!r} is not one of: {', '.join(GRAPH_CHOICES)}",
            hint="dataset is what the release publishes; asserted is the files as written; "
            "inferred and all run the reasoner",
        )
    chosen = list(kg.asserted_graphs) if graph in ("asserted", "all") else []
    if graph in ("inferred", "all"):
        reason(kg)
        chosen.append(INFERRED_GRAPH)
    return chosen


def export(
    kg: KnowledgeGraph,
    fmt: str | None = None,
    graph: str | None = None,
    reasoned: bool = False,
    canonical: bool = False,
    output: Path | None = None,
) -> str:
    """The graph in an RDF format (written atomically to *output* when given).

    *graph* defaults to ``dataset`` (the published dataset) in TriG and N-Quads, the
    formats that can hold it; in the flat formats, to ``all`` with *reasoned* and to
    ``asserted`` without, merged into one graph under a header that says what is lost.
    """
    from .core import formats

    chosen = formats.choose(fmt, output, canonical)
    graph = graph or ("dataset" if chosen.keeps_graphs else "all" if reasoned else "asserted")
    if graph == "dataset" and not chosen.keeps_graphs:
        raise QueryError(
            f"--graph dataset has named graphs, which {chosen.name} cannot hold",
            hint="use --format trig or nquads (or a .trig or .nq file name)",
        )
    if output is not None:
        output = check_output(output, [*kg.ontology_files, *kg.data_files])
    if reasoned:
        reason(kg)
    quads = dataset_quads(kg) if graph == "dataset" else list(kg.quads(export_graphs(kg, graph)))
    if canonical:
        text = formats.canonical_nquads(quads)
    else:
        text = formats.with_header(formats.serialize(quads, chosen), chosen, flat_note(chosen))
    if output is not None:
        write_atomic(Path(output), text, rdf_format=chosen.syntax)
    return text


def flat_note(fmt) -> list[str]:
    """What a file in a flat format (one graph) says about itself, or nothing for TriG and
    N-Quads: the source graphs are merged away, and which file to take instead."""
    if fmt.keeps_graphs:
        return []
    name = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}.get(fmt.name)
    return [
        f"zonekg: {name or fmt.name} holds one graph, so the named graphs are merged into it:",
        "which source states which triple (the source graphs), the types and the closure",
        "are not told apart. To ask the competency questions, or to load the dataset into",
        "a SPARQL store, take the TriG or N-Quads file (zonekg.trig, zonekg.nq in a release;",
        "zonekg export -o FILE.trig or FILE.nq): its default graph is what the questions read.",
    ]


# --- inspect -----------------------------------------------------------------------------

_WHY = """
SELECT ?kind ?document ?documentLabel ?quote ?url WHERE {
  VALUES ?entity { %s }
  ?entity prov:wasDerivedFrom ?support .
  {
    ?support a zk:Passage ; oa:exact ?quote ; dct:isPartOf ?document .
    BIND("quote" AS ?kind)
  } UNION {
    ?support a zk:SourceDocument .
    BIND(?support AS ?document)
    BIND("document" AS ?kind)
  }
  OPTIONAL { ?document rdfs:label ?documentLabel FILTER(lang(?documentLabel) = "en") }
  OPTIONAL { ?document schema:url ?url }
}
ORDER BY ?kind ?document ?quote
"""

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities) WHERE { ?entity a ?class }
GROUP BY ?class ORDER BY DESC(?entities) ?class
"""

_SOURCE_COUNTS = """
SELECT ?document ?label (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  ?document a zk:SourceDocument .
  OPTIONAL { ?document rdfs:label ?label FILTER(lang(?label) = "en") }
  OPTIONAL {
    # joined on ?document (a FILTER with EXISTS here tried every derivation against every
    # document: quadratic, minutes at 20k triples)
    { ?entity prov:wasDerivedFrom ?document }
    UNION
    { ?support dct:isPartOf ?document . ?entity prov:wasDerivedFrom ?support }
  }
}
GROUP BY ?document ?label ORDER BY DESC(?entities) ?document
"""


@dataclass
class Support:
    kind: str  # "quote" or "document"
    document: str
    document_label: str
    quote: str
    url: str


_FACTS = """
SELECT ?source ?p ?o ?label WHERE {
  GRAPH ?source { %s ?p ?o }
  OPTIONAL { ?o rdfs:label ?label FILTER(lang(?label) = "en") }
}
"""

_RECORDS = """
SELECT ?document ?label ?publisher ?issued ?url ?citation WHERE {
  VALUES ?document { %s }
  OPTIONAL { ?document rdfs:label ?label FILTER(lang(?label) = "en") }
  OPTIONAL {
    ?document dct:publisher ?by .
    ?by rdfs:label ?publisher FILTER(lang(?publisher) = "en")
  }
  OPTIONAL { ?document dct:issued ?issued }
  OPTIONAL { ?document schema:url ?url }
  OPTIONAL { ?document dct:bibliographicCitation ?citation }
}
"""


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
    described = answer(kg, screen(f"ASK {{ {term} ?p ?o }}", "why"))
    if not described.boolean:
        raise QueryError(
            f"{entity} is not described in the graph",
            hint="give a full IRI or a CURIE such as zone:chengdu (see `zonekg stats`)",
        )
    supports = [
        Support(*(("" if term is None else term.value) for term in (r[0], r[1], r[2], r[3], r[4])))
        for r in answer(kg, screen(_WHY % term, "why")).rows
    ]
    data = set(kg.loaded.data_graphs)
    sources: dict[str, Source] = {}
    facts: dict[tuple, Fact] = {}
    # over the graphs the store holds now: only the data graphs are kept below, so the
    # derived graphs (the closure: a reasoning run) need not be made for this
    stated = kg.engine.query(kg.loaded, screen(_FACTS % term, "why"), default_graphs=_typed(kg))
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
    values = " ".join(named)
    fields = ("label", "publisher", "issued", "url", "citation")
    for row in answer(kg, screen(_RECORDS % values, "why")).rows:
        source = sources[row[0].value]
        for name, term in zip(fields, row[1:], strict=True):
            have = getattr(source, name)
            if term is not None and (not have or term.value < have):
                setattr(source, name, term.value)


@dataclass
class Stats:
    triples: dict[str, int]
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, int]]


def stats(kg: KnowledgeGraph) -> Stats:
    """Statements per file (each quad the file writes, once), entities per class and per source.

    A source graph spans several files (each file holds one topic of every source that
    speaks of it), so a file's count is of its own statements, not of its graphs.
    """
    from .core.namespaces import display_path

    triples = {display_path(f.path): len(set(f.parse())) for f in kg.inputs.files}
    data = list(kg.loaded.data_graphs)
    classes = answer(kg, screen(_CLASS_COUNTS, "stats"), default_graphs=data)
    sources = answer(kg, screen(_SOURCE_COUNTS, "stats"), default_graphs=data)
    return Stats(
        triples,
        [(r[0].value, int(r[1].value)) for r in classes.rows],
        [(r[0].value, "" if r[1] is None else r[1].value, int(r[2].value)) for r in sources.rows],
    )


# --- the vocabulary, documented ------------------------------------------------------------


@dataclass
class Term:
    """A class or property as the ontology pages show it: what the ontology says of it and
    how the data uses it (``usage``: instances of a class, triples with a property;
    ``example``: one such triple of the data, in Turtle with the project's prefixes)."""

    iri: str
    curie: str
    anchor: str
    kind: str
    ours: bool
    label: str
    definition: str
    defined_by: str
    usage: int
    example: str
    alignment: list[tuple[str, str]] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)


#: How long a literal of an example may be before it is cut (a document's full text is long).
EXAMPLE_LITERAL = 80


def vocabulary(view: RdfView) -> tuple[list[Term], list[Term]]:
    """(classes, properties): every term the ontology declares in its own namespace, every
    term the data uses as a class or a property (borrowed ones too) and every term the
    ontology documents (``rdfs:isDefinedBy``), each with its documentation, its usage in the
    data and an example from it; sorted, the project's own first."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL as _OWL
    from rdflib.namespace import RDF as _RDF
    from rdflib.namespace import RDFS as _RDFS

    onto, data = view.ontology, view.data
    declared = {
        kind: {t for t in onto.subjects(_RDF.type, cls) if str(t).startswith(ZK)}
        for kind, cls in (
            ("class", _OWL.Class),
            ("object property", _OWL.ObjectProperty),
            ("datatype property", _OWL.DatatypeProperty),
        )
    }
    instances: dict = {}
    for s, cls in data.subject_objects(_RDF.type):
        if isinstance(cls, URIRef):
            instances.setdefault(cls, set()).add(s)
    triples: dict = {}
    for triple in data:
        triples.setdefault(triple[1], []).append(triple)
    documented = {t for t in onto.subjects(_RDFS.isDefinedBy, None) if isinstance(t, URIRef)}
    class_terms = declared["class"] | set(instances)
    property_terms = declared["object property"] | declared["datatype property"] | set(triples)
    for term in documented - class_terms - property_terms:
        is_class = (term, _RDF.type, _OWL.Class) in onto or (term, _RDF.type, _RDFS.Class) in onto
        (class_terms if is_class else property_terms).add(term)
    class_terms -= property_terms  # a term used both ways is listed as a property

    def example(found: list) -> str:
        if not found:
            return ""
        s, p, o = min(found, key=lambda t: (t[0].n3(), t[2].n3()))
        if isinstance(o, Literal):
            text = o.n3(data.namespace_manager)
            if len(str(o)) > EXAMPLE_LITERAL:
                short = Literal(
                    str(o)[:EXAMPLE_LITERAL] + "…", lang=o.language, datatype=o.datatype
                )
                text = short.n3(data.namespace_manager)
            value = text
        else:
            value = curie(str(o))
        return f"{curie(str(s))} {curie(str(p))} {value} ."

    classes = [
        _term(
            onto,
            c,
            "class",
            len(instances.get(c, ())),
            example([(s, _RDF.type, c) for s in instances.get(c, ())]),
        )
        for c in class_terms
    ]
    props = []
    for p in property_terms:
        if p in declared["object property"]:
            kind = "object property"
        elif p in declared["datatype property"]:
            kind = "datatype property"
        else:
            kind = "property"
        term = _term(onto, p, kind, len(triples.get(p, ())), example(triples.get(p, [])))
        term.domain = sorted(curie(str(d)) for d in onto.objects(p, _RDFS.domain))
        term.range = sorted(curie(str(r)) for r in onto.objects(p, _RDFS.range))
        term.characteristics = sorted(
            str(t)[len(str(_OWL)) :]
            for t in onto.objects(p, _RDF.type)
            if str(t).startswith(str(_OWL))
            and t not in (_OWL.ObjectProperty, _OWL.DatatypeProperty)
        )
        props.append(term)

    def order(term: Term):
        return (not term.ours, term.anchor.lower() if term.ours else term.curie)

    return sorted(classes, key=order), sorted(props, key=order)


def _term(onto, iri, kind: str, usage: int, example: str) -> Term:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL as _OWL
    from rdflib.namespace import RDFS as _RDFS
    from rdflib.namespace import SKOS as _SKOS

    def english(prop) -> str:
        values = sorted(onto.objects(iri, prop))
        for value in values:
            if isinstance(value, Literal) and value.language == "en":
                return str(value)
        return str(values[0]) if values else ""

    alignment = []
    for prop, name in (
        (_RDFS.subClassOf, "subclass of"),
        (_OWL.equivalentClass, "equivalent to"),
        (_RDFS.subPropertyOf, "subproperty of"),
        (_OWL.equivalentProperty, "equivalent to"),
        (_OWL.inverseOf, "inverse of"),
    ):
        alignment += [
            (name, curie(str(o))) for o in sorted(onto.objects(iri, prop)) if isinstance(o, URIRef)
        ]
    ours = str(iri).startswith(ZK)
    defined_by = onto.value(iri, _RDFS.isDefinedBy)
    return Term(
        iri=str(iri),
        curie=curie(str(iri)),
        anchor=str(iri)[len(ZK) :] if ours else curie(str(iri)),
        kind=kind,
        ours=ours,
        label=english(_RDFS.label),
        definition=english(_SKOS.definition),
        defined_by="" if defined_by is None else str(defined_by),
        usage=usage,
        example=example,
        alignment=alignment,
    )


# --- the graphs as rdflib graphs -----------------------------------------------------------


@dataclass
class RdfView:
    """The loaded graphs as an rdflib Dataset, for the modules that publish with rdflib."""

    dataset: Any
    ontology_graphs: list[str]
    data_graphs: list[str]
    ontology_files: list[Path]
    data_files: list[Path]

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> RdfView:
        from rdflib import Dataset, URIRef

        from .core.terms import to_rdflib
        from .core.vocab import bind_prefixes

        dataset = bind_prefixes(Dataset())
        graphs = list(kg.asserted_graphs) + ([INFERRED_GRAPH] if kg.reasoned else [])
        for q in kg.quads(graphs):
            dataset.graph(URIRef(q.graph_name.value)).add(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            )
        return cls(
            dataset,
            list(kg.loaded.ontology_graphs),
            list(kg.loaded.data_graphs),
            kg.ontology_files,
            kg.data_files,
        )

    def graph(self, iri: str):
        from rdflib import URIRef

        return self.dataset.graph(URIRef(iri))

    def merged(self, graphs: Sequence[str]):
        from .core.vocab import merged

        return merged(self.dataset, graphs)

    @cached_property
    def ontology(self):
        return self.merged(self.ontology_graphs)

    @cached_property
    def data(self):
        return self.merged(self.data_graphs)

    def asserted(self):
        """Ontology and data together, as one (fresh) graph."""
        return self.merged([*self.ontology_graphs, *self.data_graphs])


__all__ = [
    "INFERENCE_CHOICES",
    "all_questions",
    "closure_text",
    "find_question",
    "remote_answer",
    "remote_graphs",
    "write_output",
    "Job",
    "KnowledgeGraph",
    "RdfView",
    "answer",
    "bounded",
    "export",
    "inferred",
    "job_for",
    "load",
    "query",
    "reason",
    "stats",
    "undefined_terms",
    "vocabulary",
    "Term",
    "validate",
    "why",
    "Why",
    "Source",
    "Fact",
]
