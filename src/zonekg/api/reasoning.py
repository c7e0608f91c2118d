"""Reason: the OWL-RL closure in a graph of its own (never in the asserted data), kept in
the cache folder under the digest of everything that makes it, then the OWL 2 RL
inconsistency rules."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from .. import engines
from ..core import paths
from ..core.errors import LoadError, Note
from ..core.namespaces import INFERRED_GRAPH
from ..core.settings import Limits
from ..engines import consistency
from ..engines.base import MAKING_LIBRARIES, Progress, SchemaCloser, no_progress
from ..safety import cache
from .loading import KnowledgeGraph

T = TypeVar("T")


def reason(kg: KnowledgeGraph, progress: Progress = no_progress) -> int:
    """Materialise the OWL-RL closure into its own graph (once per load); return its size."""
    if kg.reasoned:
        if kg.loaded.unchecked:  # a closure kept from an earlier command: checked here too
            ill_typed_literals(kg)
            check_consistency(kg)
            kg.loaded.unchecked = False
        return kg.loaded.inferred_count or 0
    ill_typed_literals(kg)
    kg.__dict__.pop("rdf", None)  # an rdflib view made before this would lack the closure
    cache = _closure_cache(kg)
    count = _add_kept_closure(kg, *cache) if cache is not None else None
    if count is not None:
        # A closure is kept only once found consistent (below), under a key that holds
        # everything the rules read (the inputs, the engine, the rules' code): checking it
        # again would find what it found then (cq01 on the project's data: 25 of 160 ms).
        kg.loaded.keep()
        return count
    cap = kg.limits.max_triples
    try:
        count = kg.engine.reason(
            kg.loaded, cap=cap, close_schema=schema_closer(kg), progress=progress
        )
    except engines.Unsupported as refusal:
        engine, loaded = kg.fallback(refusal)
        kg.handed_over(refusal, "reasoned")
        engine.reason(loaded, cap=cap, close_schema=schema_closer(kg, engine), progress=progress)
        count = kg.engine.add_graph(kg.loaded, INFERRED_GRAPH, engine.inferred(loaded))
    check_consistency(kg)
    if cache is not None:
        _keep_closure(*cache, kg.engine.ntriples(kg.loaded, INFERRED_GRAPH))
    kg.loaded.keep()  # a closure is kept for the next command once found consistent
    return count


def schema_closer(kg: KnowledgeGraph, engine: engines.Engine | None = None):
    """What closes the schema for *engine* (the load's): nothing if it does it itself, else
    its fallback's ``close_schema`` (no load needed: it takes the triples it closes)."""
    engine = engine or kg.engine
    if engine.closes_schema:
        return None
    helper = engines.get(engine.fallback) if engine.fallback else None
    return None if helper is None else functools.partial(_kept_schema, kg, helper.close_schema)


def _kept_schema(kg: KnowledgeGraph, close: SchemaCloser, triples: list[ox.Triple]):
    """The schema closed by *close*: the project's own closed schema when *triples* are its
    schema (``shipped_schema``), else kept in the cache folder under the digest of *triples*
    (the same ontology closes the same way whatever the data: owlrl takes 1.2 s on the
    project's 831 schema triples, of the 1.4 s a reasoning run on the project's data takes)."""
    lines = sorted(str(t) for t in triples)
    shipped = _shipped_schema(lines, kg.limits)
    if shipped is not None:
        return shipped
    digest = hashlib.sha256(_makers().encode())
    for line in lines:
        digest.update(f"{line}\n".encode())
    key = digest.hexdigest()
    path = paths.cache_folder() / f"schema-{key[:32]}.nt"
    kept = _read_closure(kg, path, key)
    if kept is not None:
        return kept
    closed = close(triples)
    _write_closure(path, key, closed)
    return closed


#: The first line of the shipped closed schema, before the digest of the schema it closes.
_SHIPPED = "# zonekg: what owlrl's OWL-RL closure adds to the schema triples of SHA-256 "


def _schema_digest(lines: list[str]) -> str:
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def _shipped_schema(lines: list[str], limits: Limits) -> list[ox.Triple] | None:
    """The closed schema shipped with the project (``paths.SCHEMA_CLOSURE``) when it closes
    the schema of sorted N-Triples *lines*, else None. Made by ``make schema-closure`` and
    checked by the tests to be what owlrl adds to the project's schema, so that a first
    reasoning run (a new clone, an empty cache) does not pay owlrl's 1.2 s."""
    from ..inputs.files import read_bounded

    if not paths.SCHEMA_CLOSURE.is_file():
        return None  # a home of the project's files without it: owlrl closes the schema
    data = read_bounded(paths.SCHEMA_CLOSURE, limits)
    first, _, body = data.partition(b"\n")
    if first.decode("utf-8", "replace") != _SHIPPED + _schema_digest(lines):
        return None
    try:
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise LoadError(
            f"the project's closed schema does not parse: {exc}",
            hint="make it again: make schema-closure",
            file=paths.SCHEMA_CLOSURE,
        ) from None


def shipped_schema(kg: KnowledgeGraph) -> str:
    """The text of the shipped closed schema for the schema of *kg* (``make
    schema-closure`` writes it for the project's data): a first line naming the digest of
    the schema it closes, then what owlrl adds to it, as sorted N-Triples lines."""
    engine = kg.engine
    helper = engines.get(engine.fallback) if not engine.closes_schema else None
    if helper is None:
        raise engines.Unsupported(f"the {engine.name} engine closes its schema itself")
    made: list = []

    def close(triples: list[ox.Triple]) -> list[ox.Triple]:
        made.append((sorted(str(t) for t in triples), helper.close_schema(triples)))
        return made[-1][1]

    engine.reason(kg.loaded, cap=kg.limits.max_triples, close_schema=close)
    lines, closed = made[0]
    text = ox.serialize(closed, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    body = sorted({line for line in text.splitlines() if line.strip()})
    return "".join(f"{line}\n" for line in [_SHIPPED + _schema_digest(lines), *body])


def write_shipped_schema() -> Path:
    """Make the project's shipped closed schema again (``make schema-closure``, after the
    ontology changed: a test says when)."""
    from ..safety.atomic import write_atomic
    from .loading import load

    write_atomic(paths.SCHEMA_CLOSURE, shipped_schema(load()), rdf_format="ntriples")
    return paths.SCHEMA_CLOSURE


def ill_typed_literals(kg: KnowledgeGraph) -> None:
    """OWL 2 RL dt-not-type: a literal outside its datatype's lexical space makes the
    ontology and data inconsistent, whatever else holds (so before reasoning)."""
    consistency.refuse(
        [
            ("dt-not-type", str(problem.error()).split("\n")[0], (problem.lexical,))
            for problem in kg.inputs.ill_typed
        ]
    )


def check_consistency(kg: KnowledgeGraph) -> None:
    """Raise ``Inconsistent`` (exit 1) when a rule of OWL 2 RL concludes false on the asserted
    graphs and the closure: the rule and the resources are named."""
    graphs = [*kg.asserted_graphs, INFERRED_GRAPH]
    found = consistency.violations(
        lambda screened: kg.engine.query_distinct(kg.loaded, screened, graphs)
    )
    # What a reasoner found when it reasoned (any rule the queries above would not name).
    found += [("owlrl", words, ()) for loaded in kg.loads() for words in loaded.reasoner_errors]
    consistency.refuse(found)


def inferred(kg: KnowledgeGraph) -> list[ox.Triple]:
    """The inferred triples (reasoning first if needed)."""
    reason(kg)
    return kg.engine.inferred(kg.loaded)


def closure_text(kg: KnowledgeGraph, fmt: str = "turtle") -> str:
    """The inferred triples in *fmt* (Turtle by default, with the project's prefixes; in
    their graph in TriG and N-Quads), reasoning first if needed."""
    from ..core.formats import serialize, serialize_graph

    reason(kg)
    kept = _kept_closure(kg) if kg.loaded.on_disk else None
    if kept is not None:
        return serialize_graph(kept, INFERRED_GRAPH, fmt)
    return serialize(kg.quads([INFERRED_GRAPH]), fmt)


def _kept_closure(kg: KnowledgeGraph) -> list[ox.Triple] | None:
    """The closure as the cache keeps it, when it is the one the load holds (the same key,
    the same size); else None. Its text parses faster than a store on disk decodes its
    terms: a later ``reason -o`` on a million triples' kept store read them back in 2.35 s,
    the kept text in 0.8 s."""
    found = _closure_cache(kg)
    triples = None if found is None else _read_closure(kg, *found, "read from the store")
    if triples is None or len(triples) != kg.loaded.inferred_count:
        return None
    return triples


#: What a kept closure means: the closure of its inputs, found consistent when it was kept,
#: naming no blank node (the closures kept before this meant less, and are not read).
CLOSURE_LAYOUT = "zonekg-closure 3: consistent, no blank node"


def _closure_cache(kg: KnowledgeGraph) -> tuple[Path, str] | None:
    """Where the closure of this load is kept, and its key: everything that changes it."""
    if kg.loaded.persistent:
        return None  # an on-disk store keeps its closure itself
    digest = hashlib.sha256(CLOSURE_LAYOUT.encode())
    digest.update(kg.inputs.digest().encode())  # each file's role, graph, base, syntax, bytes
    digest.update(kg.engine.name.encode())
    digest.update(_makers().encode())
    key = digest.hexdigest()
    return paths.cache_folder() / f"closure-{key[:32]}.nt", key


def _makers() -> str:
    """The digest of what reasons besides the inputs: the engines' code and the versions of
    the libraries that reason and parse (a changed reasoner never reads an old closure)."""
    return cache.makers(Path(engines.__file__).parent, MAKING_LIBRARIES)


#: The bytes a cached closure may take: generous for the triples the reasoner may make.
_BYTES_PER_TRIPLE = 1024


def _read_closure(
    kg: KnowledgeGraph, path: Path, key: str, instead: str = "reasoned again"
) -> list[ox.Triple] | None:
    """The closure kept for *key*, as triples, if it checks out (``_read_kept``; *instead*:
    what is done when it does not, for the note)."""

    def parsed(data: bytes, count: int) -> list[ox.Triple]:
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        if len(triples) != count:
            raise cache.Damaged(f"it holds {len(triples)} triples, its manifest {count}")
        return triples

    return _read_kept(kg, path, key, parsed, instead)


def _add_kept_closure(kg: KnowledgeGraph, path: Path, key: str) -> int | None:
    """The closure kept for *key* added to the load as its closure graph, and its size, if
    it checks out (``_read_kept``) and names no blank node (else nothing is added)."""

    def added(data: bytes, count: int) -> int:
        if b"_:" in data and _names_blank_node(data):
            raise cache.Damaged("it names a blank node, which a new load names anew")
        try:
            return kg.engine.add_ntriples(kg.loaded, INFERRED_GRAPH, data, count)
        except engines.CountMismatch as mismatch:
            raise cache.Damaged(f"{mismatch}, its manifest {count}") from None

    return _read_kept(kg, path, key, added)


def _read_kept(
    kg: KnowledgeGraph,
    path: Path,
    key: str,
    take: Callable[[bytes, int], T],
    instead: str = "reasoned again",
) -> T | None:
    """What *take* makes of the N-Triples kept for *key* and the number of triples its
    manifest gives, if the bytes match the manifest; else, or where *take* finds them
    damaged (``cache.Damaged``), None: a damaged entry is discarded, with a note saying
    what is done *instead*."""
    cap = kg.limits.max_triples * _BYTES_PER_TRIPLE
    try:
        entry = cache.read(paths.cache_folder(), path, key, cap)
        if entry is None:
            return None
        try:
            return take(entry.data, entry.count)
        except (SyntaxError, ValueError):
            raise cache.Damaged("it does not parse as N-Triples") from None
    except cache.Damaged as damage:
        cache.discard(paths.cache_folder(), path)
        kg.notes.append(Note(f"the cached closure {path} was not used: {damage}; {instead}"))
        return None


def _names_blank_node(data: bytes) -> bool:
    """Whether the N-Triples *data* name a blank node (SyntaxError where they do not parse)."""
    return any(
        isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
        for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    )


def _keep_closure(path: Path, key: str, data: bytes) -> None:
    """Keep the closure (N-Triples *data*) for the next command, unless it names a blank
    node: the next load of the same files gives their blank nodes other names, which the
    kept ones would miss. A cache that cannot be written is skipped."""
    try:
        if b"_:" in data and _names_blank_node(data):
            return
    except (SyntaxError, ValueError):
        return
    cache.write(paths.cache_folder(), path, key, data, data.count(b"\n"))


def _write_closure(path: Path, key: str, triples: list[ox.Triple]) -> None:
    """Keep the closure for the next command; a cache that cannot be written is skipped."""

    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    cache.write(paths.cache_folder(), path, key, data, len(triples))
