# ruff: noqa: E501  (one rule a line reads best)
"""OWL 2 RL rules (OWL 2 Profiles §4.3, Tables 4–9), one case each, written from the rule
tables: premises (Turtle, prefixes below added) and either the triples the rule concludes
or, for the rules concluding ``false``, the rule the inconsistency must be reported under.
``skip`` says why a rule has no case that a Turtle closure can show.
"""

from __future__ import annotations

PREFIXES = """@prefix ex: <http://example.org/ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def entails(rule, table, premise, conclusion):
    return dict(rule=rule, table=table, premise=premise, conclusion=conclusion, false=None)


def inconsistent(rule, table, premise, reported_as=None):
    return dict(rule=rule, table=table, premise=premise, conclusion="", false=reported_as or rule)


RULES = [
    # Table 4: the semantics of equality
    entails("eq-sym", 4, "ex:x owl:sameAs ex:y .", "ex:y owl:sameAs ex:x ."),
    entails(
        "eq-trans", 4, "ex:x owl:sameAs ex:y . ex:y owl:sameAs ex:z .", "ex:x owl:sameAs ex:z ."
    ),
    entails("eq-rep-s", 4, "ex:s owl:sameAs ex:t . ex:s ex:p ex:o .", "ex:t ex:p ex:o ."),
    entails("eq-rep-p", 4, "ex:p owl:sameAs ex:q . ex:s ex:p ex:o .", "ex:s ex:q ex:o ."),
    entails("eq-rep-o", 4, "ex:o owl:sameAs ex:u . ex:s ex:p ex:o .", "ex:s ex:p ex:u ."),
    inconsistent("eq-diff1", 4, "ex:x owl:sameAs ex:y ; owl:differentFrom ex:y ."),
    inconsistent(
        "eq-diff2",
        4,
        "[] a owl:AllDifferent ; owl:members ( ex:x ex:y ex:z ) . ex:y owl:sameAs ex:z .",
    ),
    inconsistent(
        "eq-diff3",
        4,
        "[] a owl:AllDifferent ; owl:distinctMembers ( ex:x ex:y ) . ex:x owl:sameAs ex:y .",
    ),
    # Table 5: the semantics of axioms about properties
    entails("prp-dom", 5, "ex:p rdfs:domain ex:C . ex:x ex:p ex:y .", "ex:x a ex:C ."),
    entails("prp-rng", 5, "ex:p rdfs:range ex:C . ex:x ex:p ex:y .", "ex:y a ex:C ."),
    entails(
        "prp-fp",
        5,
        "ex:p a owl:FunctionalProperty . ex:x ex:p ex:y1 , ex:y2 .",
        "ex:y1 owl:sameAs ex:y2 .",
    ),
    entails(
        "prp-ifp",
        5,
        "ex:p a owl:InverseFunctionalProperty . ex:x1 ex:p ex:y . ex:x2 ex:p ex:y .",
        "ex:x1 owl:sameAs ex:x2 .",
    ),
    inconsistent("prp-irp", 5, "ex:p a owl:IrreflexiveProperty . ex:x ex:p ex:x ."),
    entails("prp-symp", 5, "ex:p a owl:SymmetricProperty . ex:x ex:p ex:y .", "ex:y ex:p ex:x ."),
    inconsistent(
        "prp-asyp", 5, "ex:p a owl:AsymmetricProperty . ex:x ex:p ex:y . ex:y ex:p ex:x ."
    ),
    entails(
        "prp-trp",
        5,
        "ex:p a owl:TransitiveProperty . ex:x ex:p ex:y . ex:y ex:p ex:z .",
        "ex:x ex:p ex:z .",
    ),
    entails("prp-spo1", 5, "ex:p rdfs:subPropertyOf ex:q . ex:x ex:p ex:y .", "ex:x ex:q ex:y ."),
    entails(
        "prp-spo2",
        5,
        "ex:r owl:propertyChainAxiom ( ex:p ex:q ) . ex:a ex:p ex:b . ex:b ex:q ex:c .",
        "ex:a ex:r ex:c .",
    ),
    entails(
        "prp-eqp1", 5, "ex:p owl:equivalentProperty ex:q . ex:x ex:p ex:y .", "ex:x ex:q ex:y ."
    ),
    entails(
        "prp-eqp2", 5, "ex:p owl:equivalentProperty ex:q . ex:x ex:q ex:y .", "ex:x ex:p ex:y ."
    ),
    inconsistent("prp-pdw", 5, "ex:p owl:propertyDisjointWith ex:q . ex:x ex:p ex:y ; ex:q ex:y ."),
    inconsistent(
        "prp-adp",
        5,
        "[] a owl:AllDisjointProperties ; owl:members ( ex:p ex:q ex:r ) . ex:x ex:q ex:y ; ex:r ex:y .",
    ),
    entails("prp-inv1", 5, "ex:p owl:inverseOf ex:q . ex:x ex:p ex:y .", "ex:y ex:q ex:x ."),
    entails("prp-inv2", 5, "ex:p owl:inverseOf ex:q . ex:x ex:q ex:y .", "ex:y ex:p ex:x ."),
    entails(
        "prp-key",
        5,
        "ex:C owl:hasKey ( ex:k ) . ex:x a ex:C ; ex:k ex:v . ex:y a ex:C ; ex:k ex:v .",
        "ex:x owl:sameAs ex:y .",
    ),
    inconsistent(
        "prp-npa1",
        5,
        "[] owl:sourceIndividual ex:x ; owl:assertionProperty ex:p ; owl:targetIndividual ex:y . ex:x ex:p ex:y .",
    ),
    inconsistent(
        "prp-npa2",
        5,
        '[] owl:sourceIndividual ex:x ; owl:assertionProperty ex:p ; owl:targetValue "v" . ex:x ex:p "v" .',
    ),
    # Table 6: the semantics of classes
    entails("cls-thing", 6, "ex:x ex:p ex:y .", "owl:Thing a owl:Class ."),
    entails("cls-nothing1", 6, "ex:x ex:p ex:y .", "owl:Nothing a owl:Class ."),
    inconsistent("cls-nothing2", 6, "ex:x a owl:Nothing ."),
    entails(
        "cls-int1",
        6,
        "ex:C owl:intersectionOf ( ex:A ex:B ) . ex:x a ex:A , ex:B .",
        "ex:x a ex:C .",
    ),
    entails(
        "cls-int2",
        6,
        "ex:C owl:intersectionOf ( ex:A ex:B ) . ex:x a ex:C .",
        "ex:x a ex:A , ex:B .",
    ),
    entails("cls-uni", 6, "ex:C owl:unionOf ( ex:A ex:B ) . ex:x a ex:B .", "ex:x a ex:C ."),
    inconsistent("cls-com", 6, "ex:A owl:complementOf ex:B . ex:x a ex:A , ex:B ."),
    entails(
        "cls-svf1",
        6,
        "ex:R owl:someValuesFrom ex:C ; owl:onProperty ex:p . ex:x ex:p ex:y . ex:y a ex:C .",
        "ex:x a ex:R .",
    ),
    entails(
        "cls-svf2",
        6,
        "ex:R owl:someValuesFrom owl:Thing ; owl:onProperty ex:p . ex:x ex:p ex:y .",
        "ex:x a ex:R .",
    ),
    entails(
        "cls-avf",
        6,
        "ex:R owl:allValuesFrom ex:C ; owl:onProperty ex:p . ex:x a ex:R ; ex:p ex:y .",
        "ex:y a ex:C .",
    ),
    entails(
        "cls-hv1",
        6,
        "ex:R owl:hasValue ex:v ; owl:onProperty ex:p . ex:x a ex:R .",
        "ex:x ex:p ex:v .",
    ),
    entails(
        "cls-hv2",
        6,
        "ex:R owl:hasValue ex:v ; owl:onProperty ex:p . ex:x ex:p ex:v .",
        "ex:x a ex:R .",
    ),
    inconsistent(
        "cls-maxc1",
        6,
        'ex:R owl:maxCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p . ex:x a ex:R ; ex:p ex:y .',
    ),
    entails(
        "cls-maxc2",
        6,
        'ex:R owl:maxCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p . ex:x a ex:R ; ex:p ex:y1 , ex:y2 .',
        "ex:y1 owl:sameAs ex:y2 .",
    ),
    inconsistent(
        "cls-maxqc1",
        6,
        'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ; owl:onClass ex:C . ex:x a ex:R ; ex:p ex:y . ex:y a ex:C .',
    ),
    inconsistent(
        "cls-maxqc2",
        6,
        'ex:R owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ; owl:onClass owl:Thing . ex:x a ex:R ; ex:p ex:y .',
    ),
    entails(
        "cls-maxqc3",
        6,
        'ex:R owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ; owl:onClass ex:C . ex:x a ex:R ; ex:p ex:y1 , ex:y2 . ex:y1 a ex:C . ex:y2 a ex:C .',
        "ex:y1 owl:sameAs ex:y2 .",
    ),
    entails(
        "cls-maxqc4",
        6,
        'ex:R owl:maxQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onProperty ex:p ; owl:onClass owl:Thing . ex:x a ex:R ; ex:p ex:y1 , ex:y2 .',
        "ex:y1 owl:sameAs ex:y2 .",
    ),
    entails("cls-oo", 6, "ex:C owl:oneOf ( ex:x ex:y ) .", "ex:x a ex:C . ex:y a ex:C ."),
    # Table 7: the semantics of class axioms
    entails("cax-sco", 7, "ex:A rdfs:subClassOf ex:B . ex:x a ex:A .", "ex:x a ex:B ."),
    entails("cax-eqc1", 7, "ex:A owl:equivalentClass ex:B . ex:x a ex:A .", "ex:x a ex:B ."),
    entails("cax-eqc2", 7, "ex:A owl:equivalentClass ex:B . ex:x a ex:B .", "ex:x a ex:A ."),
    inconsistent("cax-dw", 7, "ex:A owl:disjointWith ex:B . ex:x a ex:A , ex:B ."),
    inconsistent(
        "cax-adc",
        7,
        "[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) . ex:x a ex:B , ex:C .",
    ),
    # Table 8: the semantics of datatypes
    entails(
        "dt-type1",
        8,
        "ex:x ex:p ex:y .",
        "xsd:integer a rdfs:Datatype . xsd:string a rdfs:Datatype .",
    ),
    inconsistent("dt-diff", 8, "ex:p a owl:FunctionalProperty . ex:x ex:p 1 , 2 ."),
    inconsistent("dt-not-type", 8, 'ex:x ex:p "one"^^xsd:integer .'),
    # Table 9: the semantics of schema vocabulary
    entails(
        "scm-cls",
        9,
        "ex:C a owl:Class .",
        "ex:C rdfs:subClassOf ex:C , owl:Thing ; owl:equivalentClass ex:C . owl:Nothing rdfs:subClassOf ex:C .",
    ),
    entails(
        "scm-sco",
        9,
        "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:C .",
        "ex:A rdfs:subClassOf ex:C .",
    ),
    entails(
        "scm-eqc1",
        9,
        "ex:A owl:equivalentClass ex:B .",
        "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .",
    ),
    entails(
        "scm-eqc2",
        9,
        "ex:A rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .",
        "ex:A owl:equivalentClass ex:B .",
    ),
    entails(
        "scm-op",
        9,
        "ex:p a owl:ObjectProperty .",
        "ex:p rdfs:subPropertyOf ex:p ; owl:equivalentProperty ex:p .",
    ),
    entails(
        "scm-dp",
        9,
        "ex:p a owl:DatatypeProperty .",
        "ex:p rdfs:subPropertyOf ex:p ; owl:equivalentProperty ex:p .",
    ),
    entails(
        "scm-spo",
        9,
        "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:r .",
        "ex:p rdfs:subPropertyOf ex:r .",
    ),
    entails(
        "scm-eqp1",
        9,
        "ex:p owl:equivalentProperty ex:q .",
        "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:p .",
    ),
    entails(
        "scm-eqp2",
        9,
        "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:subPropertyOf ex:p .",
        "ex:p owl:equivalentProperty ex:q .",
    ),
    entails(
        "scm-dom1",
        9,
        "ex:p rdfs:domain ex:A . ex:A rdfs:subClassOf ex:B .",
        "ex:p rdfs:domain ex:B .",
    ),
    entails(
        "scm-dom2",
        9,
        "ex:q rdfs:domain ex:A . ex:p rdfs:subPropertyOf ex:q .",
        "ex:p rdfs:domain ex:A .",
    ),
    entails(
        "scm-rng1",
        9,
        "ex:p rdfs:range ex:A . ex:A rdfs:subClassOf ex:B .",
        "ex:p rdfs:range ex:B .",
    ),
    entails(
        "scm-rng2",
        9,
        "ex:q rdfs:range ex:A . ex:p rdfs:subPropertyOf ex:q .",
        "ex:p rdfs:range ex:A .",
    ),
    entails(
        "scm-hv",
        9,
        "ex:R1 owl:hasValue ex:v ; owl:onProperty ex:p . ex:R2 owl:hasValue ex:v ; owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        "ex:R1 rdfs:subClassOf ex:R2 .",
    ),
    entails(
        "scm-svf1",
        9,
        "ex:R1 owl:someValuesFrom ex:A ; owl:onProperty ex:p . ex:R2 owl:someValuesFrom ex:B ; owl:onProperty ex:p . ex:A rdfs:subClassOf ex:B .",
        "ex:R1 rdfs:subClassOf ex:R2 .",
    ),
    entails(
        "scm-svf2",
        9,
        "ex:R1 owl:someValuesFrom ex:A ; owl:onProperty ex:p . ex:R2 owl:someValuesFrom ex:A ; owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        "ex:R1 rdfs:subClassOf ex:R2 .",
    ),
    entails(
        "scm-avf1",
        9,
        "ex:R1 owl:allValuesFrom ex:A ; owl:onProperty ex:p . ex:R2 owl:allValuesFrom ex:B ; owl:onProperty ex:p . ex:A rdfs:subClassOf ex:B .",
        "ex:R1 rdfs:subClassOf ex:R2 .",
    ),
    entails(
        "scm-avf2",
        9,
        "ex:R1 owl:allValuesFrom ex:A ; owl:onProperty ex:p . ex:R2 owl:allValuesFrom ex:A ; owl:onProperty ex:q . ex:p rdfs:subPropertyOf ex:q .",
        "ex:R2 rdfs:subClassOf ex:R1 .",
    ),
    entails(
        "scm-int",
        9,
        "ex:C owl:intersectionOf ( ex:A ex:B ) .",
        "ex:C rdfs:subClassOf ex:A , ex:B .",
    ),
    entails(
        "scm-uni",
        9,
        "ex:C owl:unionOf ( ex:A ex:B ) .",
        "ex:A rdfs:subClassOf ex:C . ex:B rdfs:subClassOf ex:C .",
    ),
    # Table 5, prp-ap: annotation properties
    entails(
        "prp-ap",
        5,
        "ex:x ex:p ex:y .",
        "rdfs:label a owl:AnnotationProperty . rdfs:comment a owl:AnnotationProperty .",
    ),
]

#: Rules without a case here, and why.
SKIPPED = {
    "eq-ref": "x owl:sameAs x for every term: true of everything, dropped from the closure as noise",
    "dt-type2": "concludes a triple with a literal subject, which RDF (so the closure) cannot hold",
    "dt-eq": "concludes owl:sameAs between literals (a literal subject); neither owlrl nor the compiled rules do it",
}
