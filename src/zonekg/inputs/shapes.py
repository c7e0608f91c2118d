"""A SHACL shapes graph, checked like any input and with its SPARQL screened.

The SPARQL in ``sh:select``/``sh:ask`` (and SHACL-AF's ``sh:construct``) is put
through the one query screen, with the prefixes the shapes declare, and each is
replaced in the graph by its screened, canonical text: every engine then runs
exactly what was screened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core import paths
from ..core.namespaces import SH, curie
from ..safety.screen import screen
from . import read_file

SPARQL_KEYS = ("select", "ask", "construct", "update")


@dataclass
class Shapes:
    graph: object  # an rdflib Graph
    path: Path
    digest: str


def load_shapes(file: Path | None = None) -> Shapes:
    from rdflib import Graph, Literal, URIRef

    from ..core.vocab import bind_prefixes

    path = Path(file or paths.SHAPES)
    checked = read_file(path, role="shapes")
    graph = bind_prefixes(Graph())
    graph.parse(data=checked.text, format=checked.syntax, publicID=path.resolve().as_uri())
    declared = declared_prefixes(graph)
    for key in SPARQL_KEYS:
        predicate = URIRef(SH + key)
        for subject, text in list(graph.subject_objects(predicate)):
            # No FROM at all: a SPARQL constraint runs over the data graph it is given.
            screened = screen(
                str(text),
                f"{path} ({curie(SH + key)})",
                allowed_graph=lambda _iri: False,
                prefixes=declared,
            )
            graph.remove((subject, predicate, text))
            graph.add((subject, predicate, Literal(screened.text)))
    return Shapes(graph, path, checked.digest)


def declared_prefixes(graph) -> dict[str, str]:
    """Every ``sh:prefix``/``sh:namespace`` pair declared in the shapes graph."""
    from rdflib import URIRef

    found = {}
    for declaration in graph.subjects(URIRef(SH + "prefix"), None):
        prefix = graph.value(declaration, URIRef(SH + "prefix"))
        namespace = graph.value(declaration, URIRef(SH + "namespace"))
        if prefix is not None and namespace is not None:
            found[str(prefix)] = str(namespace)
    return found


def owning_node_shape(shapes, shape):
    """The node shape a property shape or SPARQL constraint belongs to (blank or named)."""
    from rdflib import URIRef

    seen = set()
    while shape not in seen:
        seen.add(shape)
        parent = next(shapes.subjects(URIRef(SH + "property"), shape), None)
        if parent is None:
            parent = next(shapes.subjects(URIRef(SH + "sparql"), shape), None)
        if parent is None:
            break
        shape = parent
    return shape
