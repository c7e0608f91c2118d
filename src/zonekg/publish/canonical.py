"""The stable, sorted Turtle/TriG form that hand-edited data files are kept in.

A file's leading comment block is kept; the rest is rdflib's sorted Turtle with
the file's own prefixes and the project's (TriG: one sorted block per graph,
graphs in IRI order), so that re-serialising never changes a file that is
already in this form and diffs stay small.

``zonekg fmt`` is the one command that rewrites sources, so it is careful: a
file with a comment after its leading block (one the sorted form would lose)
is refused, not rewritten; a symlink is written through, to the file it points
to; and a prefix the file declares keeps its name (rdflib would invent ``ns1:``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import ZonekgError
from ..core.settings import DEFAULT_LIMITS, Limits
from ..core.vocab import bind_prefixes
from ..inputs import read_file
from ..inputs.files import data_files
from ..safety.atomic import write_atomic


def canonical_text(file: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    from rdflib import Dataset, Graph

    checked = read_file(file, limits=limits)
    text = checked.text
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    lost = [n for n in comment_lines(text) if n > len(header)]
    if lost:
        raise ZonekgError(
            "this file has a comment after its leading comment block, which the sorted "
            "form would drop: it is left as it is",
            hint="move the comment into the block at the top of the file (or remove it), "
            "then run zonekg fmt again",
            file=Path(file),
            line=lost[0],
        )
    if checked.syntax == "nquads":  # a line format: sorted, each line once
        return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))
    if checked.syntax == "trig":
        parsed = Dataset()
        parsed.parse(data=text, format="trig", publicID=_NO_BASE)
        body = _trig(parsed, text)
    else:
        parsed = Graph()
        parsed.parse(data=text, format="turtle", publicID=_NO_BASE)
        out = bind_file_prefixes(bind_prefixes(Graph()), text)
        for triple in parsed:
            out.add(triple)
        body = out.serialize(format="turtle")
    return ("\n".join(header) + "\n" if header else "") + body.rstrip("\n") + "\n"


_NO_BASE = "https://no-base.zonekg.invalid/"


_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)


def bind_file_prefixes(graph, text: str):
    """Bind the prefixes *text* declares, with the names it gives them."""
    for prefix, namespace in _PREFIX.findall(text):
        if prefix:
            graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def comment_lines(text: str) -> list[int]:
    """The lines (from 1) with a comment in Turtle/TriG *text*: a ``#`` outside IRIs and strings."""
    found: list[int] = []
    i, n, line = 0, len(text), 1
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch == "#":
            found.append(line)
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "<":
            j = i + 1
            while j < n and text[j] not in ">\n":
                j += 1
            i = j + 1 if j < n and text[j] == ">" else j
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    line += 1
                j += 1
            i = j + len(quote)
        else:
            i += 1
    return found


def _trig(dataset, text: str = "") -> str:
    """TriG with the named graphs in IRI order (rdflib writes them in hash order)."""
    import io

    from rdflib import Dataset
    from rdflib.plugins.serializers.trig import TrigSerializer

    out = bind_file_prefixes(bind_prefixes(Dataset()), text)
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


def reformat(
    files: Sequence[Path] | None = None, check: bool = False, limits: Limits = DEFAULT_LIMITS
) -> list[Path]:
    """Rewrite (or with *check*, only list) the files not in the canonical form."""
    unformatted = []
    for file in data_files(files):
        canonical = canonical_text(file, limits)
        if file.read_text(encoding="utf-8") != canonical:
            unformatted.append(file)
            if not check:
                # through a symlink, to the file it points to (the link stays a link)
                real = Path(os.path.realpath(file))
                write_atomic(real, canonical, rdf_format=_syntax(file))
    return unformatted


def _syntax(file: Path) -> str:
    return {".trig": "trig", ".nq": "nquads"}.get(Path(file).suffix, "turtle")
