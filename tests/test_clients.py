"""Third-party SPARQL clients against a real `zonekg serve`: SPARQLWrapper with its defaults
(``format=xml&output=xml&results=xml``, RDF/XML for graphs) and with the formats it names."""

from __future__ import annotations

import pytest
import SPARQLWrapper  # in the test extra: a missing client fails, it is not skipped

ZONE = "https://w3id.org/zonekg/id/zone/chengdu"
PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


@pytest.fixture(scope="module")
def endpoint(default_server):
    return default_server.url + "/sparql"


def _client(endpoint: str, query: str, fmt: str | None = None):
    client = SPARQLWrapper.SPARQLWrapper(endpoint)
    client.setQuery(query)
    if fmt is not None:
        client.setReturnFormat(fmt)
    return client.query()


def test_select_with_the_defaults(endpoint):
    result = _client(endpoint, PREFIX + f"SELECT ?l WHERE {{ <{ZONE}> rdfs:label ?l }}")
    document = result.convert()  # SPARQL XML results, parsed by minidom
    literals = document.getElementsByTagName("literal")
    languages = {node.getAttribute("xml:lang") for node in literals}
    assert {"en", "zh", "ja"} <= languages


def _boolean(result) -> str:
    return result.convert().getElementsByTagName("boolean")[0].firstChild.data


def test_ask_with_the_defaults(endpoint):
    assert _boolean(_client(endpoint, f"ASK {{ <{ZONE}> ?p ?o }}")) == "true"
    assert _boolean(_client(endpoint, "ASK { <urn:x:nothing> ?p ?o }")) == "false"
    assert _client(endpoint, f"ASK {{ <{ZONE}> ?p ?o }}", "json").convert()["boolean"] is True


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_queries_with_the_defaults_are_rdf_xml(endpoint, form):
    from rdflib import URIRef

    query = (
        f"CONSTRUCT {{ <{ZONE}> ?p ?o }} WHERE {{ <{ZONE}> ?p ?o }}"
        if form == "CONSTRUCT"
        else f"DESCRIBE <{ZONE}>"
    )
    result = _client(endpoint, query)
    assert result.response.headers["Content-Type"].startswith("application/rdf+xml")
    graph = result.convert()  # an rdflib Graph parsed from RDF/XML
    assert len(graph) > 5 and (URIRef(ZONE), None, None) in graph


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_every_results_format(endpoint, fmt):
    result = _client(endpoint, PREFIX + f"SELECT ?l WHERE {{ <{ZONE}> rdfs:label ?l }}", fmt)
    converted = result.convert()
    if fmt == "json":
        assert converted["results"]["bindings"]
    else:
        assert converted


@pytest.mark.parametrize("fmt", ["turtle", "n3", "rdf+xml", "json-ld", "xml"])
def test_construct_in_every_graph_format(endpoint, fmt):
    query = f"CONSTRUCT {{ <{ZONE}> ?p ?o }} WHERE {{ <{ZONE}> ?p ?o }}"
    result = _client(endpoint, query, fmt)
    assert result.response.status == 200
    converted = result.convert()
    assert converted
