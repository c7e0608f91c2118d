"""The reference engine: rdflib for loading and SPARQL, pySHACL for SHACL, owlrl for OWL-RL.

Slow, but the definition of right that the tests hold the fast engine to.
The query it runs is the screened text, with its FROM clauses taken out: the
dataset is always the one the pipeline gives, so rdflib never loads a graph.
rdflib runs some queries that are not SPARQL 1.1 (a variable outside GROUP BY, a
BIND to a bound variable) and gives answers no other store would, so each query
is parsed first by pyoxigraph's parser, which follows the grammar, and refused
with its position if it is not SPARQL 1.1.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ...core.errors import LoadError, QueryError, Setting
from ...core.namespaces import INFERRED_GRAPH, PREFIXES, TYPES_GRAPH
from ...core.results import ASK, SELECT, QueryResult, ValidationReport
from ...core.terms import to_ox, to_rdflib, triple_to_ox
from ...inputs import Inputs
from ...inputs.shapes import Shapes
from ...safety.screen import ScreenedQuery
from ..base import Engine, Loaded, Progress, SchemaCloser, no_progress

if logging.getLogger("rdflib").level == logging.NOTSET:
    # rdflib logs a traceback for what the input checks already report (ill-typed
    # literals); an application that set rdflib's level itself (the command line's debug
    # option) keeps it
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)

_QUERY_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


class ReferenceLoaded(Loaded):
    def __init__(self, inputs: Inputs, dataset) -> None:
        super().__init__(inputs)
        self.dataset = dataset
        self._views: dict = {}

    def graph(self, iri: str):
        from rdflib import URIRef

        return self.dataset.graph(URIRef(iri))

    def merged(self, graphs: Iterable[str]):
        """The triples of *graphs* as one rdflib Graph (a fresh copy)."""
        from ...core.vocab import merged

        return merged(self.dataset, graphs)

    def view(self, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]):
        """A Dataset whose default graph holds *default_graphs* and which names *named_graphs*."""
        key = (default_graphs, named_graphs)
        if key not in self._views:
            from rdflib import Dataset, URIRef

            view = Dataset()
            for iri in default_graphs:
                for triple in self.graph(iri):
                    view.default_graph.add(triple)
            for iri in named_graphs:
                target = view.graph(URIRef(iri))
                for triple in self.graph(iri):
                    target.add(triple)
            self._views[key] = view
        return self._views[key]


class ReferenceEngine(Engine):
    name = "reference"
    validator = "pySHACL"
    reasoner = "owlrl"

    def load(
        self,
        inputs: Inputs,
        *,
        store: Path | None = None,
        progress: Progress = no_progress,
        reopen: bool | str = True,
    ) -> ReferenceLoaded:
        from rdflib import Dataset

        from ...core.vocab import bind_prefixes
        from ...inputs.shapes import literals_as_written

        dataset = bind_prefixes(Dataset())
        with literals_as_written():
            self._parse(inputs, dataset, progress)
        return ReferenceLoaded(inputs, dataset)

    def _parse(self, inputs: Inputs, dataset, progress: Progress) -> None:
        from rdflib import Dataset, Graph, URIRef

        for f in inputs.files:
            quads = f.syntax in ("trig", "nquads")
            parsed = Dataset() if quads else Graph()
            try:
                parsed.parse(data=f.text, format=f.syntax, publicID=f.base)
            except Exception as exc:  # the checks passed: rdflib disagrees with the standard
                raise LoadError(
                    f"rdflib cannot read this file: {exc}",
                    hint="use the default engine (the file passed the syntax checks)",
                    file=f.path,
                ) from None
            if quads:
                for s, p, o, g in parsed.quads((None, None, None, None)):
                    name = g.identifier if hasattr(g, "identifier") else g
                    default = name is None or str(name).startswith("urn:x-rdflib:")
                    dataset.graph(URIRef(f.graph) if default else name).add((s, p, o))
            else:
                target = dataset.graph(URIRef(f.graph))
                for triple in parsed:
                    target.add(triple)
            progress("load", f.size)

    def validate(
        self,
        loaded: ReferenceLoaded,
        shapes: Shapes,
        *,
        inference: str = "none",
        extra: Iterable[ox.Triple] = (),
        cap: int | None = None,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
        threads: int = 1,
    ) -> ValidationReport:
        from .shacl import validate

        # pySHACL infers itself (owlrl), with no cap, on one thread: *cap*, *close_schema*
        # and *threads* are not used
        data = loaded.merged(loaded.data_graphs)
        data_triples = len(data)
        for triple in extra:
            data.add(tuple(to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object)))
        ontology = loaded.merged(loaded.ontology_graphs)
        report = validate(data, ontology, shapes.graph, inference)
        report.shapes = shapes
        report.data_triples = data_triples
        return report

    def reason(
        self,
        loaded: ReferenceLoaded,
        *,
        cap: int,
        close_schema: SchemaCloser | None = None,
        progress: Progress = no_progress,
    ) -> int:
        from .owlrl import closure

        loaded.reasoner_errors = []
        inferred = closure(loaded.merged(loaded.asserted_graphs), cap, loaded.reasoner_errors)
        target = loaded.graph(INFERRED_GRAPH)
        target.remove((None, None, None))
        for triple in inferred:
            target.add(triple)
        loaded._views.clear()
        return loaded.made(INFERRED_GRAPH, len(target))

    def close_schema(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        from .owlrl import close_schema

        return close_schema(triples)

    def add_graph(self, loaded: ReferenceLoaded, graph: str, triples: Iterable[ox.Triple]) -> int:
        target = loaded.graph(graph)
        target.remove((None, None, None))
        for triple in triples:
            target.add(
                tuple(to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object))
            )
        loaded._views.clear()
        return loaded.made(graph, len(target))

    def add_types(self, loaded: ReferenceLoaded, pairs: list[tuple[str, str]]) -> int:
        from rdflib import Literal, URIRef
        from rdflib.namespace import RDF

        asserted = loaded.merged(loaded.asserted_graphs)
        target = loaded.graph(TYPES_GRAPH)
        target.remove((None, None, None))
        for c, d in pairs:
            for x in asserted.subjects(RDF.type, URIRef(c)):
                if not isinstance(x, Literal) and (x, RDF.type, URIRef(d)) not in asserted:
                    target.add((x, RDF.type, URIRef(d)))
        loaded._views.clear()
        return loaded.made(TYPES_GRAPH, len(target))

    def query(
        self,
        loaded: ReferenceLoaded,
        query: ScreenedQuery,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        check_syntax(query)
        default = tuple(default_graphs if default_graphs is not None else loaded.asserted_graphs)
        named = tuple(named_graphs if named_graphs is not None else loaded.all_graphs())
        view = loaded.view(default, named)
        try:
            from rdflib.plugins.sparql import prepareQuery

            prepared = prepareQuery(query.text, initNs=PREFIXES)
            # The dataset is the one given: a FROM in the query never overrides it (the
            # pipeline passes the query's FROM here itself when nothing else was asked).
            prepared.algebra["datasetClause"] = None
            result = view.query(prepared)
            return _result(result)
        except Exception as exc:
            raise _query_error(exc, query) from None

    def quads(
        self, loaded: ReferenceLoaded, graphs: list[str], once: bool = True
    ) -> Iterator[ox.Quad]:
        for iri in graphs:
            name = ox.NamedNode(iri)
            for s, p, o in loaded.graph(iri):
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)

    def count(self, loaded: ReferenceLoaded, graphs: list[str]) -> int:
        return sum(len(loaded.graph(iri)) for iri in graphs)


def check_syntax(screened: ScreenedQuery) -> None:
    """Refuse what is not SPARQL 1.1 with its position (a QueryError: exit 2), by
    pyoxigraph's parser: the query is parsed on an empty store and never run there."""
    try:
        ox.Store().query(screened.text, prefixes=PREFIXES)
    except SyntaxError as exc:
        found = _QUERY_ERROR.search(str(exc))
        if found:
            raise screened.syntax_error(found.group(3), int(found.group(1))) from None
        raise screened.syntax_error(str(exc), None) from None


def _result(result) -> QueryResult:
    if result.type == ASK:
        return QueryResult(ASK, boolean=bool(result.askAnswer))
    if result.type == SELECT:
        variables = [str(v) for v in result.vars]
        rows = [tuple(to_ox(term) for term in row) for row in result]
        return QueryResult(SELECT, variables, rows)
    return QueryResult(result.type, triples=[triple_to_ox(t) for t in result.graph])


def _query_error(exc: Exception, query: ScreenedQuery):
    from pyparsing import ParseException

    if isinstance(exc, ParseException):
        return query.syntax_error(exc.msg, exc.lineno)
    if isinstance(exc, RecursionError):  # rdflib recurses per level, per UNION, per triple
        fast = Setting("engine", "oxigraph")  # and per step a path takes through the data
        return QueryError(
            "the query is nested or chained too deeply for the reference engine (rdflib "
            "gives up at a few dozen brackets, a few hundred triple patterns or UNIONs, or "
            "a property path of some hundreds of steps through the data)",
            hint=f"use the fast engine ({fast}), or split the query",
            file=Path(query.source),
            settings=(fast,),
        )
    return query.syntax_error(f"the query cannot be evaluated: {exc}", None, hint="check the query")
