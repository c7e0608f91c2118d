"""Step 0: the input files, found, read within bounds and checked, before any engine.

``collect`` returns the ontology and data files as ``Inputs``: each file's bytes
(read once, so what was checked is what the engine loads), its syntax, the
named graph its default-graph triples go to, and a digest. Every command goes
through it, whatever engine runs next: the size, line-length, nesting, UTF-8,
BOM, syntax, relative-IRI and literal checks cannot be skipped by choosing an
engine.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..core import paths
from ..core.errors import LoadError, ZonekgError
from ..core.namespaces import GRAPH, graph_iri
from ..core.results import Location
from ..core.settings import DEFAULT_LIMITS, Limits
from ..safety.limits import in_order
from . import checks, locations
from .files import data_files, read_bounded, read_hashed, recalled, reread, syntax_of

ONTOLOGY, DATA = "ontology", "data"
_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


@dataclass(frozen=True)
class InputFile:
    path: Path
    role: str  # ONTOLOGY or DATA
    syntax: str  # "turtle" or "trig"
    graph: str  # the named graph of the file's default-graph triples
    raw: bytes | None = field(repr=False, compare=False)  # None: not read yet (``data``)
    digest: str = ""
    size: int = 0
    graphs: frozenset[str] = frozenset()  # every graph the file puts triples in
    ill_typed: tuple[checks.IllTyped, ...] = ()
    warnings: tuple[str, ...] = ()  # said on stderr each time the file is read
    checked_now: bool = False  # its checks ran on this read (none were remembered)

    @functools.cached_property
    def data(self) -> bytes:
        """The file's bytes: those read when it was checked, or read now and verified to be
        them (a file whose digest was remembered is read only by a step that needs it)."""
        return self.raw if self.raw is not None else reread(self.path, self.size, self.digest)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @functools.cached_property  # (it resolves the path: every key and load asks)
    def base(self) -> str:
        """The IRI relative IRIs resolve against, unless the file has @base: its graph IRI.

        Not its ``file:///...`` IRI: that would put where the file lives on this machine
        into every IRI made from a relative one, and so into answers, exports and pages.
        """
        return base_iri(self.path)

    def parse(self):
        """The file's quads, parsed against its base."""
        return ox.parse(self.data, format=self.ox_format, base_iri=self.base)

    @property
    def ox_format(self) -> ox.RdfFormat:
        return _OX_FORMATS[self.syntax]

    def load_into(self, store: ox.Store, bulk: bool = False) -> None:
        """Load the file into *store*, its default-graph triples into its graph (*bulk*:
        Oxigraph's bulk loader, for a store on disk)."""
        loader = store.bulk_load if bulk else store.load
        loader(
            input=self.data,
            format=self.ox_format,
            base_iri=self.base,
            to_graph=ox.NamedNode(self.graph),
        )


