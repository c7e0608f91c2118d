"""The OWL 2 RL inconsistency rules (OWL 2 Profiles §4.3, the rules whose conclusion is
``false``), as SPARQL over the asserted graphs and the closure, the same for every engine.

A reasoner derives the closure; these queries then look for what the closure makes
contradictory (an individual of two disjoint classes, an irreflexive property used
reflexively, ...). Each match names its rule and the resources involved. owlrl reports
some of these as ``err:ErrorMessage`` nodes and misses others (the last member of an
owl:AllDifferent list, owl:AllDisjointProperties, dt-diff); running the rules here makes
both engines report the same inconsistencies, by rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.errors import EXIT_CHECK_FAILED, ZonekgError
from ..core.results import QueryResult
from ..safety.screen import ScreenedQuery, screen

_PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

#: rule id -> (what it means, with {0}, {1}, ... the selected resources; the query)
RULES: dict[str, tuple[str, str]] = {
    "eq-diff1": (
        "{0} is owl:sameAs and owl:differentFrom {1}",
        "SELECT DISTINCT ?x ?y WHERE { ?x owl:sameAs ?y . ?x owl:differentFrom ?y }",
    ),
    "eq-diff2": (
        "{1} and {2} are members of the owl:AllDifferent {0} and owl:sameAs",
        "SELECT DISTINCT ?d ?a ?b WHERE { ?d a owl:AllDifferent ; owl:members ?l . "
        "?l rdf:rest*/rdf:first ?a . ?l rdf:rest*/rdf:first ?b . "
        "?a owl:sameAs ?b FILTER(!sameTerm(?a, ?b)) }",
    ),
    "eq-diff3": (
        "{1} and {2} are owl:distinctMembers of {0} and owl:sameAs",
        "SELECT DISTINCT ?d ?a ?b WHERE { ?d a owl:AllDifferent ; owl:distinctMembers ?l . "
        "?l rdf:rest*/rdf:first ?a . ?l rdf:rest*/rdf:first ?b . "
        "?a owl:sameAs ?b FILTER(!sameTerm(?a, ?b)) }",
    ),
    "prp-irp": (
        "the irreflexive property {0} links {1} to itself",
        "SELECT DISTINCT ?p ?x WHERE { ?p a owl:IrreflexiveProperty . ?x ?p ?x }",
    ),
    "prp-asyp": (
        "the asymmetric property {0} links {1} to {2} and back",
        "SELECT DISTINCT ?p ?x ?y WHERE { ?p a owl:AsymmetricProperty . ?x ?p ?y . ?y ?p ?x }",
    ),
    "prp-pdw": (
        "{2} is linked to {3} by the disjoint properties {0} and {1}",
        "SELECT DISTINCT ?p ?q ?x ?y WHERE { ?p owl:propertyDisjointWith ?q . "
        "?x ?p ?y . ?x ?q ?y }",
    ),
    "prp-adp": (
        "{3} is linked to {4} by {1} and {2}, members of the owl:AllDisjointProperties {0}",
        "SELECT DISTINCT ?d ?p ?q ?x ?y WHERE { ?d a owl:AllDisjointProperties ; "
        "owl:members ?l . ?l rdf:rest*/rdf:first ?p . ?l rdf:rest*/rdf:first ?q . "
        "FILTER(!sameTerm(?p, ?q)) ?x ?p ?y . ?x ?q ?y }",
    ),
    "prp-npa1": (
        "the negative property assertion {0} says {1} {2} {3} is not so, and it is",
        "SELECT DISTINCT ?n ?s ?p ?o WHERE { ?n owl:sourceIndividual ?s ; "
        "owl:assertionProperty ?p ; owl:targetIndividual ?o . ?s ?p ?o }",
    ),
    "prp-npa2": (
        "the negative property assertion {0} says {1} {2} {3} is not so, and it is",
        "SELECT DISTINCT ?n ?s ?p ?o WHERE { ?n owl:sourceIndividual ?s ; "
        "owl:assertionProperty ?p ; owl:targetValue ?o . ?s ?p ?o }",
    ),
    "cls-nothing2": (
        "{0} is an instance of owl:Nothing",
        "SELECT DISTINCT ?x WHERE { ?x a owl:Nothing }",
    ),
    "cls-com": (
        "{2} is an instance of {0} and of its complement {1}",
        "SELECT DISTINCT ?c ?d ?x WHERE { ?c owl:complementOf ?d . ?x a ?c . ?x a ?d }",
    ),
    "cls-maxc1": (
        "{1} has a value for {2} ({3}), but {0} allows none",
        "SELECT DISTINCT ?r ?u ?p ?y WHERE { ?r owl:maxCardinality ?n ; owl:onProperty ?p . "
        "FILTER(?n = 0) ?u a ?r ; ?p ?y }",
    ),
    "cls-maxqc1": (
        "{1} has a value for {2} of class {4} ({3}), but {0} allows none",
        "SELECT DISTINCT ?r ?u ?p ?y ?c WHERE { ?r owl:maxQualifiedCardinality ?n ; "
        "owl:onProperty ?p ; owl:onClass ?c . FILTER(?n = 0) ?u a ?r ; ?p ?y . ?y a ?c }",
    ),
    "cls-maxqc2": (
        "{1} has a value for {2} ({3}), but {0} allows none",
        "SELECT DISTINCT ?r ?u ?p ?y WHERE { ?r owl:maxQualifiedCardinality ?n ; "
        "owl:onProperty ?p ; owl:onClass owl:Thing . FILTER(?n = 0) ?u a ?r ; ?p ?y }",
    ),
    "cax-dw": (
        "{2} is an instance of the disjoint classes {0} and {1}",
        "SELECT DISTINCT ?c ?d ?x WHERE { ?c owl:disjointWith ?d . ?x a ?c . ?x a ?d }",
    ),
    "cax-adc": (
        "{3} is an instance of {1} and {2}, members of the owl:AllDisjointClasses {0}",
        "SELECT DISTINCT ?a ?c ?d ?x WHERE { ?a a owl:AllDisjointClasses ; owl:members ?l . "
        "?l rdf:rest*/rdf:first ?c . ?l rdf:rest*/rdf:first ?d . FILTER(!sameTerm(?c, ?d)) "
        "?x a ?c . ?x a ?d }",
    ),
    # prp-fp makes two literal values of a functional property owl:sameAs; dt-diff makes
    # two literals with different data values owl:differentFrom; eq-diff1 then fails.
    # Literals cannot be subjects in RDF, so the three steps are one query.
    "dt-diff": (
        "the functional property {0} gives {1} two different values, {2} and {3}",
        "SELECT DISTINCT ?p ?x ?a ?b WHERE { ?p a owl:FunctionalProperty . ?x ?p ?a , ?b . "
        "FILTER(isLiteral(?a) && isLiteral(?b) && STR(?a) < STR(?b) "
        "&& COALESCE(?a != ?b, !sameTerm(?a, ?b))) }",
    ),
}


@dataclass
class Inconsistent(ZonekgError):
    """The ontology and data are inconsistent: a rule of OWL 2 RL concludes ``false``."""

    rule: str = ""
    resources: tuple[str, ...] = ()
    others: int = 0  # further matches, of this rule or others, not named

    exit_code = EXIT_CHECK_FAILED


def _text(term) -> str:
    value = getattr(term, "value", str(term))
    return f"<{value}>" if type(term).__name__ == "NamedNode" else str(term)


def violations(
    run: Callable[[ScreenedQuery], QueryResult], limit: int = 20
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, explanation, resources) for each match, at most *limit* per rule; *run*
    answers a screened query over the asserted graphs and the closure."""
    found = []
    for rule, (words, text) in RULES.items():
        result = run(screen(f"{_PREFIXES}{text} LIMIT {limit}", f"OWL 2 RL rule {rule}"))
        for row in result.rows:
            names = tuple(_text(term) for term in row)
            found.append((rule, words.format(*names), names))
    return found


def refuse(found: list[tuple[str, str, tuple[str, ...]]]) -> None:
    """Raise Inconsistent for the first match, counting the rest."""
    if not found:
        return
    rule, words, names = found[0]
    rules = sorted({r for r, _, _ in found})
    more = f" ({len(found) - 1} more: {', '.join(rules)})" if len(found) > 1 else ""
    raise Inconsistent(
        f"the ontology and data are inconsistent: OWL 2 RL rule {rule}: {words}{more}",
        hint="write a value of that datatype, or change the datatype"
        if rule == "dt-not-type"
        else "remove one of the contradicting statements (or the axiom that forbids it)",
        rule=rule,
        resources=names,
        others=len(found) - 1,
    )
