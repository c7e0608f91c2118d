"""The stable, sorted Turtle/TriG form that hand-edited data files are kept in.

A file's leading comment block is kept; the rest is rdflib's sorted Turtle with
the project's prefixes (TriG: one sorted block per graph, graphs in IRI order),
so that re-serialising never changes a file that is already in this form and
diffs stay small.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.vocab import bind_prefixes
from ..inputs import read_file
from ..inputs.files import data_files
from ..safety.atomic import write_atomic


def canonical_text(file: Path) -> str:
    from rdflib import Dataset, Graph

    checked = read_file(file)
    text = checked.text
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    if checked.syntax == "nquads":  # a line format: sorted, each line once
        return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))
    if checked.syntax == "trig":
        parsed = Dataset()
        parsed.parse(data=text, format="trig", publicID=_NO_BASE)
        body = _trig(parsed)
    else:
        parsed = Graph()
        parsed.parse(data=text, format="turtle", publicID=_NO_BASE)
        out = bind_prefixes(Graph())
        for triple in parsed:
            out.add(triple)
        body = out.serialize(format="turtle")
    return ("\n".join(header) + "\n" if header else "") + body.rstrip("\n") + "\n"


_NO_BASE = "https://no-base.zonekg.invalid/"


def _trig(dataset) -> str:
    """TriG with the named graphs in IRI order (rdflib writes them in hash order)."""
    import io

    from rdflib import Dataset
    from rdflib.plugins.serializers.trig import TrigSerializer

    out = bind_prefixes(Dataset())
    for graph in dataset.graphs():
        if len(graph) and graph.identifier != dataset.default_graph.identifier:
            target = out.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
    for triple in dataset.default_graph:  # kept where they are, for validation to report
        out.default_graph.add(triple)
    serializer = TrigSerializer(out)
    serializer.contexts = sorted(
        (c for c in out.graphs() if len(c)), key=lambda c: str(c.identifier)
    )
    buffer = io.BytesIO()
    serializer.serialize(buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8").lstrip("\n")


def reformat(files: Sequence[Path] | None = None, check: bool = False) -> list[Path]:
    """Rewrite (or with *check*, only list) the files not in the canonical form."""
    unformatted = []
    for file in data_files(files):
        canonical = canonical_text(file)
        if file.read_text(encoding="utf-8") != canonical:
            unformatted.append(file)
            if not check:
                write_atomic(file, canonical, rdf_format=_syntax(file))
    return unformatted


def _syntax(file: Path) -> str:
    return {".trig": "trig", ".nq": "nquads"}.get(Path(file).suffix, "turtle")
