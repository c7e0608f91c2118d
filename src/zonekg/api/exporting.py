"""Export: the graph in an RDF format, and the one check of where a command's output file
may go (never on the project's sources or on its own inputs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core import formats
from ..core.errors import InvalidChoice, QueryError, Setting
from ..core.formats import GRAPH_CHOICES
from ..core.namespaces import INFERRED_GRAPH
from ..safety import targets
from ..safety.atomic import write_atomic
from .dataset import dataset_quads, flat_note
from .loading import KnowledgeGraph
from .reasoning import reason

#: The formats ``export`` writes (``fmt=``).
EXPORT_FORMATS = tuple(formats.FORMATS)


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
    if graph not in GRAPH_CHOICES or graph == "dataset":
        raise InvalidChoice(
            "graph",
            graph,
            GRAPH_CHOICES,
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
    chosen = formats.choose(fmt, output, canonical)
    graph = graph or ("dataset" if chosen.keeps_graphs else "all" if reasoned else "asserted")
    if graph == "dataset" and not chosen.keeps_graphs:
        given, holding = (
            Setting("graph", "dataset"),
            (Setting("fmt", "trig"), Setting("fmt", "nquads")),
        )
        raise QueryError(
            f"{given} has named graphs, which {chosen.name} cannot hold",
            hint=f"use {holding[0]} or {holding[1]} (or a .trig or .nq file name)",
            settings=(given, *holding),
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
