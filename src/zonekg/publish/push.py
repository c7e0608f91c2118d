"""Push the graph to a remote triplestore over the SPARQL 1.1 Graph Store Protocol.

A push puts the named graphs of the published dataset (``api.published_dataset``, the
one definition the release and local queries share), so that every question answers the
same remotely (a query at the endpoint names the default graph per question):

* each asserted graph (the ontology, and one graph per source document, named after
  it) into the named graph of the same name, so that ``GRAPH ?source { … }`` finds
  the sources that state a triple;
* ``graph/asserted`` (ASSERTED_GRAPH): those graphs merged, each triple once;
* ``graph/types`` (TYPES_GRAPH): the class hierarchy made explicit, less what is
  asserted: a question without inference is asked over asserted + types;
* ``graph/inferred`` (INFERRED_GRAPH, with ``with_inferred``): the OWL-RL closure
  less what is asserted: a question marked ``Inference: owlrl`` is asked over
  asserted + inferred. Without it, an inferred graph left by an earlier push is
  deleted, so that the store never holds a closure of other data;
* ``graph/pushed`` (PUSHED_GRAPH), last: ``<graph/pushed> dct:hasPart <g>`` for every
  graph above, so that a query that uses GRAPH can name them (``named-graph-uri``), and
  ``<g> a zk:DataGraph`` for each graph of the data (not the ontology's), which
  validation in the store needs (``validate`` adds these triples to the data it checks).

The merged graphs never overlap, because a store that reads ``FROM A FROM B`` (or
two ``default-graph-uri``) counts a triple in both twice. Every graph is named: the
protocol's default graph is a different thing in every store (Virtuoso refuses a
PUT to it, Oxigraph replaces its whole dataset with a PUT that names no graph).

Each graph is one HTTP PUT, which the protocol defines as replacing the target
graph: readers see the old graph or the new one, never a half-uploaded one (for
stores that apply a request in one transaction). The graphs are spooled to a
temporary file first (``Spool``) and each is sent from a file, so that a push
holds one graph at a time, not the dataset; both files are unnamed while they
are used, so that a push stopped part of the way leaves neither behind. The
source graphs go first and the merged graphs last. Only the URL the user names
is contacted; credentials come from the environment or ``~/.netrc``
(``safety.auth``).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .. import api
from ..core.errors import EnvironmentProblem
from ..core.namespaces import (
    ASSERTED_GRAPH,
    DERIVED_GRAPHS,
    INFERRED_GRAPH,
    PUSHED_GRAPH,
    RDF,
    TYPES_GRAPH,
    ZK,
)
from ..core.settings import DEFAULT_LIMITS, Limits
from ..safety.auth import send_authorised
from ..safety.http import RemoteError, check_url

DATA_GRAPH = ZK + "DataGraph"

#: Triples serialised at a time while the spool is filled.
BATCH = 20_000


@dataclass
class PushResult:
    endpoint: str
    triples: int
    status: int
    graphs: int = 0  # source graphs put beside the merged graphs
    merged: dict[str, int] = field(default_factory=dict)  # merged graph → triples
    seconds: float = 0.0


def graph_store_url(endpoint: str, graph: str) -> str:
    """The GSP address of *graph* (``?graph=IRI``)."""
    check_url(endpoint)
    joiner = "&" if "?" in endpoint else "?"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


class Spool:
    """The graphs a push puts, as N-Triples lines in a temporary SQLite file: the named
    graphs of ``api.published_dataset`` (each triple of a graph once, the derived graphs
    less what is asserted), read back one graph at a time, its lines sorted. A push holds
    one graph's lines, not the dataset: at a million triples, building every graph as
    Python sets and bytes took 2.2 GB."""

    def __init__(self, kg: api.KnowledgeGraph, with_inferred: bool, folder: Path | None = None):
        self.graphs = api.published_graphs(kg)
        if not with_inferred:
            self.graphs.remove(INFERRED_GRAPH)
        published = set(self.graphs)  # (a list's `in` made this quadratic: 2 s at 1M)
        self.data_graphs = [g for g in kg.loaded.data_graphs if g in published]
        self._ids = {iri: number for number, iri in enumerate(self.graphs)}
        handle, name = tempfile.mkstemp(prefix="zonekg-push-", suffix=".sqlite", dir=folder)
        os.close(handle)
        self._db = sqlite3.connect(name, isolation_level=None)
        # a scratch file, nothing to recover after a crash: no journal, no syncing. The
        # lines go in as they come and are indexed once at the end (indexing as they
        # came took three times as long), each read back in index order, each once.
        try:
            try:
                self._db.executescript(
                    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                    "PRAGMA cache_size = -65536;"
                    "CREATE TABLE asserted (graph INTEGER, text BLOB);"
                    "CREATE TABLE derived (graph INTEGER, text BLOB);"
                )
            finally:
                # open, it works on; unnamed, a push killed part of the way leaves nothing
                os.unlink(name)
            self._fill(kg)
        except sqlite3.OperationalError as exc:  # (the disk full, most likely)
            self._db.close()
            raise EnvironmentProblem(
                f"no room for push's scratch copy of the graphs in {Path(name).parent} ({exc})",
                hint="free space there, or set TMPDIR to a folder on a disk with room: it "
                "needs about twice the size of the dataset as N-Triples",
            ) from None

    def _fill(self, kg: api.KnowledgeGraph) -> None:
        # one transaction: in autocommit each row is one, which took 12 times as long
        self._db.execute("BEGIN")
        for batch in _batches(kg.quads(kg.asserted_graphs, once=False)):
            graphs = (self._ids[q.graph_name.value] for q in batch)
            rows = zip(graphs, _lines(batch), strict=True)  # one line per triple
            self._db.executemany("INSERT INTO asserted VALUES (?, ?)", rows)
        api.entail_types(kg)
        if INFERRED_GRAPH in self._ids:
            api.reason(kg)
        for derived in (TYPES_GRAPH, INFERRED_GRAPH):
            if derived in self._ids:
                for batch in _batches(kg.quads([derived])):
                    rows = ((self._ids[derived], text) for text in _lines(batch))
                    self._db.executemany("INSERT INTO derived VALUES (?, ?)", rows)
        self._db.execute("COMMIT")
        self._db.executescript(
            "CREATE INDEX asserted_by_graph ON asserted (graph, text);"
            "CREATE INDEX asserted_by_text ON asserted (text);"
            "CREATE INDEX derived_by_graph ON derived (graph, text);"
        )

    def write(self, iri: str, out: BinaryIO) -> int:
        """Write graph *iri* as N-Triples to *out*, in place of what it held, and rewind it;
        its size."""
        out.seek(0)
        out.truncate()
        if iri == ASSERTED_GRAPH:
            rows = self._db.execute("SELECT DISTINCT text FROM asserted ORDER BY text")
        elif iri in DERIVED_GRAPHS:
            rows = self._db.execute(
                "SELECT DISTINCT text FROM derived WHERE graph = ? AND text NOT IN"
                " (SELECT text FROM asserted) ORDER BY text",
                (self._ids[iri],),
            )
        else:
            rows = self._db.execute(
                "SELECT DISTINCT text FROM asserted WHERE graph = ? ORDER BY text",
                (self._ids[iri],),
            )
        count = 0
        for (text,) in rows:
            out.write(text)
            out.write(b"\n")
            count += 1
        out.flush()
        out.seek(0)  # to be read from its start
        return count

    def close(self) -> None:
        self._db.close()


def _batches(quads) -> Iterator[list[ox.Quad]]:
    it = iter(quads)
    return iter(lambda: list(itertools.islice(it, BATCH)), [])


def _lines(quads: list[ox.Quad]) -> list[bytes]:
    text = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return text.splitlines()  # one line per triple: N-Triples escapes a line break


def _manifest(graphs: list[str], data_graphs: list[str]) -> bytes:
    has_part = ox.NamedNode("http://purl.org/dc/terms/hasPart")
    pushed = ox.NamedNode(PUSHED_GRAPH)
    manifest = [ox.Triple(pushed, has_part, ox.NamedNode(g)) for g in graphs]
    # which graphs are the data's (not the ontology's), as validation types them
    rdf_type, data_graph = ox.NamedNode(RDF + "type"), ox.NamedNode(DATA_GRAPH)
    manifest += [ox.Triple(ox.NamedNode(g), rdf_type, data_graph) for g in data_graphs]
    return ox.serialize(sorted(manifest, key=str), format=ox.RdfFormat.N_TRIPLES)


def push(
    endpoint: str,
    kg: api.KnowledgeGraph,
    with_inferred: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[str, int], None] | None = None,
) -> PushResult:
    """Replace each source graph of *kg*, then the merged graphs, at *endpoint* (a Graph
    Store), each request within *limits*; *with_inferred*: the closure too (made here if
    it is not yet), else an old one is deleted. *progress*: called ``("push", 1)`` as each
    graph is put.

    A failure part of the way says which graphs were already replaced.
    """
    check_url(endpoint)
    started = time.monotonic()
    spool = Spool(kg, with_inferred)
    try:
        sizes, status = _put_all(endpoint, spool, limits, progress or _unseen)
    finally:
        spool.close()
    merged = {iri: n for iri, n in sizes.items() if iri in DERIVED_GRAPHS}
    return PushResult(
        endpoint,
        sum(merged.values()),
        status,
        len(sizes) - len(merged),
        merged,
        time.monotonic() - started,
    )


def _put_all(
    endpoint: str, spool: Spool, limits: Limits, progress: Callable[[str, int], None]
) -> tuple[dict[str, int], int]:
    """Put every graph of *spool*, then graph/pushed: the triples of each, and the status."""
    sizes = {}
    with tempfile.TemporaryFile() as body:  # unnamed, as the spool
        for done, iri in enumerate(spool.graphs):
            sizes[iri] = spool.write(iri, body)
            try:
                _put(endpoint, iri, body, limits)
                progress("push", 1)
            except RemoteError as exc:
                if done:
                    exc.message = f"{exc.message} (after {done} of {len(spool.graphs)} graphs)"
                raise
    if INFERRED_GRAPH not in spool.graphs:
        _delete(endpoint, INFERRED_GRAPH, limits)
    manifest = _manifest(spool.graphs, spool.data_graphs)
    return sizes, _put(endpoint, PUSHED_GRAPH, manifest, limits)


def _unseen(_step: str, _n: int) -> None:
    """No progress shown."""


def _put(endpoint: str, graph: str, ntriples: bytes | BinaryIO, limits: Limits) -> int:
    """PUT *ntriples* (bytes, or a file read from its start) as graph *graph*."""
    size = len(ntriples) if isinstance(ntriples, bytes) else os.fstat(ntriples.fileno()).st_size
    request = urllib.request.Request(
        graph_store_url(endpoint, graph),
        data=ntriples,
        method="PUT",
        # given, so that a file is not sent in chunks, which not every store reads
        headers={"Content-Type": "application/n-triples", "Content-Length": str(size)},
    )
    status, _, _ = send_authorised(request, limits)
    return status


def _delete(endpoint: str, graph: str, limits: Limits) -> None:
    """Delete *graph* if the store has it (a 404 is what a store without it says)."""
    request = urllib.request.Request(graph_store_url(endpoint, graph), method="DELETE")
    try:
        send_authorised(request, limits)
    except RemoteError as exc:
        if exc.status != 404:
            raise
