"""Content and language negotiation (RFC 9110 §12.5.1 and §12.5.4).

Written here rather than taken from a framework because the rules are small and
the details matter: the most specific matching range sets a type's quality
(``text/*;q=0, text/csv`` accepts CSV), ``q=0`` means "not acceptable", a tie
goes to the server's order of preference, and a malformed range is ignored
instead of failing the request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != kind:
            return False
        return self.subtype in ("*", sub)


def _quality(text: str) -> float | None:
    try:
        q = float(text)
    except ValueError:
        return None
    if not 0.0 <= q <= 1.0:
        return None
    return q


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed ranges are left out."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";")]
        full = parts[0].lower()
        kind, slash, sub = full.partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        valid = True
        for param in parts[1:]:
            name, _, value = param.partition("=")
            name = name.strip().lower()
            value = value.strip().strip('"')
            if name == "q":
                parsed = _quality(value)
                if parsed is None:
                    valid = False
                q = parsed if parsed is not None else 0.0
                break  # what follows q are accept-extensions, not media type parameters
            if name:
                params.append((name, value))
        if valid:
            ranges.append(MediaRange(kind, sub, q, tuple(params)))
    return ranges


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None if it accepts none of them.

    *offered* is in the server's order of preference, which breaks ties. No (or an
    empty, or an entirely malformed) Accept header means anything is acceptable.
    """
    if not offered:
        return None
    ranges = parse_accept(header)
    if not ranges:
        return offered[0]
    best: tuple[float, int] | None = None
    choice = None
    for index, media_type in enumerate(offered):
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        top = max(r.specificity for r in matching)
        q = max(r.q for r in matching if r.specificity == top)
        if q <= 0:
            continue
        key = (q, -index)
        if best is None or key > best:
            best, choice = key, media_type
    return choice


def negotiate_language(header: str | None, available: list[str]) -> str | None:
    """The available language tag (``en``, ``zh``...) the client ranks first, or None."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, rest = item.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        q = 1.0
        name, _, value = rest.strip().partition("=")
        if name.strip().lower() == "q":
            parsed = _quality(value.strip())
            if parsed is None:
                continue
            q = parsed
        if q <= 0:
            continue
        choices.append((q, -position, tag))
    for _q, _position, tag in sorted(choices, reverse=True):
        for language in available:
            if tag == "*" or tag == language or tag.startswith(language + "-"):
                return language
    return None
