"""JSON-LD for web developers: the project @context, compacted and framed documents.

The context (``context.jsonld`` beside this module, published as
CONTEXT_IRI) gives readable keys: ``name`` for labels as a language map,
``partOf``, ``totalArea``, ``derivedFrom`` and so on. Documents carry the
context inline so that they can be read without fetching anything.

pyld is only ever given LOADER, which serves the project's own context and
refuses every other address: JSON-LD processing never reaches the network.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.jsonld import JsonLdError
from pyld.nquads import parse_nquads
from rdflib import Dataset, Graph, URIRef

from .errors import LoadError, ZonekgError
from .vocab import bind_prefixes

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
CONTEXT_IRI = "https://w3id.org/zonekg/context.jsonld"
ZONE_IRI = "https://w3id.org/zonekg/id/zone/chengdu"


@cache
def _context_document() -> dict[str, Any]:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def context() -> dict[str, Any]:
    """The project's @context object (a fresh copy: callers may change it)."""
    return copy.deepcopy(_context_document()["@context"])


def context_text() -> str:
    return CONTEXT_FILE.read_text(encoding="utf-8")


def loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """A pyld document loader that serves only the project's context."""
    if url == CONTEXT_IRI:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(_context_document()),
        }
    raise JsonLdError(
        f"refusing to fetch {url}: only the project context ({CONTEXT_IRI}) is served",
        "jsonld.LoadDocumentError",
        {"url": url},
        code="loading remote context failed",
    )


