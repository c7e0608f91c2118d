"""Triples added and removed between two RDF files, or a file and the current graph.

Named graphs are merged: the diff is about what is said, not in which file.
Blank nodes are matched by canonical labelling (rdflib.compare), so two
serialisations of one graph show no difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDFS, SKOS

from ..core.errors import LoadError
from ..core.namespaces import curie
from ..core.vocab import bind_prefixes
from ..inputs import rdflib_graph, read_rdf
from ..safety.jsonread import read_json

#: rdflib parser by file suffix; quad formats are read as datasets and merged.
_NSM = bind_prefixes(Graph())  # only its namespace manager is used, to write CURIEs

PARSERS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
}


@dataclass
class Diff:
    added: list[tuple]
    removed: list[tuple]
    labels: dict[URIRef, str]

    @property
    def same(self) -> bool:
        return not self.added and not self.removed

    def lines(self) -> list[str]:
        return [self._line("-", t) for t in self.removed] + [self._line("+", t) for t in self.added]

    def _line(self, sign: str, triple: tuple) -> str:
        text = " ".join(_term(t) for t in triple)
        named = [self.labels.get(t) for t in (triple[0], triple[2])]
        predicate = self.labels.get(triple[1])
        if any(named):
            note = f"{named[0] or _term(triple[0])} — {predicate or _term(triple[1])}"
            if isinstance(triple[2], URIRef):
                note += f" — {named[1] or _term(triple[2])}"
            return f"{sign} {text} .\n    # {note}"
        return f"{sign} {text} ."


def read_graph(path: Path) -> Graph:
    """Any RDF file of ours, by its suffix, as one graph (named graphs merged)."""
    path = Path(path)
    fmt = PARSERS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(
            f"cannot tell the RDF format from the suffix {path.suffix!r}",
            hint=f"name the file with one of: {', '.join(PARSERS)}",
            file=path,
        )
    if fmt in ("turtle", "trig"):
        graph, _ = rdflib_graph(path)  # checked, errors at file:line:column
        return graph
    raw = read_rdf(path, fmt)  # entity bombs, huge lines, nesting
    if fmt == "json-ld":
        from ..core.jsonld import to_graph

        doc = read_json(raw, what="the JSON-LD document", error=LoadError, file=path)
        return to_graph(doc, str(path))
    dataset = Dataset()
    try:
        dataset.parse(data=raw, format=fmt)
    except Exception as exc:  # each rdflib parser raises its own kind
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(
            f"cannot parse as {fmt}: {reason}",
            hint="check that the file is valid RDF in the format its suffix says",
            file=path,
        ) from None
    graph = bind_prefixes(Graph())
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def diff(old: Graph, new: Graph, label_source: Graph | None = None) -> Diff:
    """What *new* adds to and removes from *old*, sorted, with labels from both
    (and from *label_source*, such as the ontology, for terms neither labels)."""
    _, removed, added = graph_diff(to_isomorphic(old), to_isomorphic(new))
    labels: dict[URIRef, str] = {}
    sources = [new, old] + ([label_source] if label_source is not None else [])
    for graph in sources:
        for subject, label in _labels(graph):
            labels.setdefault(subject, label)
    return Diff(sorted(added), sorted(removed), labels)


def _labels(graph: Graph):
    """English labels first, then any, so that notes read the same across runs."""
    found: dict[URIRef, list[Literal]] = {}
    for prop in (RDFS.label, SKOS.prefLabel):
        for subject, label in graph.subject_objects(prop):
            if isinstance(subject, URIRef) and isinstance(label, Literal):
                found.setdefault(subject, []).append(label)
    for subject, labels in found.items():
        labels.sort(key=lambda lit: (lit.language != "en", lit.language or "", str(lit)))
        yield subject, str(labels[0])


def _term(term) -> str:
    if isinstance(term, URIRef):
        return curie(str(term))
    if isinstance(term, Literal):
        return term.n3(_NSM.namespace_manager)
    return term.n3()
