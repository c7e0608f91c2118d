"""``file:line`` for the subjects of Turtle and TriG files, found by reading the text.

A description starts where a statement starts: at the first term after a '.',
a graph's '{' or '}', or a prefix line. The prefixes are read from the file's
own ``@prefix``/``PREFIX`` lines, so no RDF library is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..core.results import Location

_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^\s*(?:@prefix|@base|PREFIX|BASE)\b", re.IGNORECASE)
_SUBJECT = re.compile(r"(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]+|_:[\w.-]+)(?=[\s;,{]|$)")


def subject_lines(text: str) -> Iterator[tuple[str, int]]:
    """(subject IRI or ``_:label``, line) for each description in *text*."""
    namespaces: dict[str, str] = {}
    expect_subject = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _DIRECTIVE.match(stripped):
            match = _PREFIX_LINE.match(stripped)
            if match:
                namespaces[match.group(1)] = match.group(2)
            expect_subject = True
            continue
        if expect_subject:
            if stripped.upper().startswith("GRAPH "):
                stripped = stripped[6:].lstrip()
            match = _SUBJECT.match(stripped)
            if match:  # a subject, or the name of a graph block ("name {")
                iri = _expand(match.group(1), namespaces)
                if iri is not None:
                    yield iri, number
        expect_subject = stripped.endswith((".", "{", "}"))


def _expand(token: str, namespaces: dict[str, str]) -> str | None:
    if token.startswith("<"):
        return token[1:-1]
    if token.startswith("_:"):
        return token
    prefix, _, local = token.partition(":")
    if prefix not in namespaces:
        return None
    return namespaces[prefix] + local


def locate(files: Iterable[tuple[Path, str, bool]], wanted: set[str]) -> dict[str, list[Location]]:
    """Where each of the *wanted* subjects (IRIs as strings) is described.

    *files* are (path, text, line format): in a line format (N-Quads) every statement
    starts a line, so only the first line of each subject is given.
    """
    found: dict[str, list[Location]] = {}
    if not wanted:
        return found
    for file, text, line_format in files:
        seen: set[str] = set()
        for iri, line in subject_lines(text):
            if iri in wanted and not (line_format and iri in seen):
                seen.add(iri)
                found.setdefault(iri, []).append(Location(Path(file), line))
    return found
