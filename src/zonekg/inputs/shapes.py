"""A SHACL shapes graph, checked like any input and with its SPARQL screened.

The SPARQL in ``sh:select``/``sh:ask`` (and SHACL-AF's ``sh:construct``) is put
through the one query screen, with the prefixes the shapes declare, and each is
replaced in the graph by its screened, canonical text: every engine then runs
exactly what was screened. The declarations (``sh:declare``: ``sh:prefix``,
``sh:namespace``) are checked to be a prefix name and an absolute IRI, and are never
written into a query as text: the screen writes each name that uses them as the full
IRI, and the links to them (``sh:prefixes``) are taken out of the graph, so that no
engine (pySHACL pastes ``PREFIX p: <namespace>`` in front of the query) adds text.

SHACL-SPARQL (§5.2.1 of the SHACL spec, pre-bound variables) forbids some forms
in these queries, because pre-binding cannot be defined for them: MINUS, VALUES,
SERVICE, a nested SELECT that does not project ``$this`` (and ``$value`` where it
is pre-bound), and ``AS`` assigning a pre-bound variable. A shapes graph with one
is ill-formed: it is refused here (exit 2), whichever engine would run it.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..core import paths
from ..core.errors import LoadError, QueryError
from ..core.namespaces import SH, curie
from ..core.settings import DEFAULT_LIMITS, Limits
from ..safety.screen import check_prefixes, screen
from . import read_file

SPARQL_KEYS = ("select", "ask", "construct", "update")


@dataclass
class Shapes:
    """A checked shapes graph: as pyoxigraph terms (``triples``), what the fast engine
    compiles, and as rdflib reads it (``graph``, made when first asked for: what pySHACL
    validates with and a Turtle report copies from; importing rdflib and parsing with it
    took 0.35 s of a validation); blank nodes keep their labels in both."""

    triples: list[ox.Triple]
    path: Path
    digest: str

    @functools.cached_property
    def graph(self):
        """The shapes as an rdflib Graph, literals as written."""
        from rdflib import Graph

        from ..core.terms import triple_to_rdflib
        from ..core.vocab import bind_prefixes

        graph = bind_prefixes(Graph())
        with literals_as_written():
            for triple in self.triples:
                graph.add(triple_to_rdflib(triple))
        return graph

    @functools.cached_property
    def _parents(self) -> dict:
        """Each property shape or SPARQL constraint, and the shape that has it."""
        has = {SH + "property", SH + "sparql"}
        found: dict = {}
        for t in self.triples:
            if t.predicate.value in has:
                found.setdefault(t.object, t.subject)
        return found

    def node_shape(self, shape: ox.NamedNode | ox.BlankNode) -> ox.NamedNode | ox.BlankNode:
        """The node shape that the shape *shape* (a property shape, a SPARQL constraint)
        belongs to, or *shape* itself."""
        return _owner(shape, self._parents.get)


def load_shapes(file: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> Shapes:
    path = Path(file) if file else paths.require(paths.SHAPES, "the project's SHACL shapes")
    checked = read_file(path, role="shapes", limits=limits)
    fresh: dict = {}

    def own(term):
        # pyoxigraph keeps a document's labels (_:b0), and a report names the shapes' blank
        # nodes beside the data's: each blank node of the shapes is made one of their own
        if not isinstance(term, ox.BlankNode):
            return term
        if term not in fresh:
            fresh[term] = ox.BlankNode()
        return fresh[term]

    try:
        triples = list(
            dict.fromkeys(
                ox.Triple(own(q.subject), q.predicate, own(q.object)) for q in checked.parse()
            )
        )
    except (SyntaxError, ValueError) as exc:  # as the engines' loads say it
        raise LoadError(f"cannot load: {exc}", hint="check the file", file=path) from None
    declared = declared_prefixes(triples, path)
    kept = []
    for triple in triples:
        key = triple.predicate.value[len(SH) :] if triple.predicate.value.startswith(SH) else ""
        if key == "prefixes":
            continue  # used up: the text needs none
        if key in SPARQL_KEYS:
            # No FROM at all: a SPARQL constraint runs over the data graph it is given.
            screened = screen(
                triple.object.value,
                f"{path} ({curie(SH + key)})",
                allowed_graph=lambda _iri: False,
                prefixes=declared,
                limits=limits,
            )
            refuse_forbidden(screened.text, key, path, triple.subject)
            triple = ox.Triple(triple.subject, triple.predicate, ox.Literal(screened.text))
        kept.append(triple)
    return Shapes(list(dict.fromkeys(kept)), path, checked.digest)


@contextlib.contextmanager
def literals_as_written():
    """rdflib keeps each literal as written ("1"^^xsd:boolean is not turned into "true"):
    SHACL compares terms, and pySHACL's own file loader reads them so too."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


_PRE_BOUND = {"this", "shapesGraph", "currentShape"}


