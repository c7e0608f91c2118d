"""The graph in every RDF syntax, from quads, written by pyoxigraph (fast at any size).

TriG and N-Quads keep the named graphs; Turtle, N-Triples, RDF/XML and JSON-LD
merge them into one graph. Line formats are sorted, and the rest are written
from sorted input, so that two exports of one graph diff cleanly. Prefixes are
the project's own (those the graph uses). JSON-LD is the project's compacted
form (see ``jsonld``). Canonical output is RDF Dataset Canonicalization
(RDFC-1.0) written as N-Quads sorted by code point: equal datasets give equal
bytes whatever the order or blank node labels of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import ZonekgError
from .render import used_prefixes


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    keeps_graphs: bool
    ox_format: ox.RdfFormat | None

    @property
    def syntax(self) -> str:
        return self.name


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", ".ttl", "text/turtle", False, ox.RdfFormat.TURTLE),
        Format("ntriples", ".nt", "application/n-triples", False, ox.RdfFormat.N_TRIPLES),
        Format("nquads", ".nq", "application/n-quads", True, ox.RdfFormat.N_QUADS),
        Format("trig", ".trig", "application/trig", True, ox.RdfFormat.TRIG),
        Format("jsonld", ".jsonld", "application/ld+json", False, None),
        Format("rdfxml", ".rdf", "application/rdf+xml", False, ox.RdfFormat.RDF_XML),
    )
}
GRAPH_CHOICES = ("asserted", "inferred", "all")


def format_for(name: str | None, output: Path | None = None) -> Format:
    """The format called *name*, or the one whose suffix *output* has, or Turtle."""
    if name is None and output is not None:
        for fmt in FORMATS.values():
            if Path(output).suffix == fmt.suffix:
                return fmt
    name = name or "turtle"
    if name not in FORMATS:
        raise ZonekgError(
            f"unknown export format {name!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    return FORMATS[name]


def choose(name: str | None, output: Path | None, canonical: bool) -> Format:
    if canonical and name not in (None, "nquads"):
        raise ZonekgError(
            f"--canonical writes N-Quads, not {name}", hint="drop --format or use --format nquads"
        )
    return FORMATS["nquads"] if canonical else format_for(name, output)


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Each quad once, in the order of their N-Quads text (graphs, then subjects together)."""
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.triple)))


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Each triple once (graphs merged), in the order of their N-Triples text."""
    return sorted({q.triple for q in quads}, key=str)


def serialize(quads: Iterable[ox.Quad], fmt: Format | str) -> str:
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    quads = list(quads)
    if fmt.name == "jsonld":
        from . import jsonld

        return jsonld.dumps(jsonld.compacted_nquads(serialize(quads, "ntriples")))
    line_format = fmt.name in ("ntriples", "nquads")
    if line_format:  # sorted below as lines, which is quicker than sorting terms
        items: list = list({q if fmt.keeps_graphs else q.triple for q in quads})
    elif fmt.keeps_graphs:
        items = sorted_quads(quads)
    else:
        items = sorted_triples(quads)
    prefixes = (
        None
        if line_format
        else used_prefixes([q.triple if isinstance(q, ox.Quad) else q for q in items])
    )
    text = ox.serialize(items, format=fmt.ox_format, prefixes=prefixes).decode("utf-8")
    if line_format:
        text = "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))
    return text


def canonical_nquads(quads: Iterable[ox.Quad]) -> str:
    """RDFC-1.0 canonical N-Quads, one quad per line in code point order."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))


def parse_back(path: Path, syntax: str) -> None:
    """Parse a written file again; raise if it does not parse (used before a rename)."""
    fmt = FORMATS.get(syntax)
    if fmt is not None and fmt.ox_format is not None:
        for _ in ox.parse(path=str(path), format=fmt.ox_format):
            pass
        return
    from rdflib import Graph

    Graph().parse(path, format="json-ld" if syntax == "jsonld" else syntax)