@dataclass
class Inputs:
    files: list[InputFile]
    ill_typed: list[checks.IllTyped] = field(default_factory=list)
    #: The files loaded into an in-memory store while they were checked (``collect``'s
    #: *preload*), for the engine to take once (``take_preloaded``).
    preloaded: ox.Store | None = field(default=None, repr=False, compare=False)

    def take_preloaded(self) -> ox.Store | None:
        found, self.preloaded = self.preloaded, None
        return found

    @property
    def ontology_files(self) -> list[Path]:
        return [f.path for f in self.files if f.role == ONTOLOGY]

    @property
    def data_files(self) -> list[Path]:
        return [f.path for f in self.files if f.role == DATA]

    def graphs(self, role: str | None = None) -> list[str]:
        """The named graphs of the files (of one *role*), in file order, each once (worked
        out once: with thousands of graphs, every query asks)."""
        known = self.__dict__.setdefault("_graphs", {})
        if role not in known:
            found: dict[str, None] = {}
            for f in self.files:
                if role is None or f.role == role:
                    found.update(dict.fromkeys(sorted(f.graphs)))
            known[role] = list(found)
        return list(known[role])

    def digest(self) -> str:
        """One digest for all the inputs: their roles, graphs, bases, syntax and bytes
        (everything that decides what the triples are)."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(f"{f.role}\0{f.graph}\0{f.base}\0{f.syntax}\0{f.digest}\n".encode())
        return h.hexdigest()

    def locate(self, wanted: set[str]) -> dict[str, list[Location]]:
        """``file:line`` of the descriptions of the *wanted* subjects (IRIs as strings)."""
        files = ((f.path, f.text, f.syntax == "nquads") for f in self.files)
        found = locations.locate(files, wanted)
        for f in self.files:  # a file's own graph (its triples outside any GRAPH block)
            if f.graph in wanted and f.graph not in found:
                found[f.graph] = [Location(f.path, 1)]
        return found


def collect(
    data: Sequence[Path] | None = None,
    ontology: Sequence[Path] | None = None,
    *,
    ill_typed: str = "error",
    limits: Limits = DEFAULT_LIMITS,
    preload: bool = False,
) -> Inputs:
    """Find, read and check the ontology and data files, within *limits*.

    *ontology* defaults to the project's ontology (``[]`` means none); *data* to
    the project's data folder. ``ill_typed="report"`` keeps ill-typed literals
    in ``Inputs.ill_typed`` (validation reports them as results) instead of
    raising LoadError at the first one. *preload*: where files are checked now (no
    checks remembered), load them into an in-memory store meanwhile, on a thread of
    its own (``preload``), given as ``Inputs.preloaded`` once every check passed.
    """
    from .preload import Preloader

    ontology_files = (
        [paths.require(paths.ONTOLOGY, "the project's ontology")]
        if ontology is None
        else [Path(p) for p in ontology]
    )
    wanted = [(p, ONTOLOGY) for p in ontology_files]
    wanted += [(p, DATA) for p in data_files(data)]
    preloader = Preloader() if preload else None
    checked = False
    # each file's digest looked up (a file left alone since it was hashed is not read); the
    # others read and hashed ahead of their checks, on the threads the limits allow (both
    # outside Python's lock: the 25 MB of 100k generated triples in 9 ms instead of 16 ms),
    # when there is enough to read to pay for the threads
    known = {path: recalled(path, limits) for path, _ in wanted}
    unread = sum(_size(path) for path, _ in wanted if known[path] is None)
    threads = limits.usable_threads if unread >= READ_AHEAD_FROM_BYTES else 1
    read = in_order(
        lambda w: known[w[0]] or read_hashed(w[0], limits, recall=False), wanted, threads
    )
    try:
        files = []
        for (path, role), (raw, digest, size) in zip(wanted, read, strict=True):
            f = _checked(path, role, limits, raw, digest, size)
            files.append(f)
            if preloader is not None:
                preloader.offer(f)
                if f.checked_now:
                    preloader.start()
        for f in files:
            refuse_reserved_graphs(f)
        found = [problem for f in files for problem in f.ill_typed]
        if found and ill_typed == "error":
            raise found[0].error()
        checked = True
    finally:
        read.close()  # (a failure: the reads not yet started are not)
        preloaded = preloader.finish(checked) if preloader is not None else None
    return Inputs(files, found, preloaded)


#: The bytes left to read from which they are read on threads ahead of the checks: below,
#: starting the threads took longer than they saved (a cold cq01 on the project's 0.4 MB: 4 ms
#: more, importing the thread pool included).
READ_AHEAD_FROM_BYTES = 4 * 2**20


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # (read_hashed says why, in its turn)


def read_file(path: Path, role: str = DATA, limits: Limits = DEFAULT_LIMITS) -> InputFile:
    """Read and check one file; its syntax comes from its suffix (.ttl, .trig, .nq).

    Checks that passed are remembered under the digest of the bytes, the limits and
    this module's code, so the next command on the same file only reads and hashes it
    (or, for a file of ``RECALL_FROM_BYTES`` or more left alone since, looks its digest up).
    """
    path = Path(path)
    return _checked(path, role, limits, *read_hashed(path, limits))


def _checked(
    path: Path, role: str, limits: Limits, raw: bytes | None, digest: str, size: int
) -> InputFile:
    """``read_file`` given the file's bytes (None: not read), their SHA-256 and size."""
    path = Path(path)
    syntax = syntax_of(path)
    graph = graph_iri(path)
    key = _verdict_key(digest, syntax, graph, path, limits)
    verdict = _read_verdict(key, path, limits)
    checked_now = verdict is None
    if verdict is None:
        if raw is None:
            raw = reread(path, size, digest)
        text = checks.decode(raw, path)
        checks.check_text(text, path, syntax, limits)
        graphs, ill, warnings = _scan(raw, text, syntax, graph, path)
        # in the verdict, so that a file read again is not scanned again (1.2 s at 1M triples)
        bidi = [
            f"{path}:{line}:{column}: an IRI holds the bidirectional control {name}, which "
            "makes it display as another IRI (check it is meant; remove it if not)"
            for line, column, name in checks.bidi_in_iris(raw)
        ]
        verdict = (graphs, ill, [*bidi, *warnings])
        _write_verdict(key, *verdict)
    graphs, ill, warnings = verdict
    for warning in warnings:
        checks.warn(warning)
    return InputFile(
        path=path,
        role=role,
        syntax=syntax,
        graph=graph,
        raw=raw,
        digest=digest,
        size=size,
        graphs=frozenset(graphs),
        ill_typed=tuple(ill),
        warnings=tuple(warnings),
        checked_now=checked_now,
    )


