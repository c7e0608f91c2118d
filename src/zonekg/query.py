"""Step 4: competency questions and ad-hoc SPARQL over the graph.

A competency question is ``queries/cqNN-slug.rq`` with a header of ``# Key: value``
comment lines (Question, Inference, Source) and an ``.expected.csv`` beside it.
Queries run against the union of the ontology, the data and, when asked for,
the inferred triples. A query is parsed before it runs: syntax errors are
reported with their position, and SERVICE clauses, updates (LOAD included) and
FROM/FROM NAMED outside this project's graphs are refused, so that no query
reaches the network or a file, or changes the graph.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import CompValue
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.query import Result

from . import paths
from .errors import QueryError
from .load import KnowledgeGraph
from .namespaces import GRAPH, PREFIXES, curie

FORMATS = ("table", "csv", "tsv", "json", "xml")
_HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")
_NAME = re.compile(r"^cq\d\d(-[a-z0-9-]+)?$")


@dataclass(frozen=True)
class CompetencyQuestion:
    name: str
    path: Path
    question: str
    inference: str
    source: str

    @property
    def number(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".expected.csv")

    @property
    def needs_reasoning(self) -> bool:
        return self.inference == "owlrl"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_question(path: Path) -> CompetencyQuestion:
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), match.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    return CompetencyQuestion(
        name=path.stem,
        path=path,
        question=header.get("question", ""),
        inference=header.get("inference", "none").split()[0].lower(),
        source=header.get("source", ""),
    )


def questions(folder: Path | None = None) -> list[CompetencyQuestion]:
    folder = Path(folder or paths.QUERIES)
    return [read_question(p) for p in sorted(folder.glob("cq[0-9][0-9]*.rq"))]


def find_question(name: str, folder: Path | None = None) -> CompetencyQuestion:
    """A question by number (``cq03``, ``3``), full name, or path to an .rq file."""
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return read_question(path)
    if path.suffix == ".rq":
        raise QueryError("no such query file", hint="check the path", file=path)
    known = questions(folder)
    key = name.lower()
    if key.isdigit():
        key = f"cq{int(key):02d}"
    for question in known:
        if key in (question.name, question.number):
            return question
    names = ", ".join(q.name for q in known)
    raise QueryError(
        f"unknown query {name!r}",
        hint=f"use one of: {names} (or a path to an .rq file, or --text)",
    )


def parse(text: str, source: str = "query"):
    """Parse SPARQL text, refusing updates and SERVICE; raise QueryError with the position."""
    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        if _is_update(text):
            raise QueryError(
                "updates are not allowed: the graph is read-only",
                hint="use a SELECT, ASK, CONSTRUCT or DESCRIBE query",
                file=Path(source),
            ) from None
        raise QueryError(
            f"SPARQL syntax error: {exc.msg}",
            hint=f"fix the query near {exc.line.strip()!r}",
            file=Path(source),
            line=exc.lineno,
            column=exc.col,
        ) from None
    except Exception as exc:  # rdflib reports unknown prefixes and the like this way
        prefix = re.match(r"Unknown namespace prefix : (\S*)", str(exc))
        if prefix:
            index = text.find(f"{prefix.group(1)}:")
            raise QueryError(
                f"unknown prefix {prefix.group(1)}:",
                hint="declare it with PREFIX, or use one of the project's prefixes",
                file=Path(source),
                line=text.count("\n", 0, index) + 1 if index >= 0 else None,
                column=index - text.rfind("\n", 0, index) if index >= 0 else None,
            ) from None
        raise QueryError(
            f"cannot prepare query: {exc}",
            hint="check prefixes and syntax",
            file=Path(source),
        ) from None
    if _contains_service(prepared.algebra):
        raise QueryError(
            "SERVICE is not allowed: queries never reach other endpoints",
            hint="remove the SERVICE clause",
            file=Path(source),
        )
    for clause in prepared.algebra.get("datasetClause") or []:
        iri = clause["default"] if "default" in clause else clause["named"]
        if not str(iri).startswith(str(GRAPH)):
            raise QueryError(
                f"FROM <{iri}> is not allowed: that graph is not in this dataset "
                "(graphs are never fetched from elsewhere)",
                hint=f"remove the FROM clause, or name one of our graphs (<{GRAPH}...>)",
                file=Path(source),
            )
    return prepared


def screen_shapes(shapes: Graph, source: str = "shapes") -> None:
    """Screen the SPARQL inside SHACL shapes (sh:select, sh:ask, ...) as parse() screens queries."""
    prologue = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for d in set(shapes.subjects(SH.prefix, None))
        if shapes.value(d, SH.namespace) is not None
    )
    for key in (SH.select, SH.ask, SH.construct, SH.update):
        for text in shapes.objects(None, key):
            # $PATH is filled in by pySHACL for constraint components; any IRI parses the same
            body = str(text).replace("$PATH", "<urn:zonekg:path>")
            parse(prologue + body, f"{source} ({curie(str(key))})")


def graph_for_query(kg: KnowledgeGraph, reasoned: bool = False) -> Graph:
    """Ontology + data, plus the inferred triples when *reasoned*."""
    graph = kg.asserted()
    if reasoned:
        from .reason import reason  # only when asked for: a plain query needs no reasoner

        for triple in reason(kg):
            graph.add(triple)
    return graph


def run(graph: Graph, text: str, source: str = "query") -> Result:
    """Run SPARQL *text* over *graph* (see graph_for_query)."""
    return graph.query(parse(text, source))


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def result_rows(result: Result) -> list[dict[str, str]]:
    """Rows as the SPARQL CSV format writes them: IRIs in full, literals as lexical form."""
    rows = list(csv.DictReader(io.StringIO(result.serialize(format="csv").decode("utf-8"))))
    return rows


def expected_rows(question: CompetencyQuestion) -> list[dict[str, str]]:
    with question.expected_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def render(result: Result, fmt: str) -> str:
    """Serialise a SELECT/ASK result in one of FORMATS (table is handled by the CLI)."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    if fmt == "csv":
        return result.serialize(format="csv").decode("utf-8")
    if fmt == "tsv":
        return tsv(result.vars, (dict(zip(result.vars, row, strict=True)) for row in result))
    if fmt == "json":
        return json.dumps(json.loads(result.serialize(format="json")), indent=2) + "\n"
    if fmt == "xml":
        return result.serialize(format="xml").decode("utf-8")
    raise QueryError(f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")


def tsv(variables, rows) -> str:
    """SPARQL 1.1 TSV results (rdflib parses this format but cannot write it): RDF terms
    in Turtle syntax, with tabs and line breaks inside literals escaped."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row.get(var)) for var in variables))
    return "\n".join(lines) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if not isinstance(term, Literal):
        return f"<{term}>"
    text = '"' + str(term).translate(_ESCAPES) + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype:
        return f"{text}^^<{term.datatype}>"
    return text


def table_cells(result: Result) -> tuple[list[str], list[list[str]]]:
    """Column names and readable cells (CURIEs for IRIs) for a table on a terminal."""
    if result.type == "ASK":
        return ["ask"], [[str(bool(result.askAnswer)).lower()]]
    columns = [str(v) for v in result.vars]
    rows = [[_cell(row[v]) for v in result.vars] for row in result]
    return columns, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return curie(str(value))
    if isinstance(value, BNode):
        return f"_:{value}"
    if isinstance(value, Literal):
        return str(value)
    return str(value)


def _contains_service(node) -> bool:
    return any(part.name == "ServiceGraphPattern" for part in _walk(node))


def _walk(node) -> Iterable[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)
