"""SHACL: the data conforms, and each counter-example fails for the reason its name gives."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from zonekg import paths
from zonekg.load import load
from zonekg.namespaces import ZKSH
from zonekg.validate import load_shapes, owning_node_shape, validate

INVALID = sorted(paths.INVALID.glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def test_invalid_examples_exist():
    assert len(INVALID) >= 10


@pytest.mark.parametrize("inference", ["none", "rdfs", "owlrl"])
def test_project_data_conforms(kg, shapes, inference):
    report = validate(kg, inference=inference, shapes=shapes)
    assert report.conforms, report.text


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_invalid_example_fails_on_the_shape_it_is_named_after(example, shapes, inference):
    shape = ZKSH[example.name.split("-", 1)[0]]
    assert (shape, None, None) in shapes, f"{example.name} names no shape of ours"
    report = validate(load([example]), inference=inference, shapes=shapes)
    assert not report.conforms
    failing = {owning_node_shape(shapes, r.source_shape) for r in report.results}
    assert failing == {shape}, f"{example.name} fails on {failing}"


def test_every_shape_has_a_counter_example(shapes):
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert node_shapes
    covered = {ZKSH[example.name.split("-", 1)[0]] for example in INVALID}
    assert node_shapes - covered == set()
