"""Pictures: Graphviz DOT of the ontology and of the zone, rendered with ``dot``.

The ontology diagram shows our classes, their alignments to standard
vocabularies (subclass and equivalence edges to grey classes), the object
properties as edges from domain to range (with the properties they specialise)
and the datatype properties inside their domain's box.

The zone diagram starts at the zone and keeps what a reader of the source
article would draw: places, areas, the cooperation list and its proposals,
plans and sectors, the event, agreement and project sets, projects,
organisations, amounts and the area. Sources, passages and claims are left
out (``zonekg why`` shows them), and so is everything not connected to the zone.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections import deque
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..api import RdfView as KnowledgeGraph
from ..core.errors import InvalidChoice, ZonekgError
from ..core.formats import PICTURES, output_format
from ..core.namespaces import curie
from ..core.vocab import QUDT, SCHEMA, ZK
from ..safety import targets
from ..safety.atomic import write_atomic
from . import DIAGRAM_KINDS

KINDS = DIAGRAM_KINDS
FONT = "DejaVu Sans"
ZONE = URIRef("https://w3id.org/zonekg/id/zone/chengdu")

#: Fill colour per class in the zone diagram; the class order decides which
#: colour a node of several classes gets.
STYLE: dict[URIRef, str] = {
    ZK.DemonstrationZone: "#f4a261",
    ZK.PlannedArea: "#f6c28b",
    ZK.Place: "#fde2c5",
    ZK.CooperationList: "#a8dadc",
    ZK.Proposal: "#d8f0f1",
    ZK.IndustrialPlan: "#b5c99a",
    ZK.Plan: "#b5c99a",
    ZK.Sector: "#e3ecd4",
    ZK.Event: "#cdb4db",
    ZK.AgreementSet: "#bde0fe",
    ZK.ProjectGroup: "#bde0fe",
    ZK.Project: "#e3f1ff",
    ZK.Organization: "#ffd6e0",
    SCHEMA.MonetaryAmount: "#fff3b0",
    QUDT.QuantityValue: "#fff3b0",
}
LEFT_OUT = {ZK.SourceDocument, ZK.Passage, ZK.Claim, ZK.ZoneGroup}
#: Nodes several zones share: the diagram does not follow what points at them.
SHARED = {ZK.Organization, ZK.Country, ZK.Province, ZK.City, ZK.Sector}


def ontology_dot(ontology: Graph) -> str:
    classes = sorted(
        c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(ZK))
    )
    lines = _header(
        "zonekg ontology (hollow arrow: subclass of; dashed ≡: equivalent class; "
        "blue: object property from domain to range, ⊑ the properties it specialises; "
        "grey: standard vocabularies)",
        rankdir="BT",
    )
    external: set[URIRef] = set()
    datatype_props: dict[URIRef, list[str]] = {}
    for prop in sorted(ontology.subjects(RDF.type, OWL.DatatypeProperty)):
        for domain in ontology.objects(prop, RDFS.domain):
            datatype_props.setdefault(domain, []).append(_local(prop))
    for cls in classes:
        rows = "".join(
            f'<tr><td align="left"><font point-size="9">{_html(name)}</font></td></tr>'
            for name in sorted(datatype_props.get(cls, []))
        )
        title = f"<tr><td><b>{_html(_local(cls))}</b></td></tr>"
        label = f'<<table border="0" cellspacing="0">{title}{rows}</table>>'
        lines.append(f'  "{cls}" [label={label}, fillcolor="#dbe9f6"];')
    for cls in classes:
        for parent in sorted(ontology.objects(cls, RDFS.subClassOf)):
            if isinstance(parent, URIRef):
                external.add(parent)
                lines.append(f'  "{cls}" -> "{parent}" [arrowhead=onormal];')
        for same in sorted(ontology.objects(cls, OWL.equivalentClass)):
            if isinstance(same, URIRef):
                external.add(same)
                lines.append(
                    f'  "{cls}" -> "{same}" [dir=both, style=dashed, arrowhead=none, '
                    f'label=<<font point-size="8">≡</font>>];'
                )
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        domains = [d for d in ontology.objects(prop, RDFS.domain) if isinstance(d, URIRef)]
        ranges = [r for r in ontology.objects(prop, RDFS.range) if isinstance(r, URIRef)]
        if not domains or not ranges:
            continue
        supers = ", ".join(
            curie(str(s)) for s in sorted(ontology.objects(prop, RDFS.subPropertyOf))
        )
        note = (
            f'<br/><font point-size="8" color="#555555">⊑ {_html(supers)}</font>' if supers else ""
        )
        for domain in domains:
            for rng in ranges:
                external.add(rng)
                external.add(domain)
                lines.append(
                    f'  "{domain}" -> "{rng}" [color="#1d3557", fontcolor="#1d3557", '
                    f"label=<{_html(_local(prop))}{note}>];"
                )
    for node in sorted(external - set(classes)):
        lines.append(
            f'  "{node}" [label="{curie(str(node))}", fillcolor="#eeeeee", color="#999999", '
            f'fontcolor="#555555"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def zone_nodes(graph: Graph, zone: URIRef = ZONE) -> set[URIRef]:
    """The zone and the nodes of drawn classes connected to it through such nodes.

    What points at a shared node (an organisation, a country, province or city, a sector)
    is not followed: NDRC, Japan or a firm is linked to the other zones' events and projects
    as well, and those are not this zone's."""

    def drawn(node) -> bool:
        types = set(graph.objects(node, RDF.type))
        if not isinstance(node, URIRef) or types & LEFT_OUT or not types & set(STYLE):
            return False
        return not (ZK.DemonstrationZone in types and node != zone)

    def shared(node) -> bool:
        return bool(set(graph.objects(node, RDF.type)) & SHARED)

    seen = {zone}
    todo = deque([zone])
    while todo:
        node = todo.popleft()
        neighbours = [o for p, o in graph.predicate_objects(node) if p != RDF.type]
        if not shared(node):
            neighbours += list(graph.subjects(None, node))
        for other in neighbours:
            if other not in seen and drawn(other):
                seen.add(other)
                todo.append(other)
    return seen