def refuse_reserved_graphs(f: InputFile) -> None:
    """Refuse a graph the file names under the project's graph namespace, or with a blank node.

    The project names its own graphs there: each file's graph, the closure
    (graph/inferred), the class hierarchy (graph/types), what ``push`` writes
    (graph/asserted, graph/pushed). A data graph of that name would be mixed with
    them: answered as an inference, dropped by the reasoner, put twice. A graph named
    by a blank node has no name another graph, a query or a store can use.
    """
    # the file's own graph (its triples outside any GRAPH block) is the one allowed there
    reserved = [name for name in f.graphs if name.startswith(("_:", GRAPH)) and name != f.graph]
    for name in sorted(reserved)[:1]:  # the first, in a stable order
        blank = name.startswith("_:")
        line = _graph_line(f, name)
        if blank:
            raise LoadError(
                "a graph is named by a blank node: it has no name that a query, an export "
                "or a store could use",
                hint="name the graph with an IRI (the source document that states its triples)",
                file=f.path,
                line=line,
            )
        raise LoadError(
            f"the graph <{name}> is in the project's own graph namespace <{GRAPH}>, which "
            "names the graphs zonekg makes (each file's, the closure, the class hierarchy, "
            "what push writes)",
            hint="name the graph with an IRI of your own, such as the source document that "
            "states its triples (a relative graph name resolves against the file's graph IRI: "
            "declare @base)",
            file=f.path,
            line=line,
        )


def _graph_line(f: InputFile, name: str) -> int | None:
    """The line where *name* (a graph IRI, or ``_:label``) is first written as a graph name."""
    from urllib.parse import urljoin

    text = f.text
    if f.syntax == "nquads":
        written = name if name.startswith("_:") else f"<{name}>"
        for number, line in enumerate(text.splitlines(), start=1):
            if line.rstrip().rstrip(".").rstrip().endswith(written):
                return number
        return None
    for token, number in locations.subject_lines(text):
        if token == name or (not token.startswith("_:") and urljoin(f.base, token) == name):
            return number
    if name.startswith("_:"):  # an anonymous graph name: ``[] { ... }``
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(r"\s*(?:GRAPH\s+)?\[\s*\]\s*\{", line, re.IGNORECASE):
                return number
    return None


def base_iri(path: Path) -> str:
    """The base of a file without @base: its graph IRI (``graph_iri``), which names the
    file by its path in the project, or by a digest for a file outside it."""
    return graph_iri(path)


