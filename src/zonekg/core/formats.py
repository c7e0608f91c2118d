"""The graph in every RDF syntax, from quads, written by pyoxigraph (fast at any size).

TriG and N-Quads keep the named graphs; Turtle, N-Triples, RDF/XML and JSON-LD
merge them into one graph. Line formats are sorted, and the rest are written
from sorted input, so that two exports of one graph diff cleanly. Prefixes are
the project's own (those the graph uses). JSON-LD is the project's compacted
form (see ``jsonld``). Canonical output is RDF Dataset Canonicalization
(RDFC-1.0) written as N-Quads sorted by code point: equal datasets give equal
bytes whatever the order or blank node labels of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InvalidChoice, Setting, ZonekgError
from .render import used_prefixes


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    keeps_graphs: bool
    ox_format: ox.RdfFormat | None

    @property
    def syntax(self) -> str:
        return self.name


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", ".ttl", "text/turtle", False, ox.RdfFormat.TURTLE),
        Format("ntriples", ".nt", "application/n-triples", False, ox.RdfFormat.N_TRIPLES),
        Format("nquads", ".nq", "application/n-quads", True, ox.RdfFormat.N_QUADS),
        Format("trig", ".trig", "application/trig", True, ox.RdfFormat.TRIG),
        Format("jsonld", ".jsonld", "application/ld+json", False, None),
        Format("rdfxml", ".rdf", "application/rdf+xml", False, ox.RdfFormat.RDF_XML),
    )
}
#: What an export holds: the published dataset (its default graph and named graphs: only
#: TriG and N-Quads can hold it), the asserted graphs, the closure, or both.
GRAPH_CHOICES = ("dataset", "asserted", "inferred", "all")

#: The formats of the files a command writes with ``-o``, by groups.
RDF = tuple(FORMATS)
PICTURES = ("svg", "png", "dot")
TABLES = ("csv",)
#: Every output file suffix and the format it holds: the one table each ``-o`` is checked
#: against, so that a file's name always says what is in it.
SUFFIXES: dict[str, str] = {
    **{fmt.suffix: fmt.name for fmt in FORMATS.values()},
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".csv": "csv",
}


def suffixes_of(names) -> list[str]:
    """The suffixes of the formats *names*, in the table's order."""
    return [suffix for suffix, name in SUFFIXES.items() if name in names]


def output_format(
    output: Path, allowed, given: str | None = None, parameter: Setting | None = None
) -> str:
    """The format a file called *output* is written in: the one its suffix names, which must
    be one of *allowed*; a format the user *given* (with the setting *parameter*, ``fmt``
    by default) must be that one too. Anything else is refused (exit 2), naming the
    suffixes the command takes."""
    output = Path(output)
    suffix = output.suffix.lower()
    named = SUFFIXES.get(suffix)
    takes = ", ".join(suffixes_of(allowed))
    if named not in allowed:
        what = f"a {suffix} file" if suffix else "a file name without a suffix"
        raise ZonekgError(
            f"cannot tell what to write to {what}: this command writes {takes}",
            hint=f"end the file name with one of: {takes}",
            file=output,
        )
    if given is not None and given != named:
        setting = parameter or Setting("fmt", given)
        raise ZonekgError(
            f"{setting} does not match the file name, whose suffix {suffix} means {named}",
            hint=f"drop {setting}, or end the file name with {', '.join(suffixes_of([given]))}",
            file=output,
            settings=(setting,),
        )
    return named


def format_for(name: str | None, output: Path | None = None) -> Format:
    """The format called *name* (checked against the suffix of *output* when there is one),
    or the one *output*'s suffix names, or Turtle."""
    if name is not None and name not in FORMATS:
        raise InvalidChoice("fmt", name, FORMATS)
    if output is not None:
        return FORMATS[output_format(output, RDF, name)]
    return FORMATS[name or "turtle"]


#: The settings that name a canonical export, and the one format it takes.
CANONICAL = Setting("canonical", True)
NQUADS = Setting("fmt", "nquads")