def _options(**extra) -> dict[str, Any]:
    return {"documentLoader": loader, **extra}


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, remembering what each IRI without a value compacts to.

    At each occurrence of an IRI, pyld looks for a prefix of it among all the context's
    terms (the project's context has 220): the 35 framed documents of a release took 47 s,
    15 s with this. The answer for a call without a value depends on the active context,
    the IRI and the flags alone; the context is keyed by the ``_uuid`` pyld itself keys
    its inverse contexts by. One processor lives for one document or one release's set."""

    def __init__(self) -> None:
        super().__init__()
        self._compacted_iris: dict[tuple, str] = {}

    def _compact_iri(self, active_ctx, iri, value=None, vocab=False, base=None, reverse=False):
        if value is not None or "_uuid" not in active_ctx:
            return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        key = (active_ctx["_uuid"], iri, vocab, base, reverse)
        found = self._compacted_iris.get(key)
        if found is None:
            found = super()._compact_iri(active_ctx, iri, None, vocab, base, reverse)
            self._compacted_iris[key] = found
        return found


def expanded(graph: Graph) -> list[dict[str, Any]]:
    """Expanded JSON-LD of *graph* (its triples only; named graphs are merged)."""
    lines = _triples_only(graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
    return jsonld.from_rdf(_dataset(lines), _options(useNativeTypes=True))


def compacted_nquads(nquads: str) -> dict[str, Any]:
    """Compacted JSON-LD of N-Triples/N-Quads text (graphs merged), sorted for stable output."""
    doc = jsonld.from_rdf(_dataset(nquads), _options(useNativeTypes=True))
    return _inline_context(_Processor().compact(doc, CONTEXT_IRI, _options(graph=True)))


def _dataset(nquads: str) -> dict[str, list]:
    """pyld's RDF dataset of N-Quads text, each line read by pyld's own reader, in sorted
    order (the same key and array order on every run). Handed the whole text, pyld compares
    each triple with every one before it to drop repeats: 8 s for the project's 5,000
    triples. The lines are made unique here instead, which is the same: a triple is one
    line of N-Quads."""
    dataset: dict[str, list] = {}
    for line in sorted({line for line in nquads.splitlines() if line.strip()}):
        for name, triples in parse_nquads(line + "\n").items():
            dataset.setdefault(name, []).extend(triples)
    return dataset


def compacted(graph: Graph, prefixes: dict[str, str] | None = None) -> dict[str, Any]:
    """The whole graph as one compacted document: ``{"@context": ..., "@graph": [...]}``.

    *prefixes* are added after the project context (a server's own address for the
    instance namespaces, say), so that they win where both name a prefix.
    """
    context_ref: Any = [CONTEXT_IRI, prefixes] if prefixes else CONTEXT_IRI
    doc = _Processor().compact(expanded(graph), context_ref, _options(graph=True))
    return _inline_context(doc)


def framed(graph: Graph, frame: dict[str, Any]) -> dict[str, Any]:
    """*graph* shaped by a JSON-LD *frame* (its @context is the project's)."""
    return _framed(expanded(graph), frame, _Processor())


def _framed(
    expanded_graph: list[dict[str, Any]], frame: dict[str, Any], processor: _Processor
) -> dict[str, Any]:
    frame = {"@context": CONTEXT_IRI, **{k: v for k, v in frame.items() if k != "@context"}}
    doc = processor.frame(expanded_graph, frame, _options(omitGraph=True))
    return _inline_context(_described_once(doc))


def _described_once(doc: dict[str, Any]) -> dict[str, Any]:
    """*doc* with each node described once, where it first appears going down the document
    level by level (a top-level node at the top), and referred to by its id elsewhere.

    JSON-LD 1.1 framing keeps ``@embed: @once`` within one top-level node: each instance of
    a class brought its whole neighbourhood again, so the class documents repeated a source's
    text up to 69 times (36 MB for a 0.9 MB graph; the claims 9.4 MB), and a @reverse frame
    keeps it apart from the rest (the zone document described its areas three times). A
    node's description is the same wherever pyld wrote it, so the document states the same
    triples."""
    graph = doc.get("@graph")
    roots = [doc] if graph is None else graph if isinstance(graph, list) else [graph]
    descriptions: dict[str, dict] = {}
    pending: list[Any] = [roots]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if isinstance(value.get("id"), str) and len(value) > 1:
                descriptions.setdefault(value["id"], value)
            pending.extend(v for k, v in value.items() if k != "@context")
    described = {r["id"] for r in roots if isinstance(r, dict) and isinstance(r.get("id"), str)}
    # under these keys a string is a node's id (the context coerces them to @id)
    links = {k for k, v in context().items() if isinstance(v, dict) and v.get("@type") == "@id"}

    written: list[Any] = [None] * len(roots)
    level: deque = deque()  # (container, slot, value, key): breadth first

    def open_node(container: Any, slot: Any, node: dict) -> None:
        made = container[slot] = dict.fromkeys(node)
        for key in sorted(node, key=lambda k: k == "@reverse"):  # its own properties first
            if key in ("@context", "id"):
                made[key] = node[key]
            else:
                level.append((made, key, node[key], key))

    for i, root in enumerate(roots):
        if isinstance(root, dict):
            open_node(written, i, root)
        else:
            written[i] = root
    while level:
        container, slot, value, key = level.popleft()
        if isinstance(value, list):
            made = container[slot] = [None] * len(value)
            level.extend((made, i, item, key) for i, item in enumerate(value))
            continue
        node = None
        if isinstance(value, str) and key in links:
            node = value
        elif isinstance(value, dict) and isinstance(value.get("id"), str):
            node = value["id"]
        if node is None or node not in descriptions:  # a value, or a node outside the document
            if isinstance(value, dict):
                open_node(container, slot, value)
            else:
                container[slot] = value
        elif node in described:
            container[slot] = node if key in links else {"id": node}
        else:
            described.add(node)
            open_node(container, slot, descriptions[node])
    return written[0] if graph is None else {**doc, "@graph": written}


def class_frame(class_term: str) -> dict[str, Any]:
    """Every instance of a class, with what it links to nested once."""
    return {"type": class_term, "@embed": "@once"}


def zone_frame(zone: str = ZONE_IRI) -> dict[str, Any]:
    """The zone as root: its areas, area, approving body and sources nested; the
    lists, plans and events that point at it (and through them the proposals and
    agreements) nested under ``@reverse`` keys. Each node is embedded once, so
    the long source texts are not repeated."""
    return {
        "id": zone,
        "@embed": "@once",
        "@reverse": {
            "concerns": {"@embed": "@once"},
            "about": {"@embed": "@once"},
            "hasMember": {"@embed": "@once"},
        },
    }


def class_documents(graph: Graph) -> dict[str, dict[str, Any]]:
    """A framed document per class of ours that has instances, keyed by its term."""
    ctx = context()
    terms = {v: k for k, v in ctx.items() if isinstance(v, str) and ":" in v}
    present = {
        str(o)
        for o in graph.objects(None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))
    }
    docs = {}
    whole = expanded(graph)  # once: each of ~30 frames would otherwise serialise the graph again
    processor = _Processor()  # and one processor: the IRIs compact alike in every frame
    for term_iri, term in sorted(terms.items(), key=lambda kv: kv[1]):
        prefix, _, local = term_iri.partition(":")
        iri = ctx.get(prefix, "") + local
        if iri in present and term[:1].isupper():
            docs[term] = _framed(whole, class_frame(term), processor)
    return docs


def to_graph(doc: Any, source: str = "JSON-LD") -> Graph:
    """Expand a JSON-LD document with pyld (project context only) into an rdflib graph."""
    try:
        nquads = jsonld.to_rdf(doc, _options(format="application/n-quads"))
    except JsonLdError as exc:
        raise LoadError(
            f"cannot expand JSON-LD: {_reason(exc)}",
            hint=f"use the project context ({CONTEXT_IRI}) or an inline @context",
            file=Path(source),
        ) from None
    dataset = Dataset()
    if nquads.strip():
        dataset.parse(data=nquads, format="nquads")
    graph = bind_prefixes(Graph())
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _inline_context(doc: dict[str, Any]) -> dict[str, Any]:
    found = doc.get("@context")
    if found == CONTEXT_IRI:
        doc = {"@context": context(), **{k: v for k, v in doc.items() if k != "@context"}}
    elif isinstance(found, list) and CONTEXT_IRI in found:
        inline = [context() if c == CONTEXT_IRI else c for c in found]
        doc = {"@context": inline, **{k: v for k, v in doc.items() if k != "@context"}}
    return doc


def _triples_only(graph: Graph) -> Graph:
    if isinstance(graph, Dataset):
        merged = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return graph


def _reason(exc: BaseException) -> str:
    """The innermost useful message of pyld's chain of errors."""
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for error in chain:
        details = getattr(error, "details", None) or {}
        if getattr(error, "code", None) == "loading remote context failed" and "url" in details:
            return f"it refers to the remote context {details['url']}, which is never fetched"
    last = chain[-1]
    text = last.args[0] if last.args else str(last)
    return str(text).splitlines()[0]


__all__ = [
    "CONTEXT_FILE",
    "CONTEXT_IRI",
    "ZonekgError",
    "class_documents",
    "compacted",
    "context",
    "expanded",
    "framed",
    "loader",
    "to_graph",
    "zone_frame",
]
