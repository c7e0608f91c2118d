"""The one query screen: what it lets through is exactly what the engine runs.

Engines parse SPARQL in their own ways (rdflib ends a ``#`` comment at ``\\n``,
Oxigraph also at ``\\r``; rdflib expands ``\\u`` escapes outside strings, Oxigraph
does not), so a verdict reached with one parser does not hold for another.
Instead of screening with a parser and running the original text, ``screen``
lexes the query by the SPARQL 1.1 grammar's terminals and writes it out again
in a canonical form that every engine reads the same way:

* ``\\u``/``\\U`` escapes are expanded first, as SPARQL 1.1 §19.2 says (an escape
  that only appears after that is refused: there is no second round);
* line ends become ``\\n``; comments are dropped;
* one token per line, strings rewritten as one-line ``"..."`` with only the
  escapes of ECHAR, so that no token can run into the next one: whatever an
  engine makes of a line, it cannot reach the lines after it.

The tokens then decide: a ``SERVICE`` keyword anywhere (or the word inside
something that a lexer might split, such as ``<...>``), an update keyword
(``INSERT``, ``LOAD``, ...), or ``FROM``/``FROM NAMED`` naming a graph outside
this project is refused. Syntax errors are left to the engine's own parser, and
``ScreenedQuery.position`` maps its line back to the user's line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import QueryError
from ..core.namespaces import BASE, PREFIXES

#: Update operations and their clauses: none can appear in a query.
UPDATE_KEYWORDS = frozenset(
    ["INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"]
)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

# The grammar's character classes, as Unicode classes: letters (PN_CHARS_BASE), then
# with '_' (PN_CHARS_U), then with digits, '-' and combining marks (PN_CHARS).
_PN_CHARS_BASE = r"^\W\d_"
_PN_CHARS = r"\w\-\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = r"[eE][+-]?[0-9]+"

_TOKENS = [
    ("ws", r"[ \t\n]+"),
    ("comment", r"#[^\n]*"),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("long_string", rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""'),
    ("long_string", rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''"),
    ("string", rf'"(?:[^"\\\n]|{_ECHAR})*"'),
    ("string", rf"'(?:[^'\\\n]|{_ECHAR})*'"),
    ("var", r"[?$]\w[\w\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("bnode", rf"_:\w(?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    (
        "number",
        rf"[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
        r"|[0-9]*\.[0-9]+|[0-9]+)",
    ),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*+\-/!=<>^|?]"),
]
_LEXER = re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_TOKENS)))
_KIND = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_TOKENS)}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_WORD = re.compile(r"(?<![A-Za-z0-9_])SERVICE(?![A-Za-z0-9_])", re.IGNORECASE)
_ECHAR_VALUES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_CANONICAL_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    column: int


@dataclass
class ScreenedQuery:
    """A query that passed the screen, in the canonical form engines are given."""

    text: str
    source: str
    form: str
    positions: list[tuple[int, int]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # IRIs written as prefixed names or <...>
    from_default: list[str] = field(default_factory=list)  # the graphs of FROM clauses
    from_named: list[str] = field(default_factory=list)  # the graphs of FROM NAMED clauses

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its own dataset (FROM or FROM NAMED)."""
        return bool(self.from_default or self.from_named)

    def position(self, line: int | None) -> tuple[int | None, int | None]:
        """The user's (line, column) for a line of the canonical text (1-based)."""
        if line is None or not self.positions:
            return None, None
        index = min(max(line, 1), len(self.positions)) - 1
        return self.positions[index]

    def syntax_error(self, message: str, line: int | None, hint: str = "") -> QueryError:
        where_line, where_column = self.position(line)
        return QueryError(
            f"SPARQL syntax error: {message}",
            hint=hint or "fix the query at this position",
            file=Path(self.source),
            line=where_line,
            column=where_column,
        )