def zone_dot(graph: Graph, zone: URIRef = ZONE) -> str:
    """*graph* is the asserted graph (ontology + data), so that subclass types resolve."""
    nodes = zone_nodes(_with_superclasses(graph), zone)
    lines = _header("the China-Japan (Chengdu) zone", rankdir="LR")
    for node in sorted(nodes):
        lines.append(
            f'  "{node}" [label=<{_node_label(graph, node)}>, fillcolor="{_colour(graph, node)}"];'
        )
    for node in sorted(nodes):
        for prop, other in sorted(graph.predicate_objects(node)):
            if other in nodes and prop != RDF.type:
                lines.append(f'  "{node}" -> "{other}" [label="{_local(prop)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def has_zone(kg: KnowledgeGraph) -> bool:
    return (ZONE, RDF.type, None) in kg.data


def dot_source(kg: KnowledgeGraph, kind: str) -> str:
    if kind == "ontology":
        return ontology_dot(kg.ontology)
    if kind == "zone":
        if not has_zone(kg):
            raise ZonekgError(
                f"the data does not describe the zone {curie(str(ZONE))}, so there is no zone "
                "diagram to draw",
                hint="load the project's data (or data about this zone), or draw `ontology`",
            )
        return zone_dot(kg.asserted())
    raise InvalidChoice("kind", kind, KINDS)


def render(dot: str, fmt: str) -> bytes:
    """Run Graphviz ``dot`` on *dot*; *fmt* is svg or png."""
    binary = shutil.which("dot")
    if binary is None:
        raise ZonekgError(
            "the Graphviz `dot` program is not installed",
            hint="install Debian's graphviz package (`make tools` does it), or write .dot",
        )
    done = subprocess.run(
        [binary, f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True, timeout=120
    )
    if done.returncode != 0 or not done.stdout:
        raise ZonekgError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def picture_format(output: Path) -> str:
    """svg, png or dot: what the suffix of *output* names (anything else is refused)."""
    return output_format(output, PICTURES)


def write_diagram(kg: KnowledgeGraph, kind: str, output: Path) -> Path:
    """Write the *kind* diagram to *output*: .dot (.gv) as source, .svg or .png rendered."""
    fmt = picture_format(output)
    output = targets.check_file(Path(output), [*kg.ontology_files, *kg.data_files])
    dot = dot_source(kg, kind)
    write_atomic(output, dot if fmt == "dot" else render(dot, fmt))
    return output


def _header(title: str, rankdir: str) -> list[str]:
    return [
        "digraph zonekg {",
        f'  graph [label="{title}", labelloc=t, fontsize=18, fontname="{FONT}", '
        f"rankdir={rankdir}, nodesep=0.25, ranksep=0.6, bgcolor=white];",
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, '
        f'color="#555555"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="#666666"];',
    ]


def _with_superclasses(graph: Graph) -> Graph:
    """A copy where every node also has the superclasses of its classes as types."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    for node, cls in list(graph.subject_objects(RDF.type)):
        for parent in graph.transitive_objects(cls, RDFS.subClassOf):
            copy.add((node, RDF.type, parent))
    return copy


def _colour(graph: Graph, node: URIRef) -> str:
    types = set(graph.objects(node, RDF.type))
    for cls, colour in STYLE.items():
        if cls in types or any(cls in graph.transitive_objects(t, RDFS.subClassOf) for t in types):
            return colour
    return "#ffffff"


def _node_label(graph: Graph, node: URIRef) -> str:
    label = _english(graph, node) or curie(str(node))
    types = sorted(_local(t) for t in graph.objects(node, RDF.type))
    parts = [_html(line) for line in textwrap.wrap(label, 34)]
    detail = _detail(graph, node)
    if detail:
        parts.append(f"<b>{_html(detail)}</b>")
    if types:  # an empty <font> is a syntax error to Graphviz
        parts.append(f'<font point-size="8" color="#555555">{_html(", ".join(types))}</font>')
    return "<br/>".join(parts)


def _detail(graph: Graph, node: URIRef) -> str:
    """The number a reader wants on an amount, an area or a declared set."""
    value = graph.value(node, SCHEMA.value) or graph.value(node, SCHEMA.minValue)
    if value is not None:
        prefix = "≥ " if graph.value(node, SCHEMA.value) is None else ""
        currency = graph.value(node, SCHEMA.currency) or ""
        return f"{prefix}{_number(value)} {currency}".strip()
    area = graph.value(node, QUDT.numericValue)
    if area is not None:
        unit = graph.value(node, QUDT.unit)
        return (
            f"{area} {'km²' if unit is not None and str(unit).endswith('KiloM2') else ''}".strip()
        )
    count = graph.value(node, ZK.declaredCount)
    if count is not None:
        named = len(list(graph.objects(node, ZK.hasMember)))
        return f"{named} named of {count} declared"
    return ""


def _number(value: Literal) -> str:
    try:
        return f"{Decimal(str(value)):,.0f}"
    except InvalidOperation:
        return str(value)


def _english(graph: Graph, node: URIRef) -> str | None:
    labels = list(graph.objects(node, RDFS.label))
    for label in labels:
        if isinstance(label, Literal) and label.language == "en":
            return str(label)
    return str(labels[0]) if labels else None


def _local(iri) -> str:
    text = curie(str(iri))
    return text.split(":", 1)[1] if text.startswith("zk:") else text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