def choose(name: str | None, output: Path | None, canonical: bool) -> Format:
    """The format of an export: *name*, or the one the suffix of *output* names, or Turtle;
    N-Quads when *canonical*."""
    if canonical and name not in (None, "nquads"):
        given = Setting("fmt", name)
        raise ZonekgError(
            f"{CANONICAL} writes N-Quads, not {name}",
            hint=f"drop {given} or use {NQUADS}",
            settings=(CANONICAL, given, NQUADS),
        )
    if canonical:
        if output is not None:
            output_format(output, ("nquads",), "nquads", parameter=CANONICAL)
        return FORMATS["nquads"]
    return format_for(name, output)


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Each quad once, in the order of their N-Quads text (graphs, then subjects together)."""
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.triple)))


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Each triple once (graphs merged), in the order of their N-Triples text."""
    return sorted({q.triple for q in quads}, key=str)


def serialize(quads: Iterable[ox.Quad], fmt: Format | str) -> str:
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    quads = list(quads)
    if fmt.name == "jsonld":
        from . import jsonld

        return jsonld.dumps(jsonld.compacted_nquads(serialize(quads, "ntriples")))
    if _line_format(fmt):  # sorted as lines, which is quicker than sorting terms
        return _written(list({q if fmt.keeps_graphs else q.triple for q in quads}), fmt)
    return _written(sorted_quads(quads) if fmt.keeps_graphs else sorted_triples(quads), fmt)


def serialize_graph(triples: Iterable[ox.Triple], graph: str, fmt: Format | str) -> str:
    """``serialize`` of *triples* in the named graph *graph*, making no quad where *fmt*
    keeps no graph (a million of them took 0.6 s)."""
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    if fmt.keeps_graphs or fmt.name == "jsonld":
        node = ox.NamedNode(graph)
        return serialize((ox.Quad(t.subject, t.predicate, t.object, node) for t in triples), fmt)
    items = set(triples)
    return _written(list(items) if _line_format(fmt) else sorted(items, key=str), fmt)


def _line_format(fmt: Format) -> bool:
    return fmt.name in ("ntriples", "nquads")


def _written(items: list, fmt: Format) -> str:
    """The text of *items* (quads or triples, each once) in *fmt*: in their order with the
    prefixes they use, or for a line format, its lines sorted."""
    if _line_format(fmt):
        text = ox.serialize(items, format=fmt.ox_format).decode("utf-8")
        return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))
    prefixes = used_prefixes([q.triple if isinstance(q, ox.Quad) else q for q in items])
    return ox.serialize(items, format=fmt.ox_format, prefixes=prefixes).decode("utf-8")


def with_header(text: str, fmt: Format | str, lines: list[str]) -> str:
    """*text* with *lines* as a comment at its top, where its syntax has comments (Turtle,
    N-Triples, TriG, N-Quads: ``#``; RDF/XML: ``<!-- -->`` after the XML declaration);
    JSON-LD has none, so it is returned as it is."""
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    if not lines or fmt.name == "jsonld":
        return text
    if fmt.name == "rdfxml":
        body = "\n".join(line.replace("--", "- -") for line in lines)
        declaration, newline, rest = text.partition("\n")
        if declaration.startswith("<?xml"):
            return f"{declaration}\n<!--\n{body}\n-->\n{rest}"
        return f"<!--\n{body}\n-->\n{text}"
    return "".join(f"# {line}\n" for line in lines) + text


def canonical_nquads(quads: Iterable[ox.Quad]) -> str:
    """RDFC-1.0 canonical N-Quads, one quad per line in code point order."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return "".join(sorted({line + "\n" for line in text.splitlines() if line.strip()}))


def parse_back(path: Path, syntax: str) -> None:
    """Parse a written file again; raise if it does not parse (used before a rename)."""
    fmt = FORMATS.get(syntax)
    if fmt is not None and fmt.ox_format is not None:
        for _ in ox.parse(path=str(path), format=fmt.ox_format):
            pass
        return
    from rdflib import Graph

    Graph().parse(path, format="json-ld" if syntax == "jsonld" else syntax)
