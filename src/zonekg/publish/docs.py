"""HTML reference pages for the ontology, made with a jinja2 template.

Every class and property the data uses, the project's own and those borrowed from other
vocabularies, and every term the ontology declares, gets its label, its definition (how
this graph uses it), the vocabulary that defines it, its alignment to standard
vocabularies (subclass, subproperty, equivalence, inverse), domain and range, how often the
data uses it (instances of a class, triples with a property) and an example triple taken
from the data (``api.vocabulary``). pyLODE was not used: it cannot show usage in the data.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, select_autoescape
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL

from ..api import RdfView as KnowledgeGraph
from ..api import Term, vocabulary
from ..core.vocab import ZK
from ..safety.atomic import write_atomic

ONTOLOGY_IRI = URIRef(str(ZK).rstrip("#"))


def terms(kg: KnowledgeGraph) -> tuple[list[Term], list[Term]]:
    """(classes, properties), the project's own first, each with its usage in the data."""
    return vocabulary(kg)


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


def _text(graph: Graph, subject, prop) -> str:
    from rdflib import Literal

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
<p>Every class and property the data uses is here, the ontology's own (<code>zk:</code>)
and those borrowed from other vocabularies (<code>schema:</code>, <code>dct:</code>,
<code>qudt:</code>, <code>prov:</code>, <code>skos:</code>, …): the borrowed ones are
documented in the ontology file itself, with annotations only (label, definition,
vocabulary), so that they change nothing reasoning concludes. Usage counts are from the data
files (instances of a class, triples using a property); each example is a triple of the
data.</p>
<h2 id="classes">Classes ({{ classes|length }})</h2>
<nav>{% for t in classes %}<a href="#{{ t.anchor }}">{{ t.anchor }}</a>{% endfor %}</nav>
{% for t in classes %}
<section class="term" id="{{ t.anchor }}">
<h3>{{ t.anchor }} <small>({{ t.label }})</small></h3>
<dl>
<dt>IRI</dt><dd><code>{{ t.iri }}</code></dd>
<dt>Definition</dt><dd>{{ t.definition }}</dd>
<dt>Defined by</dt><dd class="vocabulary"><code>{{ t.defined_by }}</code></dd>
{% for name, target in t.alignment %}<dt>{{ name }}</dt><dd><code>{{ target }}</code></dd>
{% endfor %}
<dt>Instances</dt><dd class="usage">{{ "{:,}".format(t.usage) }}</dd>
{% if t.example %}<dt>Example</dt><dd class="example"><code>{{ t.example }}</code></dd>
{% endif %}
</dl>
</section>
{% endfor %}
<h2 id="properties">Properties ({{ properties|length }})</h2>
<nav>{% for t in properties %}<a href="#{{ t.anchor }}">{{ t.anchor }}</a>{% endfor %}</nav>
{% for t in properties %}
<section class="term" id="{{ t.anchor }}">
<h3>{{ t.anchor }} <small>({{ t.label }})</small></h3>
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
<dt>Defined by</dt><dd class="vocabulary"><code>{{ t.defined_by }}</code></dd>
<dt>Triples</dt><dd class="usage">{{ "{:,}".format(t.usage) }}</dd>
{% if t.example %}<dt>Example</dt><dd class="example"><code>{{ t.example }}</code></dd>
{% endif %}
</dl>
</section>
{% endfor %}
</body>
</html>
"""