def refuse_forbidden(text: str, key: str, path: Path, node) -> None:
    """Refuse the SPARQL forms SHACL-SPARQL forbids (*text*: screened, one token a line)."""
    tokens = [t for t in text.split("\n") if t]
    upper = [t.upper() for t in tokens]
    pre_bound = _PRE_BOUND | ({"value"} if key == "ask" else set())

    def refuse(what: str) -> None:
        raise LoadError(
            f"the SPARQL of {_name(node)} ({curie(SH + key)}) uses {what}, which SHACL-SPARQL "
            "forbids (its pre-bound variables would be undefined)",
            hint="rewrite the query without it (SHACL 1.0, section 5.2.1)",
            file=path,
        )

    for word in ("MINUS", "VALUES", "SERVICE"):
        if word in upper:
            refuse(word)
    selects = [i for i, t in enumerate(upper) if t == "SELECT"]
    for start in selects[1 if key == "select" else 0 :]:
        projected = []
        for t in tokens[start + 1 :]:
            if t.upper() in ("WHERE", "{", "FROM"):
                break
            projected.append(t)
        names = {t.lstrip("?$") for t in projected if t[:1] in "?$"}
        if "*" in projected or not ({"this"} | ({"value"} & pre_bound)) <= names:
            refuse("a nested SELECT that does not project the pre-bound variables")
    for i, t in enumerate(upper[:-1]):
        if t == "AS" and tokens[i + 1][:1] in "?$" and tokens[i + 1][1:] in pre_bound:
            refuse(f"AS {tokens[i + 1]} (assigning a pre-bound variable)")
    if _union_branch_filters_unbound_this(tokens, upper):
        raise LoadError(
            f"the SPARQL of {_name(node)} ({curie(SH + key)}) has a UNION branch that uses "
            "$this only in an expression (FILTER, BIND): pySHACL, which runs such queries, "
            "then reports every focus node, against SHACL's pre-binding, so the shapes are "
            "refused rather than answered wrong",
            hint="bind $this by a triple pattern in that branch, or move the FILTER to the "
            "top-level group of the WHERE clause",
            file=path,
        )


def _union_branch_filters_unbound_this(tokens: list[str], upper: list[str]) -> bool:
    """Whether a UNION branch mentions ``$this`` only inside parentheses (an expression),
    with no triple pattern of the branch using it (*tokens*: the screened query, one
    token each)."""
    if "UNION" not in upper:
        return False
    partner: dict[int, int] = {}
    stack: list[int] = []
    depth = [0] * len(tokens)  # parenthesis depth of each token
    level = 0
    for i, t in enumerate(tokens):
        level += t.endswith("(")  # the screen writes a call with its parenthesis: FILTER(
        depth[i] = level
        level -= t == ")"
        if t == "{":
            stack.append(i)
        elif t == "}" and stack:
            partner[i] = stack.pop()
            partner[partner[i]] = i
    for i, t in enumerate(upper):
        if t != "UNION":
            continue
        for start, end in ((partner.get(i - 1), i - 1), (i + 1, partner.get(i + 1))):
            if start is None or end is None or start > end:
                continue
            uses = [j for j in range(start, end) if tokens[j] in ("$this", "?this")]
            if uses and all(depth[j] > 0 for j in uses):
                return True
    return False


def _name(node) -> str:
    return curie(node.value) if isinstance(node, ox.NamedNode) else "a blank node"


def declared_prefixes(triples: list[ox.Triple], path: Path) -> dict[str, str]:
    """Every ``sh:prefix``/``sh:namespace`` pair declared in the shapes graph, each checked
    (one prefix name, one absolute IRI; a prefix declared twice means one namespace)."""
    prefix_key, namespace_key = SH + "prefix", SH + "namespace"
    values: dict = {}  # declaration: (its sh:prefix values, its sh:namespace values)
    for t in triples:
        if t.predicate.value in (prefix_key, namespace_key):
            pair = values.setdefault(t.subject, ([], []))
            pair[t.predicate.value == namespace_key].append(t.object)
    found: dict[str, str] = {}
    for declaration, (prefixes, namespaces) in values.items():
        if not prefixes:
            continue  # not a declaration (sh:namespace alone says nothing)
        where = (
            f"the prefix declaration {_name(declaration)}"
            if isinstance(declaration, ox.NamedNode)
            else "a prefix declaration (sh:declare)"
        )
        if len(prefixes) != 1 or len(namespaces) != 1:
            raise LoadError(
                f"{where} has {len(prefixes)} sh:prefix and {len(namespaces)} sh:namespace "
                "values, not one of each",
                hint="give each sh:declare node exactly one sh:prefix and one sh:namespace",
                file=path,
            )
        prefix, namespace = prefixes[0], namespaces[0]
        if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
            raise LoadError(
                f"{where} gives its sh:prefix or sh:namespace as a resource, not a literal",
                hint='write them as literals: sh:prefix "ex" ; sh:namespace "http://..."'
                "^^xsd:anyURI",
                file=path,
            )
        name, iri = prefix.value, namespace.value
        try:
            check_prefixes({name: iri}, str(path))
        except QueryError as exc:
            raise LoadError(f"{where}: {exc.message}", hint=exc.hint, file=path) from None
        if found.get(name, iri) != iri:
            raise LoadError(
                f"the prefix {name}: is declared for two namespaces: <{found[name]}> and <{iri}>",
                hint="declare each prefix once (its SPARQL would read differently by engine)",
                file=path,
            )
        found[name] = iri
    return found


def owning_node_shape(shapes, shape):
    """The node shape a property shape or SPARQL constraint belongs to (blank or named), in
    the rdflib graph *shapes*."""
    from rdflib import URIRef

    has = (URIRef(SH + "property"), URIRef(SH + "sparql"))

    def parent(node):
        return next((s for key in has for s in shapes.subjects(key, node)), None)

    return _owner(shape, parent)


def _owner(shape, parent):
    """*shape*'s node shape: up the links ``parent`` gives, to a shape that has none."""
    seen = set()
    while shape not in seen:
        seen.add(shape)
        up = parent(shape)
        if up is None:
            break
        shape = up
    return shape
