"""Step 1: read the ontology and the data into an rdflib Dataset.

Each file becomes one named graph (``https://w3id.org/zonekg/graph/{path}``),
and the line on which each subject's description starts is kept so that later
steps can point at ``file:line``. Loading is all-or-nothing: if any file fails
to parse, nothing is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from . import limits, paths, wellformed
from .errors import LoadError
from .namespaces import GRAPH, bind_prefixes

#: A subject term at the start of a line: an IRI in <> or a prefixed name.
_SUBJECT_AT_LINE_START = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]+)(?=[\s;,])")


@dataclass(frozen=True)
class Location:
    file: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"


@dataclass
class KnowledgeGraph:
    """The loaded ontology and data, one named graph per file."""

    dataset: Dataset
    ontology_files: list[Path]
    data_files: list[Path]
    locations: dict[URIRef, list[Location]] = field(default_factory=dict)

    def graph_for(self, file: Path) -> Graph:
        return self.dataset.graph(graph_iri(file))

    # Merged once: the asserted graphs never change after load (reasoning adds its own
    # graph), and callers read these on every validation, stats call and home page.
    # Treat them as read-only; asserted() gives a fresh copy to add to.
    @cached_property
    def ontology(self) -> Graph:
        return _merge(self.graph_for(f) for f in self.ontology_files)

    @cached_property
    def data(self) -> Graph:
        return _merge(self.graph_for(f) for f in self.data_files)

    def asserted(self) -> Graph:
        """Ontology and data together, as one graph."""
        return _merge(self.graph_for(f) for f in [*self.ontology_files, *self.data_files])

    def where(self, node) -> list[Location]:
        return self.locations.get(node, [])


def graph_iri(file: Path) -> URIRef:
    return GRAPH[display_path(file)]


def data_files(sources: Sequence[Path] | None = None) -> list[Path]:
    """The Turtle files named by *sources* (files or folders), or the project's data.

    Folders are read one level deep, so ``data/`` means its topic files, not
    ``data/invalid/``.
    """
    if not sources:
        sources = [paths.DATA]
    files: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            limits.check_folder_readable(source)  # glob() would quietly find nothing
            found = sorted(source.glob("*.ttl"))
            if not found:
                raise LoadError(
                    "no Turtle (.ttl) files in this folder",
                    hint="name a folder that holds .ttl files, or the files themselves",
                    file=source,
                )
            files.extend(found)
        elif source.is_file():
            files.append(source)
        else:
            raise LoadError(
                "no such file or folder",
                hint="check the path given with --data",
                file=source,
            )
    return files


def load(
    data: Sequence[Path] | None = None,
    ontology: Sequence[Path] | None = None,
) -> KnowledgeGraph:
    """Parse the ontology and the data files; raise LoadError naming file:line on failure."""
    ontology_files = [Path(p) for p in (ontology or [paths.ONTOLOGY])]
    files = data_files(data)
    dataset = bind_prefixes(Dataset())
    parsed: list[tuple[Path, Graph]] = []
    locations: dict[URIRef, list[Location]] = {}
    for file in [*ontology_files, *files]:
        graph, text = parse_turtle(file)
        parsed.append((file, graph))
        for subject, line in subject_lines(text, graph):
            locations.setdefault(subject, []).append(Location(file, line))
    for file, graph in parsed:
        named = dataset.graph(graph_iri(file))
        for triple in graph:
            named.add(triple)
    return KnowledgeGraph(dataset, ontology_files, files, locations)


def parse_turtle(file: Path) -> tuple[Graph, str]:
    """Parse one Turtle file into a fresh graph, with errors mapped to file:line:column."""
    limits.check_file_size(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError("no such file", hint="check the path", file=file) from None
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint="save the file as UTF-8",
            file=file,
        ) from None
    except OSError as exc:
        raise LoadError(
            f"cannot read: {exc.strerror}", hint="check permissions", file=file
        ) from None
    wellformed.check_text(text, file)
    graph = Graph()
    try:
        # not the file's URI: a relative IRI must be reported, not resolved against a path
        graph.parse(data=text, format="turtle", publicID=wellformed.NO_BASE)
    except BadSyntax as exc:
        raise wellformed.syntax_error(exc, file) from None
    except Exception as exc:  # rdflib raises bare exceptions for some bad terms
        raise wellformed.other_error(exc, text, file) from None
    wellformed.check_graph(graph, text, file)
    return graph, text


def subject_lines(text: str, graph: Graph) -> Iterable[tuple[URIRef, int]]:
    """(subject, line) for each description that starts at the beginning of a line."""
    namespaces = dict(graph.namespaces())
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUBJECT_AT_LINE_START.match(line)
        if not match or line.startswith(("@", "PREFIX", "BASE", "prefix", "base")):
            continue
        token = match.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in namespaces:
                continue
            iri = str(namespaces[prefix]) + local
        yield URIRef(iri), number


def _merge(graphs: Iterable[Graph]) -> Graph:
    merged = bind_prefixes(Graph())
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def display_path(file: Path) -> str:
    """A path relative to the project when it is inside it, else as given."""
    try:
        return Path(file).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return Path(file).as_posix()
