"""HTML reference pages for the ontology, made with a jinja2 template.

Every class and property of ours gets its label, definition, alignment to
standard vocabularies (subclass, subproperty, equivalence, inverse), domain and
range, and how often the data uses it (instances of a class, triples with a
property). pyLODE was not used: it cannot show usage in the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, select_autoescape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ..api import RdfView as KnowledgeGraph
from ..core.namespaces import curie
from ..core.vocab import ZK
from ..safety.atomic import write_atomic

ONTOLOGY_IRI = URIRef(str(ZK).rstrip("#"))


@dataclass
class Term:
    iri: str
    curie: str
    local: str
    kind: str
    label: str
    definition: str
    usage: int
    alignment: list[tuple[str, str]] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)


def terms(kg: KnowledgeGraph) -> tuple[list[Term], list[Term]]:
    """(classes, properties) of the zk: namespace, sorted by name, with usage in the data."""
    onto, data = kg.ontology, kg.data
    classes = [
        _term(onto, c, "class", _instances(data, c))
        for c in sorted(onto.subjects(RDF.type, OWL.Class))
        if _ours(c)
    ]
    props = []
    for kind, cls in (
        ("object property", OWL.ObjectProperty),
        ("datatype property", OWL.DatatypeProperty),
    ):
        for p in sorted(onto.subjects(RDF.type, cls)):
            if _ours(p):
                term = _term(onto, p, kind, sum(1 for _ in data.triples((None, p, None))))
                term.domain = [_ref(d) for d in onto.objects(p, RDFS.domain)]
                term.range = [_ref(r) for r in onto.objects(p, RDFS.range)]
                term.characteristics = sorted(
                    _local(t) for t in onto.objects(p, RDF.type) if t not in (cls,)
                )
                props.append(term)
    props.sort(key=lambda t: t.local)
    return classes, props


def html(kg: KnowledgeGraph) -> str:
    classes, props = terms(kg)
    onto = kg.ontology
    meta = {
        "title": _text(onto, ONTOLOGY_IRI, DCTERMS.title) or "zonekg ontology",
        "description": _text(onto, ONTOLOGY_IRI, DCTERMS.description),
        "version": _text(onto, ONTOLOGY_IRI, OWL.versionInfo),
        "license": _text(onto, ONTOLOGY_IRI, DCTERMS.license),
        "created": _text(onto, ONTOLOGY_IRI, DCTERMS.created),
        "iri": str(ONTOLOGY_IRI),
        "namespace": str(ZK),
    }
    env = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(TEMPLATE).render(meta=meta, classes=classes, properties=props)


def write_docs(kg: KnowledgeGraph, output: Path) -> Path:
    """Write the reference page to *output* (a file, or index.html in a folder)."""
    output = Path(output)
    if output.suffix != ".html":
        output = output / "index.html"
    write_atomic(output, html(kg))
    return output


def _term(onto: Graph, iri: URIRef, kind: str, usage: int) -> Term:
    alignment = []
    for prop, name in (
        (RDFS.subClassOf, "subclass of"),
        (OWL.equivalentClass, "equivalent to"),
        (RDFS.subPropertyOf, "subproperty of"),
        (OWL.equivalentProperty, "equivalent to"),
        (OWL.inverseOf, "inverse of"),
    ):
        alignment += [
            (name, _ref(o)) for o in sorted(onto.objects(iri, prop)) if isinstance(o, URIRef)
        ]
    return Term(
        iri=str(iri),
        curie=curie(str(iri)),
        local=_local(iri),
        kind=kind,
        label=_text(onto, iri, RDFS.label),
        definition=_text(onto, iri, SKOS.definition),
        usage=usage,
        alignment=alignment,
    )


def _instances(data: Graph, cls: URIRef) -> int:
    return sum(1 for _ in data.subjects(RDF.type, cls))


def _ours(iri) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(str(ZK))


def _local(iri) -> str:
    return str(iri)[len(str(ZK)) :] if _ours(iri) else curie(str(iri))


def _ref(iri) -> str:
    return curie(str(iri))


def _text(graph: Graph, subject, prop) -> str:
    values = list(graph.objects(subject, prop))
    for value in values:
        if isinstance(value, Literal) and value.language == "en":
            return str(value)
    return str(values[0]) if values else ""


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ meta.title }} {{ meta.version }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
section.term { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 1em; margin: 1em 0; }
section.term h3 { margin: 0.2em 0; }
code { background: #f4f4f4; padding: 0 0.2em; }
dl { display: grid; grid-template-columns: 10em 1fr; gap: 0.2em 1em; }
dt { font-weight: bold; }
dd { margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: 0.2em 0.8em; }
nav a { overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>{{ meta.title }}</h1>
<p>{{ meta.description }}</p>
<dl>
<dt>IRI</dt><dd><code>{{ meta.iri }}</code></dd>
<dt>Namespace</dt><dd><code>{{ meta.namespace }}</code> (prefix <code>zk:</code>)</dd>
<dt>Version</dt><dd>{{ meta.version }}</dd>
<dt>Created</dt><dd>{{ meta.created }}</dd>
<dt>Licence</dt><dd><a href="{{ meta.license }}">{{ meta.license }}</a></dd>
</dl>
<p>Usage counts are from the data files: instances of a class, triples using a property.</p>
<h2 id="classes">Classes ({{ classes|length }})</h2>
<nav>{% for t in classes %}<a href="#{{ t.local }}">{{ t.local }}</a>{% endfor %}</nav>
{% for t in classes %}
<section class="term" id="{{ t.local }}">
<h3>{{ t.local }} <small>({{ t.label }})</small></h3>
<dl>
<dt>IRI</dt><dd><code>{{ t.iri }}</code></dd>
<dt>Definition</dt><dd>{{ t.definition }}</dd>
{% for name, target in t.alignment %}<dt>{{ name }}</dt><dd><code>{{ target }}</code></dd>
{% endfor %}
<dt>Instances</dt><dd class="usage">{{ "{:,}".format(t.usage) }}</dd>
</dl>
</section>
{% endfor %}
<h2 id="properties">Properties ({{ properties|length }})</h2>
<nav>{% for t in properties %}<a href="#{{ t.local }}">{{ t.local }}</a>{% endfor %}</nav>
{% for t in properties %}
<section class="term" id="{{ t.local }}">
<h3>{{ t.local }} <small>({{ t.label }})</small></h3>
<dl>
<dt>IRI</dt><dd><code>{{ t.iri }}</code></dd>
<dt>Kind</dt><dd>{{ t.kind }}
{%- if t.characteristics %} ({{ t.characteristics|join(", ") }}){% endif %}</dd>
<dt>Definition</dt><dd>{{ t.definition }}</dd>
{% if t.domain %}<dt>Domain</dt><dd><code>{{ t.domain|join(", ") }}</code></dd>
{% endif %}
{% if t.range %}<dt>Range</dt><dd><code>{{ t.range|join(", ") }}</code></dd>
{% endif %}
{% for name, target in t.alignment %}<dt>{{ name }}</dt><dd><code>{{ target }}</code></dd>
{% endfor %}
<dt>Triples</dt><dd class="usage">{{ "{:,}".format(t.usage) }}</dd>
</dl>
</section>
{% endfor %}
</body>
</html>
"""
