"""What rdflib lets through or reports obscurely when reading Turtle.

rdflib accepts ``"abc"^^xsd:integer`` and ``<http://e/a b>`` with only a log
line, resolves relative IRIs silently against whatever base it is given, and
words its syntax errors for its own developers. The loader calls
:func:`check_text` before parsing, parses with :data:`NO_BASE` as the base,
turns syntax errors into messages with :func:`syntax_error` and calls
:func:`check_graph` afterwards; each problem becomes one LoadError naming
file:line:column and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from . import limits
from .errors import LoadError

#: The base the loader parses with. A file that declares no @base and uses a
#: relative IRI gets IRIs under this host, which check_graph reports.
NO_BASE = "https://no-base.zonekg.invalid/"
_NO_BASE_HOST = "no-base.zonekg.invalid"

#: Characters RFC 3987 does not allow in an IRI (besides controls).
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG_BEFORE = re.compile(r'["\']@[A-Za-z0-9-]*$')

#: Phrases in rdflib's BadSyntax messages, and what to tell the user instead.
_EXPLANATIONS = (
    ("not bound", "unknown prefix",
     "declare it with @prefix at the top of the file, or fix the name"),
    ("bad escape", "bad escape sequence in a string",
     'write \\\\ for a backslash; the escapes are \\t \\n \\r \\" \\\' \\\\ \\uXXXX'),
    ("language code", "invalid language tag",
     "use a BCP 47 tag such as @en, @zh-Hans or @ja"),
    ("newline found in string", 'unterminated string (a newline inside a "..." string)',
     'close the quote on the same line, or use """long strings""" over several lines'),
    ("unterminated string", "unterminated string",
     'close the quote, or use """long strings""" over several lines'),
    ("EOF found", "the file ends in the middle of a statement",
     "finish the last statement and end it with '.'"),
    ("at end of statement", "a statement does not end where expected",
     "end each statement with '.' (separate objects with ',' and predicates with ';')"),
)  # fmt: skip


def check_text(text: str, file: Path) -> None:
    """Checks before parsing: BOM, then the parse limits."""
    if text.startswith("\ufeff"):
        raise LoadError(
            "the file starts with a byte-order mark (BOM)",
            hint="save the file as UTF-8 without BOM",
            file=file,
            line=1,
            column=1,
        )
    limits.check_turtle(text, file)


def syntax_error(exc: BadSyntax, file: Path) -> LoadError:
    """A LoadError for rdflib's BadSyntax, at the line and column it happened, with the fix."""
    text = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else exc._str
    index = len(text) if exc._i < 0 else min(exc._i, len(text))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    why = str(exc._why)
    message = f"Turtle syntax error: {why}"
    hint = "fix the Turtle at this position (a missing '.', ';' or quote is the usual cause)"
    if _LANG_BEFORE.search(text[text.rfind("\n", 0, index) + 1 : index]):
        why = "language code"  # rdflib words a bad tag as a missing '.' after it
    for phrase, plain, fix in _EXPLANATIONS:
        if phrase in why:
            message, hint = f"{plain} ({exc._why})" if plain not in why else plain, fix
            break
    return LoadError(message, hint=hint, file=file, line=line, column=column)


def other_error(exc: Exception, text: str, file: Path) -> LoadError:
    """A LoadError for the bare exceptions rdflib raises for some bad terms."""
    tag = re.match(r"'(.*)' is not a valid language tag", str(exc))
    if tag:
        return LoadError(
            f"invalid language tag @{tag.group(1)}",
            hint="use a BCP 47 tag such as @en, @zh-Hans or @ja",
            file=file,
            **_find(text, "@" + tag.group(1)),
        )
    if isinstance(exc, IndexError):  # rdflib runs off the end of the text
        return LoadError(
            "the file ends in the middle of a statement",
            hint="finish the last statement and end it with '.'",
            file=file,
            **_find(text, text.rstrip()[-1:] if text.strip() else text),
        )
    return LoadError(
        f"cannot parse as Turtle: {exc}", hint="check the file is valid Turtle", file=file
    )


def check_graph(graph: Graph, text: str, file: Path) -> None:
    """Checks after parsing: relative IRIs, invalid IRIs, ill-typed literals."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                _check_iri(term, text, file)
            elif isinstance(term, Literal) and term.ill_typed:
                lexical, place = _ill_typed_as_written(text, graph, term)
                raise LoadError(
                    f'ill-typed literal "{lexical}" for datatype <{term.datatype}>',
                    hint="write a value of that datatype, or change the datatype",
                    file=file,
                    **place,
                )


def _check_iri(term: URIRef, text: str, file: Path) -> None:
    iri = str(term)
    if _NO_BASE_HOST in iri.split("/")[2:3] or iri.startswith(NO_BASE):
        relative = iri[len(NO_BASE) :] if iri.startswith(NO_BASE) else iri
        raise LoadError(
            f"relative IRI <{relative}> and no @base to resolve it against",
            hint="write the IRI in full, or declare @base <...> at the top of the file",
            file=file,
            **_find_relative(text, relative),
        )
    bad = _BAD_IRI_CHARS.search(iri)
    if bad:
        raise LoadError(
            f"invalid IRI <{iri}>: it contains {bad.group()!r}",
            hint="percent-encode the character (a space is %20) or remove it",
            file=file,
            **_find(text, iri),
        )


_TYPED_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*\^\^\s*(<[^>]*>|[\w.-]*:[\w.-]*)')


def _find_relative(text: str, relative: str) -> dict:
    """Where the relative IRI (or, behind a prefix, the start of it) is written."""
    for end in range(len(relative), 0, -1):
        place = _find(text, "<" + relative[:end])
        if place:
            return place
    return {}


def _ill_typed_as_written(text: str, graph: Graph, term: Literal) -> tuple[str, dict]:
    """The literal as the file writes it (rdflib may have normalised it) and where."""
    for match in _TYPED_LITERAL.finditer(text):
        lexical, written = match.groups()
        try:
            datatype = (
                written[1:-1]
                if written.startswith("<")
                else graph.namespace_manager.expand_curie(written)
            )
        except ValueError:
            continue
        if str(datatype) == str(term.datatype) and Literal(lexical, datatype=datatype).ill_typed:
            return lexical, _find(text, match.group(0))
    return str(term), _find(text, f'"{term}"')


def _find(text: str, needle: str) -> dict:
    """line and column of the first occurrence of *needle* (the term as written), if found."""
    index = text.find(needle)
    if index < 0:
        return {}
    return {
        "line": text.count("\n", 0, index) + 1,
        "column": index - (text.rfind("\n", 0, index) + 1) + 1,
    }
