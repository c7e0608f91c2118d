"""The stable, sorted Turtle form that hand-edited data files are kept in.

A file's leading comment block is kept; the rest is rdflib's sorted Turtle
with the project's prefixes, so that re-serialising never changes a file that
is already in this form and diffs stay small.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .load import parse_turtle
from .namespaces import bind_prefixes


def canonical_turtle(file: Path) -> str:
    graph, text = parse_turtle(file)
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    out = bind_prefixes(Graph())
    for triple in graph:
        out.add(triple)
    body = out.serialize(format="turtle")
    return ("\n".join(header) + "\n" if header else "") + body.rstrip("\n") + "\n"


def needs_formatting(file: Path) -> bool:
    return Path(file).read_text(encoding="utf-8") != canonical_turtle(file)
