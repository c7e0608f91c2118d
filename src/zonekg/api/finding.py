"""Finding an entity by name (``find``): every name the data gives an entity, in every
language, compared case- and width-folded (NFKC, then casefold), ranked exact > prefix >
substring.

The names come from one query (``queries/find-labels.rq``) that takes no user text; the
comparison is Python over those names (a few hundred), which is simpler than a query per
search and keeps the user's text out of SPARQL altogether. The index is made once per load
(``labels``); the server keeps one for its life.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

from ..core.errors import InvalidValue
from ..core.namespaces import RDFS
from ..safety.screen import screen
from .loading import KnowledgeGraph
from .querying import answer

#: The longest text ``find`` takes, in characters (the longest name in the data has 73).
MAX_TEXT = 200
#: The most matches one ``find`` returns, and the most it may be asked for.
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
#: How many close names ``find`` suggests when nothing matches.
SUGGESTIONS = 5

#: Ranks, best first: the folded name equals the folded text, starts with it, contains it.
RANKS = ("exact", "prefix", "substring")

FIND_LABELS = resources.files(__package__).joinpath("queries", "find-labels.rq").read_text("utf-8")


def fold(text: str) -> str:
    """*text* as names are compared: NFKC (full-width ``ＭＨＩ`` is ``MHI``, ``（`` is
    ``(``), case-folded, runs of white space made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Name:
    """One name of an entity: the property that gives it, its text and language tag."""

    property: str
    text: str
    language: str = ""


@dataclass
class Match:
    """An entity found: its IRI, classes, every name it has, the rank of its best match
    (one of ``RANKS``) and the name that matched."""

    entity: str
    kinds: list[str]
    names: list[Name]
    rank: str
    matched: Name

    @property
    def label(self) -> str:
        """Its English ``rdfs:label`` (else its first name), to show it by."""
        english = [
            n.text for n in self.names if n.property == RDFS + "label" and n.language == "en"
        ]
        return min(english) if english else self.names[0].text


@dataclass
class Found:
    """What ``find`` found for *text*: the best *matches* (at most the limit asked for) of
    *total*, and, when nothing matched, the closest names as *suggestions*."""

    text: str
    matches: list[Match]
    total: int
    suggestions: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.matches)

    @property
    def exact(self) -> list[Match]:
        return [m for m in self.matches if m.rank == "exact"]


@dataclass
class _Entry:
    entity: str
    kinds: set[str] = field(default_factory=set)
    names: dict[Name, str] = field(default_factory=dict)  # name -> its folded text


class Labels:
    """The names of every entity of one load, folded once, to find entities by."""

    def __init__(self, rows) -> None:
        entries: dict[str, _Entry] = {}
        for entity, prop, name, kind in rows:
            entry = entries.setdefault(entity.value, _Entry(entity.value))
            found = Name(prop.value, name.value, getattr(name, "language", None) or "")
            entry.names.setdefault(found, fold(found.text))
            if kind is not None:
                entry.kinds.add(kind.value)
        self.entries = sorted(entries.values(), key=lambda e: e.entity)
        self.folded = sorted({f for e in self.entries for f in e.names.values()})

    def find(self, text: str, limit: int = DEFAULT_LIMIT) -> Found:
        """The entities one of whose names holds *text* (folded), best first: exact, then
        prefix, then substring; within a rank the shorter matching name first, then by IRI."""
        wanted = _checked(text, limit)
        ranked = []
        for entry in self.entries:
            best = None
            for name, folded in entry.names.items():
                if wanted not in folded:
                    continue
                rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
                key = (rank, len(folded), name.text)
                if best is None or key < best[0]:
                    best = (key, name)
            if best is not None:
                ranked.append((best[0], entry, best[1]))
        ranked.sort(key=lambda r: (r[0][0], r[0][1], r[1].entity))
        matches = [
            Match(
                entry.entity,
                sorted(entry.kinds),
                sorted(entry.names, key=lambda n: (n.property, n.language, n.text)),
                RANKS[key[0]],
                name,
            )
            for key, entry, name in ranked[:limit]
        ]
        suggestions = [] if ranked else self.closest(wanted)
        return Found(text, matches, len(ranked), suggestions)

    def closest(self, folded: str) -> list[str]:
        """The names closest to *folded* (difflib's ratio over the folded names), as the
        data writes them."""
        close = difflib.get_close_matches(folded, self.folded, n=SUGGESTIONS, cutoff=0.5)
        shown = {}
        for entry in self.entries:
            for name, f in entry.names.items():
                if f in close:
                    shown.setdefault(f, name.text)
        return [shown[f] for f in close]


def _checked(text: str, limit: int) -> str:
    if not isinstance(text, str) or not fold(text):
        raise InvalidValue("text", text, "a name to look for (some text)", hint="e.g. chengdu")
    if len(text) > MAX_TEXT:
        raise InvalidValue(
            "text",
            f"{text[:20]}…",
            f"at most {MAX_TEXT} characters long ({len(text)} given)",
            hint="look for a shorter part of the name",
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        # a control character, or a lone surrogate (no name holds one; it cannot be printed)
        raise InvalidValue(
            "text",
            text.encode("utf-8", "backslashreplace").decode("ascii", "replace"),
            "text without control characters or lone surrogates",
        )
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", limit, f"a whole number from 1 to {MAX_LIMIT}")
    return fold(text)


def labels(kg: KnowledgeGraph) -> Labels:
    """The names the data graphs give each entity (``queries/find-labels.rq``), folded."""
    rows = answer(
        kg, screen(FIND_LABELS, "find", limits=kg.limits), default_graphs=kg.loaded.data_graphs
    ).rows
    return Labels(rows)


def find(kg: KnowledgeGraph, text: str, limit: int = DEFAULT_LIMIT) -> Found:
    """The entities whose names (rdfs:label, skos:prefLabel, skos:altLabel, dct:title, in
    every language) hold *text*, case- and width-folded, ranked exact > prefix >
    substring; at most *limit* of them. Nothing found: ``Found.suggestions`` holds the
    closest names. ``InvalidValue`` for empty or over-long text or a bad *limit*."""
    return labels(kg).find(text, limit)