def screen(
    text: str,
    source: str = "query",
    allowed_graph: Callable[[str], bool] | None = None,
    prefixes: dict[str, str] | None = None,
) -> ScreenedQuery:
    """Lex, check and canonicalise *text*; raise QueryError (with the position) if refused.

    *allowed_graph* decides which IRIs FROM / FROM NAMED may name (default: this
    project's IRIs, which are never fetched from anywhere). *prefixes* are known
    besides the project's (e.g. a shapes graph's ``sh:declare``).
    """
    allowed_graph = allowed_graph or (lambda iri: iri.startswith(BASE))
    text = _expand_codepoints(text, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tokens = list(_lex(text, source))
    known = {**PREFIXES, **(prefixes or {})}
    from_default, from_named = _refuse(tokens, source, allowed_graph, known)
    form = next(
        (t.text.upper() for t in tokens if t.kind == "word" and t.text.upper() in FORMS), None
    )
    if form is None:
        first = next((t for t in tokens if t.kind == "word"), None)
        raise QueryError(
            "not a query: it has no SELECT, ASK, CONSTRUCT or DESCRIBE",
            hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            file=Path(source),
            line=first.line if first else None,
            column=first.column if first else None,
        )
    lines: list[str] = []
    positions: list[tuple[int, int]] = []
    previous = None
    for token in tokens:
        written = _canonical(token)
        glued = token.kind == "langtag" or token.text == "^^"
        glued = glued or (
            bool(lines) and lines[-1].endswith("^^") and token.kind in ("iri", "pname")
        )
        # A function's '(' stays on its name's line: Oxigraph reads "COALESCE (" as an error.
        glued = glued or (token.text == "(" and previous is not None and _is_call(previous))
        # A path modifier stays on its path's line: rdflib reads "rdfs:subClassOf *" as an error.
        glued = glued or (token.text in ("*", "+", "?") and _adjacent(previous, token))
        if glued and lines:  # a literal's tag or datatype stays on the literal's line too
            lines[-1] += written
        else:
            lines.append(written)
            positions.append((token.line, token.column))
        previous = token
    return ScreenedQuery(
        "\n".join(lines) + "\n",
        source,
        form,
        positions,
        _names(tokens, known),
        from_default,
        from_named,
    )


def _adjacent(previous: Token | None, token: Token) -> bool:
    return (
        previous is not None
        and previous.line == token.line
        and previous.column + len(previous.text) == token.column
    )


def _is_call(token: Token) -> bool:
    return token.kind == "word" and token.text.lower() not in ("a", "true", "false")


def _names(tokens: list[Token], known: dict[str, str]) -> list[str]:
    """The IRIs a query names (terms, not the namespaces of its PREFIX and BASE lines)."""
    prefixes = dict(known)
    names = []
    skip = 0
    for i, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens):
            prefixes[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
            skip = 2
        elif word == "BASE":
            skip = 1
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in prefixes:
                names.append(prefixes[prefix] + _unescape_local(local))
        elif token.kind == "iri":
            names.append(token.text[1:-1])
    return names


def _expand_codepoints(text: str, source: str) -> str:
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise QueryError(
                f"the escape {match.group(0)} is not a Unicode character",
                hint="write the character itself",
                file=Path(source),
                **_where(text, match.start()),
            )
        return chr(code)

    expanded = _CODEPOINT.sub(replace, text)
    again = _CODEPOINT.search(expanded)
    if again:
        raise QueryError(
            f"an escape sequence {again.group(0)} appears only after \\u escapes are expanded",
            hint="write the character itself instead of nesting escapes",
            file=Path(source),
        )
    return expanded


def _where(text: str, index: int) -> dict:
    return {
        "line": text.count("\n", 0, index) + 1,
        "column": index - (text.rfind("\n", 0, index) + 1) + 1,
    }


def _lex(text: str, source: str):
    index = 0
    line, line_start = 1, 0
    while index < len(text):
        match = _LEXER.match(text, index)
        if match is None or match.end() == index:
            char = text[index]
            hint = "check the quotes and brackets before this position"
            if char in "\"'":
                hint = 'close the string on the same line, or use """long strings"""'
            raise QueryError(
                f"SPARQL syntax error: unexpected {char!r}",
                hint=hint,
                file=Path(source),
                line=line,
                column=index - line_start + 1,
            )
        kind = _KIND[match.lastgroup]
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), line, index - line_start + 1)
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + match.group().rfind("\n") + 1
        index = match.end()


def _refuse(
    tokens: list[Token], source: str, allowed_graph: Callable[[str], bool], known: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Refuse what may not run; return the graphs of the FROM and FROM NAMED clauses."""

    def refuse(message: str, hint: str, token: Token) -> None:
        raise QueryError(
            message, hint=hint, file=Path(source), line=token.line, column=token.column
        )

    base = None
    prefixes = dict(known)
    from_default: list[str] = []
    from_named: list[str] = []
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "SERVICE" or (token.kind == "iri" and _SERVICE_WORD.search(token.text)):
            refuse(
                "SERVICE is not allowed: queries never reach other endpoints",
                "remove the SERVICE clause",
                token,
            )
        if token.kind == "iri" and "'''" in token.text:
            refuse(
                "an IRI containing ''' is refused: engines could read it as a string",
                "percent-encode the apostrophes (%27)",
                token,
            )
        if word in UPDATE_KEYWORDS:
            refuse(
                "updates are not allowed: the graph is read-only",
                "use a SELECT, ASK, CONSTRUCT or DESCRIBE query",
                token,
            )
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "BASE" and following is not None and following.kind == "iri":
            base = following.text[1:-1]
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
        declared = i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
        if token.kind == "pname" and not declared:
            prefix = token.text.partition(":")[0]
            if prefix not in prefixes:
                refuse(
                    f"unknown prefix {prefix}:",
                    "declare it with PREFIX, or use one of the project's prefixes",
                    token,
                )
        if word == "FROM":
            target = following
            named = target is not None and target.kind == "word" and target.text.upper() == "NAMED"
            if named:
                target = tokens[i + 2] if i + 2 < len(tokens) else None
            iri = _resolve(target, prefixes, base)
            if iri is None or not allowed_graph(iri):
                shown = f"<{iri}>" if iri else (target.text if target else "(nothing)")
                clause = "FROM NAMED" if named else "FROM"
                refuse(
                    f"{clause} {shown} is not allowed: that graph is not in this dataset "
                    "(graphs are never fetched from elsewhere)",
                    f"remove the {clause} clause, or name one of our graphs (<{BASE}...>)",
                    target or token,
                )
            (from_named if named else from_default).append(iri)
    return from_default, from_named


def _resolve(token: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        iri = token.text[1:-1]
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
            return iri
        if base:
            from urllib.parse import urljoin

            return urljoin(base, iri)
        return None
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + _unescape_local(local)
    return None


def _unescape_local(local: str) -> str:
    """A prefixed name's local part as an IRI: ``\\/`` escapes undone (%XX stays as written)."""
    return re.sub(r"\\(.)", r"\1", local)


def _canonical(token: Token) -> str:
    if token.kind in ("string", "long_string"):
        quote = 3 if token.kind == "long_string" else 1
        value = _unescape(token.text[quote:-quote])
        return '"' + value.translate(_CANONICAL_ESCAPES) + '"'
    return token.text


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ECHAR_VALUES.get(m.group(1), m.group(1)), body)
