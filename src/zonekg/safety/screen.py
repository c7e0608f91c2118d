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

* a prefixed name whose prefix the query does not declare itself (one of the
  project's, or one the caller knows, such as a shapes graph's ``sh:declare``) is
  written as the full ``<IRI>`` it stands for, checked as an IRI: no prefix is ever
  written into the text from outside, so the text is all there is to run.

The tokens then decide: a ``SERVICE`` keyword anywhere, an update keyword
(``INSERT``, ``LOAD``, ...), or ``FROM``/``FROM NAMED`` naming a graph outside
this project is refused. So is a query past the nesting limits (brackets nested
too deep, a chain of operators too long: a 200,000-step path or a group nested
50,000 deep crashes the engines' recursive parsers), before any engine sees it.
Syntax errors are left to the engine's own parser, and ``ScreenedQuery.position``
maps its line back to the user's line and column.

Text that goes into a query from elsewhere (an IRI from the data, a value from the
user) goes in as a term written by ``sparql_iri``/``sparql_literal``/``sparql_term``,
which refuse what is not a term, and the assembled query is screened again.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import QueryError
from ..core.namespaces import BASE, PREFIXES
from .limits import MAX_CHAIN, MAX_DEPTH, MAX_TERMS

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
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("long_string", rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""'),
    ("long_string", rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''"),
    ("string", rf'"(?:[^"\\\r\n]|{_ECHAR})*"'),
    ("string", rf"'(?:[^'\\\r\n]|{_ECHAR})*'"),
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
#: An absolute IRI as SPARQL's IRIREF may hold it (none of <>"{}|^`\\, no space or control).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*\Z")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_PREFIX_NAME = re.compile(rf"(?:{_PN_PREFIX})?\Z")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*\Z")
#: Tokens that open and close a nesting level, and the operators that chain terms at one
#: level (a path's steps, UNION, &&, +, ...): parsers build one tree level per link.
_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")
_CHAIN_OPERATORS = frozenset(["/", "|", "^", "&&", "||", "+", "-", "*", "=", "!=", "<", ">"])
_CHAIN_OPERATORS |= frozenset(["<=", ">=", "!", "?", "UNION", "OPTIONAL", "MINUS"])
#: What ends a chain at its level: the next triple, predicate or object.
_CHAIN_ENDS = frozenset([".", ";", ","])
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
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
    offset: int = field(default=-1, compare=False)  # in the text lexed (escapes expanded)


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
    tokens: list[Token] = field(default_factory=list)  # as lexed, each with its canonical text

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
    besides the project's (e.g. a shapes graph's ``sh:declare``): each must be a
    prefix name and an absolute IRI, and the names that use them are written out
    as full IRIs.
    """
    allowed_graph = allowed_graph or (lambda iri: iri.startswith(BASE))
    known = {**PREFIXES, **check_prefixes(prefixes or {}, source)}
    # (Line ends stay as written: a long string keeps its \r\n; the lexer ends lines and
    # comments at \n, \r and \r\n alike, as the grammar does.)
    original = text
    text, escapes = _expand_codepoints(text, source)
    comments: list[tuple[int, int]] = []
    tokens = _bounded(_lex(text, source, comments), source)
    from_default, from_named = _refuse(tokens, source, allowed_graph, known)
    _check_escapes(escapes, tokens, comments, original, source)
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
    canonical = _canonical_tokens(tokens, known, source)
    lines: list[str] = []
    positions: list[tuple[int, int]] = []
    previous = None
    for token, written in zip(tokens, canonical, strict=True):
        glued = token.kind == "langtag" or token.text == "^^"
        glued = glued or (
            bool(lines) and lines[-1].endswith("^^") and token.kind in ("iri", "pname")
        )
        # A function's '(' stays on its name's line: Oxigraph reads "COALESCE (" as an error.
        glued = glued or (token.text == "(" and previous is not None and _is_call(previous))
        # A path modifier stays on its path's line: rdflib reads "rdfs:subClassOf *" as an error.
        glued = glued or (token.text in ("*", "+", "?") and _adjacent(previous, token))
        if glued and lines:  # a literal's tag or datatype stays on the literal's line too
            lines[-1] += written.text
        else:
            lines.append(written.text)
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
        canonical,
    )


def check_prefixes(prefixes: dict[str, str], source: str) -> dict[str, str]:
    """*prefixes*, each checked: a prefix name (PN_PREFIX) for an absolute IRI."""
    for name, namespace in prefixes.items():
        if not _PREFIX_NAME.match(name):
            raise QueryError(
                f"the prefix name {name!r} is not a SPARQL prefix name",
                hint="a prefix name is letters, digits, '_', '-' and '.', starting with a letter",
                file=Path(source),
            )
        if not _ABSOLUTE_IRI.match(namespace):
            raise QueryError(
                f"the namespace of the prefix {name}: is not an absolute IRI: {namespace!r}",
                hint='write the namespace as an IRI: no spaces and none of < > " { } | ^ ` \\',
                file=Path(source),
            )
    return prefixes


def _bounded(tokens, source: str) -> list[Token]:
    """The tokens, refused (at the first token past it) when the query passes a limit:
    brackets nested deeper than MAX_DEPTH, more than MAX_CHAIN operators chained at one
    level, more than MAX_TERMS tokens. Read lazily, so a huge query stops early."""
    max_depth, max_chain, max_terms = (int(x.value()) for x in (MAX_DEPTH, MAX_CHAIN, MAX_TERMS))
    chains = [0]  # operators chained so far at each open level
    found: list[Token] = []

    def refuse(message: str, hint: str, token: Token) -> None:
        raise QueryError(
            message, hint=hint, file=Path(source), line=token.line, column=token.column
        )

    for token in tokens:
        found.append(token)
        if len(found) > max_terms:
            refuse(
                f"the query has more than {max_terms} terms (term limit)",
                MAX_TERMS.how_to_raise(),
                token,
            )
        key = token.text.upper() if token.kind == "word" else token.text
        if token.kind == "punct" and key in _OPENERS:
            chains.append(0)
            if len(chains) - 1 > max_depth:
                refuse(
                    f"the query nests brackets more than {max_depth} levels deep (nesting limit)",
                    MAX_DEPTH.how_to_raise(),
                    token,
                )
        elif token.kind == "punct" and key in _CLOSERS:
            if len(chains) > 1:
                chains.pop()
        elif token.kind in ("punct", "word") and key in _CHAIN_OPERATORS:
            chains[-1] += 1
            if chains[-1] > max_chain:
                refuse(
                    f"the query chains more than {max_chain} operators at one level (chain "
                    "limit): a path of that many steps, or as many terms joined by UNION, "
                    "OPTIONAL, &&, + ...",
                    "use VALUES or IN for a long list of alternatives; " + MAX_CHAIN.how_to_raise(),
                    token,
                )
        elif token.kind == "punct" and key in _CHAIN_ENDS:
            chains[-1] = 0
    return found


def _canonical_tokens(tokens: list[Token], known: dict[str, str], source: str) -> list[Token]:
    """Each token as written in the canonical text: strings in one form, and a prefixed
    name whose prefix the query does not declare as the full IRI (checked)."""
    declared: set[str] = set()
    written = []
    for i, token in enumerate(tokens):
        text = _canonical(token)
        after_prefix = (
            i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
        )
        if token.kind == "pname" and after_prefix:
            declared.add(token.text.partition(":")[0])
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in declared:
                text = _written_iri(known[prefix] + _unescape_local(local), token, source)
        written.append(
            Token(token.kind if text == token.text else "iri", text, token.line, token.column)
        )
    return written


def _written_iri(iri: str, token: Token, source: str) -> str:
    try:
        return sparql_iri(iri)
    except ValueError:
        raise QueryError(
            f"{token.text} stands for {iri!r}, which is not an IRI",
            hint='write the name so that its IRI has no spaces and none of < > " { } | ^ ` \\',
            file=Path(source),
            line=token.line,
            column=token.column,
        ) from None


def sparql_iri(iri: str) -> str:
    """*iri* as a SPARQL term ``<iri>``; ValueError unless it is an absolute IRI that
    SPARQL's IRIREF can hold as it is (and holds no ``\'\'\'``, see ``_refuse``)."""
    if not isinstance(iri, str) or not _ABSOLUTE_IRI.match(iri) or "'''" in iri:
        raise ValueError(f"not an absolute IRI: {iri!r}")
    return f"<{iri}>"


def sparql_literal(value: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal as a SPARQL term: the value in one-line ``"..."`` form (escapes of ECHAR
    only), with its language tag or datatype IRI, each checked (ValueError)."""
    text = '"' + str(value).translate(_CANONICAL_ESCAPES) + '"'
    if language:
        if not _LANGUAGE_TAG.match(language):
            raise ValueError(f"not a language tag: {language!r}")
        return f"{text}@{language}"
    if datatype and datatype != _XSD_STRING:
        return f"{text}^^{sparql_iri(datatype)}"
    return text


def sparql_term(term) -> str:
    """An IRI or literal (rdflib or pyoxigraph) as a SPARQL term; ValueError for anything
    else (a blank node cannot be named in a query)."""
    if isinstance(term, ox.NamedNode):
        return sparql_iri(term.value)
    if isinstance(term, ox.Literal):
        return sparql_literal(term.value, term.language, term.datatype.value)
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return sparql_iri(str(term))
    if isinstance(term, Literal):  # str() is the lexical form (.value is a Python value)
        datatype = None if term.datatype is None else str(term.datatype)
        return sparql_literal(str(term), term.language, datatype)
    raise ValueError(f"not an IRI or a literal: {term!r}")


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


def _expand_codepoints(text: str, source: str) -> tuple[str, list[tuple[int, str, int]]]:
    """*text* with its \\u/\\U escapes expanded, and each escape as (offset in the result,
    the character, offset in *text*)."""
    parts: list[str] = []
    escapes: list[tuple[int, str, int]] = []
    done = size = 0
    for match in _CODEPOINT.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise QueryError(
                f"the escape {match.group(0)} is not a Unicode character",
                hint="write the character itself",
                file=Path(source),
                **_where(text, match.start()),
            )
        before = text[done : match.start()]
        parts += [before, chr(code)]
        size += len(before)
        escapes.append((size, chr(code), match.start()))
        size += 1
        done = match.end()
    parts.append(text[done:])
    expanded = "".join(parts)
    again = _CODEPOINT.search(expanded)
    if again:
        raise QueryError(
            f"an escape sequence {again.group(0)} appears only after \\u escapes are expanded",
            hint="write the character itself instead of nesting escapes",
            file=Path(source),
        )
    return expanded, escapes


#: Where an escape may stand, and the delimiters on each side of the content.
_ESCAPE_MARGINS = {"string": (1, 1), "long_string": (3, 3), "iri": (1, 1), "comment": (1, 0)}


def _check_escapes(escapes, tokens: list[Token], comments, original: str, source: str) -> None:
    """Refuse an escape that engines read differently. SPARQL expands escapes before
    parsing; Oxigraph expands them only inside strings and IRIs, so an escape elsewhere
    (\\u0053ELECT), or one that the expansion makes a delimiter (a quote ending the
    string, a '>' ending the IRI) or a backslash (then read as an escape again), would
    make the canonical text say something else than the original says to Oxigraph."""
    if not escapes:
        return
    spans = sorted(
        [(t.offset, t.offset + len(t.text), t.kind) for t in tokens]
        + [(start, end, "comment") for start, end in comments]
    )
    starts = [span[0] for span in spans]
    for offset, char, at in escapes:
        i = bisect.bisect_right(starts, offset) - 1
        start, end, kind = spans[i] if i >= 0 else (0, 0, "")
        left, right = _ESCAPE_MARGINS.get(kind, (1, 1))
        inside = kind in _ESCAPE_MARGINS and start + left <= offset < end - right
        if not inside or char == "\\":
            raise QueryError(
                f"the escape {original[at : at + (6 if original[at + 1] == 'u' else 10)]} "
                f"stands for {char!r} where engines read "
                "it differently (only a character inside a string, an IRI or a comment is "
                "the same to all, and never a backslash)",
                hint="write the character itself",
                file=Path(source),
                **_where(original, at),
            )


def _where(text: str, index: int) -> dict:
    return {
        "line": text.count("\n", 0, index) + 1,
        "column": index - (text.rfind("\n", 0, index) + 1) + 1,
    }


def _lex(text: str, source: str, comments: list[tuple[int, int]] | None = None):
    """The tokens of *text* (comments' spans go to *comments*)."""
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
        if kind == "comment" and comments is not None:
            comments.append((match.start(), match.end()))
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), line, index - line_start + 1, match.start())
        breaks = _LINE_BREAK.findall(match.group())
        if breaks:
            line += len(breaks)
            line_start = (
                match.start() + max(match.group().rfind("\n"), match.group().rfind("\r")) + 1
            )
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
        # (Only the keyword: a SERVICE clause needs a '{', which no IRI token may hold.)
        if word == "SERVICE":
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
