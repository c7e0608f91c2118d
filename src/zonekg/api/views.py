"""Views: the loaded graphs as rdflib graphs (``RdfView``), for the modules that publish
with rdflib, and the vocabulary as the ontology pages show it (``vocabulary``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.namespaces import INFERRED_GRAPH, ZK, curie


@dataclass
class Term:
    """A class or property as the ontology pages show it: what the ontology says of it and
    how the data uses it (``usage``: instances of a class, triples with a property;
    ``example``: one such triple of the data, in Turtle with the project's prefixes)."""

    iri: str
    curie: str
    anchor: str
    kind: str
    ours: bool
    label: str
    definition: str
    defined_by: str
    usage: int
    example: str
    alignment: list[tuple[str, str]] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)


#: How long a literal of an example may be before it is cut (a document's full text is long).
EXAMPLE_LITERAL = 80


def vocabulary(view: RdfView) -> tuple[list[Term], list[Term]]:
    """(classes, properties): every term the ontology declares in its own namespace, every
    term the data uses as a class or a property (borrowed ones too) and every term the
    ontology documents (``rdfs:isDefinedBy``), each with its documentation, its usage in the
    data and an example from it; sorted, the project's own first."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL as _OWL
    from rdflib.namespace import RDF as _RDF
    from rdflib.namespace import RDFS as _RDFS

    onto, data = view.ontology, view.data
    declared = {
        kind: {t for t in onto.subjects(_RDF.type, cls) if str(t).startswith(ZK)}
        for kind, cls in (
            ("class", _OWL.Class),
            ("object property", _OWL.ObjectProperty),
            ("datatype property", _OWL.DatatypeProperty),
        )
    }
    instances: dict = {}
    for s, cls in data.subject_objects(_RDF.type):
        if isinstance(cls, URIRef):
            instances.setdefault(cls, set()).add(s)
    triples: dict = {}
    for triple in data:
        triples.setdefault(triple[1], []).append(triple)
    documented = {t for t in onto.subjects(_RDFS.isDefinedBy, None) if isinstance(t, URIRef)}
    class_terms = declared["class"] | set(instances)
    property_terms = declared["object property"] | declared["datatype property"] | set(triples)
    for term in documented - class_terms - property_terms:
        is_class = (term, _RDF.type, _OWL.Class) in onto or (term, _RDF.type, _RDFS.Class) in onto
        (class_terms if is_class else property_terms).add(term)
    class_terms -= property_terms  # a term used both ways is listed as a property

    def example(found: list) -> str:
        if not found:
            return ""
        s, p, o = min(found, key=lambda t: (t[0].n3(), t[2].n3()))
        if isinstance(o, Literal):
            text = o.n3(data.namespace_manager)
            if len(str(o)) > EXAMPLE_LITERAL:
                short = Literal(
                    str(o)[:EXAMPLE_LITERAL] + "…", lang=o.language, datatype=o.datatype
                )
                text = short.n3(data.namespace_manager)
            value = text
        else:
            value = curie(str(o))
        return f"{curie(str(s))} {curie(str(p))} {value} ."

    classes = [
        _term(
            onto,
            c,
            "class",
            len(instances.get(c, ())),
            example([(s, _RDF.type, c) for s in instances.get(c, ())]),
        )
        for c in class_terms
    ]
    props = []
    for p in property_terms:
        if p in declared["object property"]:
            kind = "object property"
        elif p in declared["datatype property"]:
            kind = "datatype property"
        else:
            kind = "property"
        term = _term(onto, p, kind, len(triples.get(p, ())), example(triples.get(p, [])))
        term.domain = sorted(curie(str(d)) for d in onto.objects(p, _RDFS.domain))
        term.range = sorted(curie(str(r)) for r in onto.objects(p, _RDFS.range))
        term.characteristics = sorted(
            str(t)[len(str(_OWL)) :]
            for t in onto.objects(p, _RDF.type)
            if str(t).startswith(str(_OWL))
            and t not in (_OWL.ObjectProperty, _OWL.DatatypeProperty)
        )
        props.append(term)

    def order(term: Term):
        return (not term.ours, term.anchor.lower() if term.ours else term.curie)

    return sorted(classes, key=order), sorted(props, key=order)


def _term(onto, iri, kind: str, usage: int, example: str) -> Term:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL as _OWL
    from rdflib.namespace import RDFS as _RDFS
    from rdflib.namespace import SKOS as _SKOS

    def english(prop) -> str:
        values = sorted(onto.objects(iri, prop))
        for value in values:
            if isinstance(value, Literal) and value.language == "en":
                return str(value)
        return str(values[0]) if values else ""

    alignment = []
    for prop, name in (
        (_RDFS.subClassOf, "subclass of"),
        (_OWL.equivalentClass, "equivalent to"),
        (_RDFS.subPropertyOf, "subproperty of"),
        (_OWL.equivalentProperty, "equivalent to"),
        (_OWL.inverseOf, "inverse of"),
    ):
        alignment += [
            (name, curie(str(o))) for o in sorted(onto.objects(iri, prop)) if isinstance(o, URIRef)
        ]
    ours = str(iri).startswith(ZK)
    defined_by = onto.value(iri, _RDFS.isDefinedBy)
    return Term(
        iri=str(iri),
        curie=curie(str(iri)),
        anchor=str(iri)[len(ZK) :] if ours else curie(str(iri)),
        kind=kind,
        ours=ours,
        label=english(_RDFS.label),
        definition=english(_SKOS.definition),
        defined_by="" if defined_by is None else str(defined_by),
        usage=usage,
        example=example,
        alignment=alignment,
    )


# --- the graphs as rdflib graphs -----------------------------------------------------------


@dataclass
class RdfView:
    """The loaded graphs as an rdflib Dataset, for the modules that publish with rdflib."""

    dataset: Any
    ontology_graphs: list[str]
    data_graphs: list[str]
    ontology_files: list[Path]
    data_files: list[Path]

    @classmethod
    def of(cls, kg: Any) -> RdfView:  # a loading.KnowledgeGraph (views is below loading)
        from rdflib import Dataset, URIRef

        from ..core.terms import to_rdflib
        from ..core.vocab import bind_prefixes

        dataset = bind_prefixes(Dataset())
        graphs = list(kg.asserted_graphs) + ([INFERRED_GRAPH] if kg.reasoned else [])
        for q in kg.quads(graphs):
            dataset.graph(URIRef(q.graph_name.value)).add(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            )
        return cls(
            dataset,
            list(kg.loaded.ontology_graphs),
            list(kg.loaded.data_graphs),
            kg.ontology_files,
            kg.data_files,
        )

    def graph(self, iri: str):
        from rdflib import URIRef

        return self.dataset.graph(URIRef(iri))

    def merged(self, graphs: Sequence[str]):
        from ..core.vocab import merged

        return merged(self.dataset, graphs)

    @cached_property
    def ontology(self):
        return self.merged(self.ontology_graphs)

    @cached_property
    def data(self):
        return self.merged(self.data_graphs)

    def asserted(self):
        """Ontology and data together, as one (fresh) graph."""
        return self.merged([*self.ontology_graphs, *self.data_graphs])
