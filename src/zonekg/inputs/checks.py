"""Every check an RDF input file gets before any engine sees it.

Before parsing: the byte size, UTF-8, no byte-order mark, the line length and
the bracket nesting (a parser that recurses, as rdflib's does, can be made to
run out of stack); RDF/XML with a DOCTYPE or ENTITY is refused (entity
expansion can take minutes), whatever its encoding.

Parsing: pyoxigraph's Turtle/TriG parser, which is strict where rdflib is lax
(spaces in IRIs, bad language tags, lone surrogates) and quick; its messages
are turned into plain words with the fix. A relative IRI with no @base is
resolved against the file's graph IRI, with a warning naming file:line.

After parsing: literals whose lexical form is not in their datatype's lexical
space (``"abc"^^xsd:integer``), which parsers accept silently. Each problem is
reported with ``file:line:column``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InputWarning, LimitError, LoadError
from ..core.namespaces import XSD
from ..core.settings import DEFAULT_LIMITS, Limits


class _pattern:  # noqa: N801 (used as re.compile is)
    """A regular expression compiled on first use: a command whose files were checked
    before (their verdict kept) uses none of these, and compiling them all took a tenth
    of its start."""

    def __init__(self, *args) -> None:
        self._args = args
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


@dataclass(frozen=True)
class IllTyped:
    """A literal outside its datatype's lexical space, and where it is written."""

    file: Path
    line: int | None
    column: int | None
    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    literal: ox.Literal
    lexical: str

    def error(self) -> LoadError:
        return LoadError(
            f'ill-typed literal "{self.lexical}" for datatype <{self.literal.datatype.value}>',
            hint="write a value of that datatype, or change the datatype",
            file=self.file,
            line=self.line,
            column=self.column,
        )


def warn(text: str) -> None:
    """A warning about an input that is read all the same (``InputWarning``)."""
    warnings.warn(InputWarning(text), stacklevel=3)


# --- before parsing --------------------------------------------------------------------


def size_cap(limits: Limits = DEFAULT_LIMITS) -> int:
    return int(limits.max_input_mb * 1024 * 1024)


def check_size(size: int, file: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    cap = size_cap(limits)
    if size > cap:
        raise limits.exceeded(
            "max_input_mb",
            f"the file is {size} bytes, over the input size limit ({cap} bytes)",
            file=Path(file),
        )


def decode(data: bytes, file: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LoadError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})",
            hint="save the file as UTF-8",
            file=file,
        ) from None
    if text.startswith("\ufeff"):
        raise LoadError(
            "the file starts with a byte-order mark (BOM)",
            hint="save the file as UTF-8 without BOM",
            file=file,
            line=1,
            column=1,
        )
    return text