@functools.cache
def _code_digest() -> str:
    h = hashlib.sha256()
    for module in (checks.__file__, __file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


def _verdict_key(digest: str, syntax: str, graph: str, path: Path, limits: Limits) -> str:
    # the path too: the remembered warnings name the file as it was given; the base is
    # base_iri(path), which is the graph IRI (resolving the path again took 0.07 ms a file)
    text = (
        f"{digest}\0{syntax}\0{graph}\0{graph}\0{path}"
        f"\0{limits.max_line}\0{limits.max_depth}\0{ox.__version__}"
    )
    return hashlib.sha256((text + _code_digest()).encode()).hexdigest()


def _verdict_file(key: str) -> Path:
    return paths.cache_folder() / "checked" / f"{key[:40]}.json"


#: The bytes a remembered verdict may take (graph names, ill-typed literals, warnings).
_VERDICT_CAP = 64 * 1024 * 1024


def _read_verdict(key: str, path: Path, limits: Limits):
    """(graphs, ill-typed literals, warnings) remembered for these bytes, or None.

    Used only when the entry matches its manifest and has the shape a verdict has; a
    damaged one is discarded with a warning, and the file is checked again.
    """
    from ..safety import cache
    from ..safety.jsonread import read_json

    where = _verdict_file(key)
    try:
        entry = cache.read(paths.cache_folder(), where, key, _VERDICT_CAP)
        if entry is None:
            return None
        try:
            stored = read_json(entry.data, what=f"the remembered check of {path}", limits=limits)
            graphs = _strings(stored["graphs"])
            warnings = _strings(stored["warnings"])
            ill = [_ill_typed(path, item) for item in stored["ill_typed"]]
        except (ZonekgError, ValueError, KeyError, TypeError) as exc:
            raise cache.Damaged(f"it is not a verdict ({type(exc).__name__})") from None
        if len(graphs) != entry.count:
            raise cache.Damaged(f"it names {len(graphs)} graphs, its manifest {entry.count}")
    except cache.Damaged as damage:
        cache.discard(paths.cache_folder(), where)
        checks.warn(f"the remembered check of {path} ({where}) was not used: {damage}")
        return None
    return set(graphs), ill, warnings


def _strings(value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("not a list of strings")
    return value


def _ill_typed(path: Path, item: dict) -> checks.IllTyped:
    line, column = item["line"], item["column"]
    if not all(n is None or (isinstance(n, int) and n > 0) for n in (line, column)):
        raise TypeError("not a position")
    subject, value = _strings([item["subject"]])[0], _strings([item["value"]])[0]
    return checks.IllTyped(
        path,
        line,
        column,
        ox.BlankNode(subject[2:]) if subject.startswith("_:") else ox.NamedNode(subject),
        ox.NamedNode(item["predicate"]),
        ox.Literal(value, datatype=ox.NamedNode(item["datatype"])),
        value,
    )


def _write_verdict(key: str, graphs: set[str], ill: list, warnings: list[str]) -> None:
    import json

    from ..safety import cache

    stored = {
        "graphs": sorted(graphs),
        "ill_typed": [
            {
                "line": i.line,
                "column": i.column,
                "subject": str(i.subject)
                if isinstance(i.subject, ox.BlankNode)
                else i.subject.value,
                "predicate": i.predicate.value,
                "value": i.literal.value,
                "datatype": i.literal.datatype.value,
            }
            for i in ill
        ],
        "warnings": warnings,
    }
    data = json.dumps(stored).encode("utf-8")
    cache.write(paths.cache_folder(), _verdict_file(key), key, data, len(stored["graphs"]))


def _scan(raw: bytes, text: str, syntax: str, default: str, path: Path):
    """Parse strictly: syntax errors, the graphs used, ill-typed literals, relative IRIs.

    A relative IRI with no @base is resolved against the file's graph IRI (``base_iri``),
    with a warning at the first one: the file says what it means only if it names its base.
    """
    warnings: list[str] = []
    try:
        return (*_scan_with(raw, text, syntax, default, path, None), warnings)
    except LoadError as problem:
        if not problem.message.startswith("relative IRI"):
            raise
        base = base_iri(path)
        warnings.append(
            f"{problem.where()}: {problem.message}: resolved against the file's graph IRI "
            f"<{base}> (declare @base <...> at the top of the file to choose another)"
        )
    return (*_scan_with(raw, text, syntax, default, path, base_iri(path)), warnings)


def _scan_with(raw: bytes, text: str, syntax: str, default: str, path: Path, base):
    graphs: set[str] = set()
    ill: list[checks.IllTyped] = []
    checked = checks.CHECKED_DATATYPES
    well_typed = checks.well_typed
    try:
        for quad in ox.parse(raw, format=_OX_FORMATS[syntax], base_iri=base):
            name = quad.graph_name
            if isinstance(name, ox.DefaultGraph):
                graphs.add(default)
            else:  # a blank node keeps its "_:" (refused by collect), an IRI is its value
                graphs.add(str(name) if isinstance(name, ox.BlankNode) else name.value)
            o = quad.object
            literal = isinstance(o, ox.Literal) and o.datatype.value in checked
            if literal and not well_typed(o.value, o.datatype.value):
                line, column = checks.locate_literal(text, o)
                ill.append(
                    checks.IllTyped(path, line, column, quad.subject, quad.predicate, o, o.value)
                )
    except SyntaxError as exc:
        raise checks.syntax_error(exc, text, path) from None
    return graphs or {default}, ill


def rdflib_graph(path: Path, limits: Limits = DEFAULT_LIMITS):
    """A checked Turtle or TriG file as one rdflib Graph (its graphs merged), with its text."""
    from rdflib import Dataset, Graph

    from ..core.vocab import bind_prefixes

    checked = read_file(path, limits=limits)
    quads = checked.syntax in ("trig", "nquads")
    parsed = Dataset() if quads else Graph()
    parsed.parse(data=checked.text, format=checked.syntax, publicID=checked.base)
    graph = bind_prefixes(Graph())
    if quads:
        for s, p, o, _ in parsed.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        for triple in parsed:
            graph.add(triple)
        for prefix, namespace in parsed.namespaces():
            graph.bind(prefix, namespace, override=False)
    return graph, checked.text


def read_rdf(path: Path, syntax: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Any RDF file's bytes, read within bounds, with the checks that apply to its syntax."""
    path = Path(path)
    raw = read_bounded(path, limits)
    if syntax in ("xml", "rdfxml", "trix"):
        checks.check_rdfxml(raw, path)
    elif syntax != "json-ld":
        checks.check_text(checks.decode(raw, path), path, limits=limits)
    return raw


__all__ = [
    "DATA",
    "ONTOLOGY",
    "InputFile",
    "Inputs",
    "LoadError",
    "base_iri",
    "collect",
    "rdflib_graph",
    "read_file",
    "read_rdf",
]
