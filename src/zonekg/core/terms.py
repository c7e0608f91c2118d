"""RDF terms across the engine boundary: pyoxigraph terms are the common currency,
and the rdflib-based code converts at its edge."""

from __future__ import annotations

import pyoxigraph as ox

from .errors import ZonekgError

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            # A simple literal: rdflib keeps it without a datatype (as its parsers do), and
            # tells "x" and "x"^^xsd:string apart, so giving it one would make a new term.
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if term is None:
        return None
    raise ZonekgError(f"unsupported RDF term {term!r}")


def to_ox(term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if term is None:
        return None
    raise ZonekgError(f"unsupported RDF term {term!r}")


def triple_to_rdflib(triple) -> tuple:
    return (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))


def triple_to_ox(triple) -> ox.Triple:
    s, p, o = triple
    return ox.Triple(to_ox(s), to_ox(p), to_ox(o))
