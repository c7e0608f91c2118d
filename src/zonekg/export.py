"""Step 5: the graph in every RDF format, and in canonical N-Quads.

The dataset exported holds one named graph per source file (the ontology and
each data file), plus the inferred triples in their own graph when reasoning
is asked for. TriG and N-Quads keep those graphs; Turtle, N-Triples, RDF/XML
and JSON-LD merge them into one graph. Prefixes are always the project's own.

Canonical output is RDF Dataset Canonicalization (RDFC-1.0) by pyoxigraph,
written as N-Quads sorted by code point, so that equal datasets give equal
bytes whatever the order or blank node labels of the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from .atomic import write_atomic
from .errors import ZonekgError
from .load import KnowledgeGraph, graph_iri
from .namespaces import bind_prefixes


@dataclass(frozen=True)
class Format:
    name: str
    rdflib: str
    suffix: str
    media_type: str
    keeps_graphs: bool


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "turtle", ".ttl", "text/turtle", False),
        Format("ntriples", "nt", ".nt", "application/n-triples", False),
        Format("nquads", "nquads", ".nq", "application/n-quads", True),
        Format("trig", "trig", ".trig", "application/trig", True),
        Format("jsonld", "json-ld", ".jsonld", "application/ld+json", False),
        Format("rdfxml", "xml", ".rdf", "application/rdf+xml", False),
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


def select(kg: KnowledgeGraph, graph: str = "asserted", reason: bool = False) -> Dataset:
    """The named graphs to export: *asserted* (ontology and data files), *inferred*
    (the OWL-RL closure only) or *all*. Asking for inferred triples implies reasoning."""
    if graph not in GRAPH_CHOICES:
        raise ZonekgError(
            f"--graph {graph!r} is not one of: {', '.join(GRAPH_CHOICES)}",
            hint="asserted is the files as written; inferred and all run the reasoner",
        )
    out = bind_prefixes(Dataset())
    if graph in ("asserted", "all"):
        for file in [*kg.ontology_files, *kg.data_files]:
            named = out.graph(graph_iri(file))
            for triple in kg.graph_for(file):
                named.add(triple)
    if reason or graph in ("inferred", "all"):
        from .reason import INFERRED_GRAPH
        from .reason import reason as run_reasoner

        inferred = run_reasoner(kg)
        if graph != "asserted":
            named = out.graph(INFERRED_GRAPH)
            for triple in inferred:
                named.add(triple)
    return out


def merged(dataset: Dataset) -> Graph:
    """Every triple of every graph in *dataset*, as one graph with our prefixes."""
    graph = bind_prefixes(Graph())
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def serialize(dataset: Dataset, fmt: Format | str) -> str:
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    if fmt.name == "jsonld":
        from . import jsonld

        return jsonld.dumps(jsonld.compacted(merged(dataset)))
    if fmt.name == "trig":
        text = _trig(dataset)
    elif fmt.keeps_graphs:
        text = dataset.serialize(format=fmt.rdflib)
    else:
        text = merged(dataset).serialize(format=fmt.rdflib)
    if fmt.name in ("ntriples", "nquads"):
        # Line formats come out in hash order; sorted, two exports of one graph diff cleanly.
        text = "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return text


def _trig(dataset: Dataset) -> str:
    """TriG with the named graphs in IRI order (rdflib writes them in hash order)."""
    prefixes: set[str] = set()
    bodies = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        single = bind_prefixes(Dataset())
        named = single.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
        lines = single.serialize(format="trig").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        bodies.append("\n".join(line for line in lines if not line.startswith("@prefix")).strip())
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n\n".join(bodies) + "\n"


def canonical_nquads(dataset: Dataset) -> str:
    """RDFC-1.0 canonical N-Quads of *dataset*, one quad per line in code point order."""
    nquads = dataset.serialize(format="nquads").encode("utf-8")
    canonical = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(canonical, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))


def export(
    kg: KnowledgeGraph,
    fmt: str | None = None,
    graph: str | None = None,
    reason: bool = False,
    canonical: bool = False,
    output: Path | None = None,
) -> str:
    """The export as text; written atomically to *output* when given.

    *graph* defaults to ``all`` with *reason* and to ``asserted`` without.
    """
    if canonical and fmt not in (None, "nquads"):
        raise ZonekgError(
            f"--canonical writes N-Quads, not {fmt}",
            hint="drop --format or use --format nquads",
        )
    chosen = FORMATS["nquads"] if canonical else format_for(fmt, output)
    dataset = select(kg, graph or ("all" if reason else "asserted"), reason)
    text = canonical_nquads(dataset) if canonical else serialize(dataset, chosen)
    if output is not None:
        write_atomic(Path(output), text, rdf_format=chosen.rdflib)  # parsed back before rename
    return text
