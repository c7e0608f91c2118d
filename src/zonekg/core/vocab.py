"""The project's namespaces as rdflib objects, for the modules that work with rdflib graphs.

Derived from ``namespaces`` (the one place prefixes are written down); importing
this module imports rdflib, which the query path avoids.
"""

from __future__ import annotations

from rdflib import Namespace

from .namespaces import BASE, GRAPH, ID, KINDS, PREFIXES
from .namespaces import ZK as _ZK
from .namespaces import ZKSH as _ZKSH

ZK = Namespace(_ZK)
ZKSH = Namespace(_ZKSH)
ORG = Namespace(PREFIXES["org"])
SCHEMA = Namespace(PREFIXES["schema"])
GEO = Namespace(PREFIXES["geo"])
QUDT = Namespace(PREFIXES["qudt"])
UNIT = Namespace(PREFIXES["unit"])
OA = Namespace(PREFIXES["oa"])
FOAF = Namespace(PREFIXES["foaf"])
WD = Namespace(PREFIXES["wd"])
DBR = Namespace(PREFIXES["dbr"])
GN = Namespace(PREFIXES["gn"])
ISO639 = Namespace(PREFIXES["iso639"])
GRAPHS = Namespace(GRAPH)
KIND = {kind: Namespace(f"{ID}{kind}/") for kind in KINDS}

__all__ = [
    "BASE",
    "DBR",
    "FOAF",
    "GEO",
    "GN",
    "GRAPHS",
    "ISO639",
    "KIND",
    "OA",
    "ORG",
    "QUDT",
    "SCHEMA",
    "UNIT",
    "WD",
    "ZK",
    "ZKSH",
    "bind_prefixes",
    "merged",
]


def merged(dataset, graphs):
    """The triples of the named *graphs* of an rdflib Dataset as one fresh Graph."""
    from rdflib import Graph, URIRef

    out = bind_prefixes(Graph())
    for iri in graphs:
        for triple in dataset.graph(URIRef(iri)):
            out.add(triple)
    return out


def bind_prefixes(graph):
    """Bind the project's prefixes on an rdflib graph, replacing rdflib's defaults."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