def check_lines(text: str, file: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """No line longer than ``limits.max_line`` characters."""
    max_line = limits.max_line
    # From a line's start to the last line end within max_line characters of it: only a
    # line longer than that has none there, and only then are the lines counted (at 1M
    # triples, 230 MB: a split into lines took 0.3 s)
    start = 0
    while len(text) - start > max_line:
        end = text.rfind("\n", start, start + max_line + 1)
        if end < 0:
            break
        start = end + 1
    else:
        return
    lengths = [len(line) for line in text.split("\n")]
    longest = max(lengths)
    if longest > max_line:
        number = next(i for i, n in enumerate(lengths, start=1) if n > max_line)
        raise limits.exceeded(
            "max_line",
            f"line {number} is {lengths[number - 1]} characters long, over the line length limit",
            'break the line (Turtle allows newlines between terms and in """long strings""")',
            file=Path(file),
            line=number,
        )


#: What Turtle's brackets can hide in: strings (long and short), IRIs, comments.
_TURTLE_TOKENS = _pattern(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
    r"|([\[\(\{])|([\]\)\}])",
    re.DOTALL,
)


def check_nesting(text: str, file: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Brackets nested no deeper than ``limits.max_depth`` (outside strings, IRIs and
    comments)."""
    max_depth = limits.max_depth
    if text.count("[") + text.count("(") + text.count("{") <= max_depth:
        return  # too few brackets to nest that deep: no need to scan
    depth = 0
    for match in _TURTLE_TOKENS.finditer(text):
        if match.group(1):
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - text.rfind("\n", 0, match.start())
                raise limits.exceeded(
                    "max_depth",
                    f"brackets nested more than {max_depth} deep",
                    "flatten the nesting with named nodes",
                    file=Path(file),
                    line=line,
                    column=column,
                )
        elif match.group(2):
            depth = max(depth - 1, 0)


def check_text(
    text: str, file: Path, syntax: str = "turtle", limits: Limits = DEFAULT_LIMITS
) -> None:
    """The checks on decoded Turtle, TriG, N-Triples or N-Quads text, before parsing."""
    check_lines(text, file, limits)
    if syntax not in ("nquads", "ntriples", "nt"):  # line formats have no brackets to nest
        check_nesting(text, file, limits)


_DOCTYPE = _pattern(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_rdfxml(data: bytes, file: Path | str) -> None:
    """Refuse DOCTYPE and ENTITY declarations, in whatever encoding the document is in."""
    text = _xml_text(data)
    match = _DOCTYPE.search(text)
    if match:
        raise LimitError(
            f"RDF/XML with a {match.group(1).upper()} declaration is refused",
            hint="remove the DOCTYPE/ENTITY declarations and write the IRIs out in full",
            file=Path(file),
            line=text.count("\n", 0, match.start()) + 1,
        )


def _xml_text(data: bytes) -> str:
    """The document as text, decoded as an XML parser would (BOM or declared encoding)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    for pattern, codec in (
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
    ):
        if data.startswith(pattern):
            return data.decode(codec, "replace")
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", data)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")


# --- parsing ---------------------------------------------------------------------------

#: Phrases in pyoxigraph's parser messages, and what to tell the user instead.
_EXPLANATIONS = (
    ("A dot is expected at the end of statements", "a statement does not end where expected",
     "end each statement with '.' (separate objects with ',' and predicates with ';')"),
    ("has not been declared", "unknown prefix {detail}",
     "declare it with @prefix at the top of the file, or fix the name"),
    ("escape", "bad escape sequence in a string ({detail})",
     'write \\\\ for a backslash; the escapes are \\t \\n \\r \\" \\\' \\\\ \\uXXXX'),
    ("language", "invalid language tag",
     "use a BCP 47 tag such as @en, @zh-Hans or @ja"),
    ("No scheme found", "relative IRI {detail} and no @base to resolve it against",
     "write the IRI in full, or declare @base <...> at the top of the file"),
    ("Invalid IRI code point", "invalid IRI {detail}: it contains {char}",
     "percent-encode the character (a space is %20) or remove it"),
    ("Unexpected end", "the file ends in the middle of a statement",
     "finish the last statement and end it with '.'"),
)  # fmt: skip
_OX_POSITION = _pattern(
    r"(?:at line (\d+) (?:between columns (\d+) and (\d+)|column (\d+))"
    r"|between line (\d+) column (\d+) and line (\d+) column (\d+))"
)


def syntax_error(exc: SyntaxError, text: str, file: Path) -> LoadError:
    """A LoadError for pyoxigraph's SyntaxError: position, plain words, and the fix."""
    message = str(exc.msg if getattr(exc, "msg", None) else exc)
    line = column = end = None
    where = _OX_POSITION.search(message)
    if where:
        g = where.groups()
        if g[0]:
            line, column, end = int(g[0]), int(g[1] or g[3]), int(g[2]) if g[2] else None
        else:
            line, column = int(g[4]), int(g[5])
    reason = message.split(": ", 1)[1] if ": " in message else message
    reason = re.sub(r"\s*\(line \d+\)$", "", reason)
    lines = text.split("\n")
    span = ""
    if line is not None and 0 < line <= len(lines):
        source_line = lines[line - 1]
        span = source_line[column - 1 : (end - 1) if end else None] if column else ""
    plain, hint = (
        f"Turtle syntax error: {reason}",
        ("fix the Turtle at this position (a missing '.', ';' or quote is the usual cause)"),
    )
    before = (
        lines[line - 1][: column - 1] if line is not None and column and line <= len(lines) else ""
    )
    at_end = line is not None and (line, column) >= _end_position(text)
    if span[:1] in ('"', "'") and "Unexpected end" in reason:
        plain, hint = "unterminated string", 'close the quote, or use """long strings"""'
    elif "Line jumps are not allowed" in reason:
        plain = 'unterminated string (a newline inside a "..." string)'
        hint = 'close the quote on the same line, or use """long strings""" over several lines'
    elif _LANG_BEFORE.search(before):
        tag = re.search(
            r"@[^\s.;,]*", lines[line - 1][len(before) - len(_LANG_BEFORE.search(before).group()) :]
        )
        plain = f"invalid language tag {tag.group() if tag else ''}".rstrip()
        hint = "use a BCP 47 tag such as @en, @zh-Hans or @ja"
    elif at_end and ("followed by a dot" in reason or "Unexpected end" in reason):
        plain, hint = (
            "the file ends in the middle of a statement",
            "finish the last statement and end it with '.'",
        )
        line, column = _end_position(text.rstrip())  # at the unfinished statement, not past it
    else:
        for phrase, words, fix in _EXPLANATIONS:
            if phrase in reason:
                char = re.search(r"code point '(.*?)'", reason)
                plain = words.format(
                    detail=_detail(phrase, reason, span), char=repr(char.group(1)) if char else "?"
                )
                hint = fix
                break
    return LoadError(plain, hint=hint, file=file, line=line, column=column)


_LANG_BEFORE = _pattern(r"[\"']@[A-Za-z0-9-]*_?$")


def _end_position(text: str) -> tuple[int, int]:
    """(line, column) just past the last character of *text*."""
    last = text.rsplit("\n", 1)[-1]
    return text.count("\n") + 1, len(last) + 1


def _detail(phrase: str, reason: str, span: str) -> str:
    if phrase == "has not been declared":
        found = re.search(r"prefix (\S*) has not", reason)
        return found.group(1) if found else span
    if phrase == "escape":
        found = re.search(r"'(\\.*?)'", reason)
        return found.group(1) if found else reason
    if phrase in ("No scheme found", "Invalid IRI code point"):
        return span if span.startswith("<") else f"<{span}>"
    return span


# --- after parsing ---------------------------------------------------------------------

_DIGITS = r"[0-9]+"
_INTEGER = _pattern(r"[+-]?[0-9]+")
_DECIMAL = _pattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = _pattern(r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)")
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_LEXICAL = {
    "boolean": _pattern(r"true|false|1|0"),
    "integer": _INTEGER,
    "decimal": _DECIMAL,
    "double": _DOUBLE,
    "float": _DOUBLE,
    "date": _pattern(rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}"),
    "dateTime": _pattern(rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T{_TIME}{_TZ}"),
    "time": _pattern(rf"{_TIME}{_TZ}"),
    "gYear": _pattern(rf"{_YEAR}{_TZ}"),
    "gYearMonth": _pattern(rf"{_YEAR}-(0[1-9]|1[0-2]){_TZ}"),
    "gMonth": _pattern(rf"--(0[1-9]|1[0-2]){_TZ}"),
    "gDay": _pattern(rf"---(0[1-9]|[12][0-9]|3[01]){_TZ}"),
    "gMonthDay": _pattern(rf"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}"),
    "duration": _pattern(
        r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
    ),
    "anyURI": _pattern(r"[^\x00-\x1f]*"),
}
_INTEGER_RANGES = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
CHECKED_DATATYPES = frozenset(XSD + name for name in (*_LEXICAL, *_INTEGER_RANGES))


def well_typed(lexical: str, datatype: str) -> bool:
    """Whether *lexical* is in the lexical space of the XSD *datatype* (others: always)."""
    if not datatype.startswith(XSD):
        return True
    name = datatype[len(XSD) :]
    if name in _INTEGER_RANGES:
        if not _INTEGER.fullmatch(lexical):
            return False
        low, high = _INTEGER_RANGES[name]
        value = int(lexical)
        return (low is None or value >= low) and (high is None or value <= high)
    pattern = _LEXICAL.get(name)
    if pattern is None:
        return True
    match = pattern.fullmatch(lexical)
    if match is None:
        return False
    if name in ("date", "dateTime"):  # the day must exist in that month
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        try:
            dt.date(2000 if year <= 0 or year > 9999 else year, month, day)
        except ValueError:
            return False
    return True


_TYPED_LITERAL = _pattern(r'"((?:[^"\\\n]|\\.)*)"\s*\^\^\s*(<[^>]*>|[\w.-]*:[\w.-]*)')


def locate_literal(text: str, literal: ox.Literal) -> tuple[int | None, int | None]:
    """Where an ill-typed literal is written (its lexical form, then its datatype)."""
    datatype = literal.datatype.value
    local = datatype.rsplit("#", 1)[-1]
    for match in _TYPED_LITERAL.finditer(text):
        lexical, written = match.groups()
        if lexical == literal.value and (
            written.strip("<>") == datatype or written.endswith(local)
        ):
            index = match.start()
            return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    index = text.find(f'"{literal.value}"')
    if index < 0:
        return None, None
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


# --- bidi controls in IRIs ------------------------------------------------------------

#: Bidirectional controls (U+061C, U+200E-F, U+202A-E, U+2066-9), as UTF-8 bytes: in an
#: IRI they make it display as another IRI (``<…\u202e…>`` shows reversed).
_BIDI = _pattern(b"\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _bidi_matches(data: bytes) -> list:
    """The bidi controls of *data*, in order. Each starts with the byte D8 or E2, which
    ``bytes.find`` finds at memory speed: the regex alone took 1.5 s over the 230 MB of a
    million generated triples, the look-ups 0.04 s. Where those bytes are common (a text
    in Arabic script, many symbols), the regex alone."""
    starts: list[int] = []
    for lead in b"\xd8\xe2":
        at = data.find(lead)
        while at >= 0:
            if len(starts) > len(data) >> 8:
                return list(_BIDI.finditer(data))
            starts.append(at)
            at = data.find(lead, at + 1)
    return [m for m in (_BIDI.match(data, at) for at in sorted(starts)) if m]


def bidi_in_iris(data: bytes) -> list[tuple[int, int, str]]:
    """(line, column, character name) of each bidi control inside an ``<IRI>`` of *data*."""
    found = []
    for match in _bidi_matches(data):
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        line_bytes = data[start : len(data) if end < 0 else end]
        offset = match.start() - start
        opened = line_bytes.rfind(b"<", 0, offset)
        closed = line_bytes.rfind(b">", 0, offset)
        after = line_bytes.find(b">", offset)
        if opened > closed and after >= 0:
            before = line_bytes[:offset].decode("utf-8", "replace")
            char = match.group().decode("utf-8")
            found.append((data.count(b"\n", 0, start) + 1, len(before) + 1, f"U+{ord(char):04X}"))
    return found
