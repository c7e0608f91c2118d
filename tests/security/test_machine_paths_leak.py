"""Issue 18, class G: machine paths leak.

Relative IRIs resolved to file:///…/the/absolute/path of the file, and /sparql served
them to any origin, and so did the /id/….ttl pages.

inputs: a file without @base resolves relative IRIs against its graph IRI (a path in the
project, or external/{digest}/{name} for a file outside it), never against where it
lives; the warning naming file:line stays.
"""

from __future__ import annotations

import pytest
from safety_support import ROOT

from zonekg import api
from zonekg.core.errors import InputWarning
from zonekg.core.namespaces import graph_iri
from zonekg.inputs import read_file

RELATIVE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix zone: <https://w3id.org/zonekg/id/zone/> .

zone:chengdu rdfs:seeAlso <notes.html> .
<local-thing> rdfs:label "a thing named relative to its file"@en .
<> rdfs:comment "this document" .
"""


@pytest.fixture()
def relative(tmp_path):
    path = tmp_path / "private-folder" / "relative.ttl"
    path.parent.mkdir()
    path.write_text(RELATIVE, encoding="utf-8")
    return path


def _terms(kg) -> set[str]:
    return {
        term.value
        for q in kg.quads(kg.asserted_graphs)
        for term in (q.subject, q.object)
        if hasattr(term, "value")
    }


def test_relative_iris_resolve_against_the_graph_iri(relative, engine):
    with pytest.warns(InputWarning) as caught:
        kg = api.load([relative], ontology=[], engine=engine)
    terms = _terms(kg)
    base = graph_iri(relative)
    assert {base, base.rsplit("/", 1)[0] + "/notes.html"} <= terms
    assert not [t for t in terms if t.startswith("file:") or "private-folder" in t]
    warned = "\n".join(str(w.message) for w in caught)
    assert f"{relative}:4:" in warned
    assert f"resolved against the file's graph IRI <{base}>" in warned


def test_a_project_file_resolves_against_its_project_path():
    data = ROOT / "data" / "zone.trig"
    assert read_file(data).base == "https://w3id.org/zonekg/graph/data/zone.trig"


MADE_FROM_RELATIVE_IRIS = """
SELECT ?s ?o WHERE {
  { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }
  UNION { ?s <http://www.w3.org/2000/01/rdf-schema#label> "a thing named relative to its file"@en }
  UNION { ?s <http://www.w3.org/2000/01/rdf-schema#comment> "this document" }
}
"""


def test_sparql_and_pages_serve_no_local_path(relative, tmp_path):
    from serve_support import running_server

    origin = {"Origin": "https://elsewhere.example"}
    with (
        running_server(tmp_path, "--data", "data", "--data", str(relative)) as server,
        server.client() as client,
    ):
        answer = client.get(
            "/sparql",
            params={"query": MADE_FROM_RELATIVE_IRIS},
            headers={**origin, "Accept": "text/csv"},
        )
        page = client.get("/id/zone/chengdu.ttl", headers=origin)
    assert answer.status_code == 200 and page.status_code == 200
    assert len(answer.text.splitlines()) == 4, answer.text  # the header and three rows
    assert "notes.html" in answer.text and "notes.html" in page.text
    for text in (answer.text, page.text):
        assert "file:" not in text and str(tmp_path) not in text
