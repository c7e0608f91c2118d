"""Every JSON-LD document zonekg produces, read by the processors other systems use.

The documents: `zonekg export --format jsonld`; the release's zonekg.jsonld, framed
documents (the zone, one per class) and context.jsonld; the server's `/id/...` and `/def`
descriptions as JSON-LD, its CONSTRUCT answers as JSON-LD, and its /context.jsonld. Each is
read by pyld in JSON-LD 1.0 and in 1.1 processing mode, by jsonld.js (npm `jsonld`, `make
jsonld-js`) in both modes, and by Apache Jena's riot as Debian packages it (its JSON-LD 1.0
reader; `make tools`), and must give the triples of the same thing written as N-Quads or
N-Triples (isomorphic graphs): the export's N-Triples, the release's zonekg.nt, the server's
`.nt` descriptions. A framed document holds the part of the graph its frame selects: its
roots and every node they lead to. Nothing is fetched: the processors are given a document
loader that serves only the project's context.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jena_support
import pytest
from pyld import jsonld as pyld
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import RDF
from serve_support import running_server

from zonekg.core import jsonld
from zonekg.core.namespaces import BASE, ID

ROOT = Path(__file__).resolve().parents[1]
JSONLD_JS = ROOT / "build" / "jsonld-js" / "node_modules"
READER = Path(__file__).parent / "jsonld-js" / "read.js"
MODES = ("json-ld-1.0", "json-ld-1.1")
ZONE = URIRef(jsonld.ZONE_IRI)
CONSTRUCT = f"CONSTRUCT {{ <{ZONE}> ?p ?o }} WHERE {{ <{ZONE}> ?p ?o }}"


@dataclass
class Document:
    path: Path
    expected: Graph  # its triples, from another serialisation of the same thing
    group: str  # export, release, framed, server


def _triples(nquads: str) -> Graph:
    """The triples of N-Quads (or N-Triples) text, graphs merged."""
    dataset = Dataset()
    if nquads.strip():
        dataset.parse(data=nquads, format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _reachable(graph: Graph, roots) -> Graph:
    """The roots and every node they lead to (not through rdf:type): what a frame that
    embeds each node once holds."""
    seen, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            if p != RDF.type and isinstance(o, URIRef | BNode):
                todo.append(o)
    found = Graph()
    for node in seen:
        for p, o in graph.predicate_objects(node):
            found.add((node, p, o))
    return found


def _zonekg(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def documents(tmp_path_factory, release_bundle) -> dict[str, Document]:
    folder = tmp_path_factory.mktemp("jsonld-documents")
    docs: dict[str, Document] = {}

    _zonekg("export", "--format", "jsonld", "-o", str(folder / "export.jsonld"))
    # the flat JSON-LD holds the asserted graphs merged, as N-Triples does (the N-Quads
    # hold the published dataset, with the types and the closure besides)
    _zonekg("export", "--format", "ntriples", "-o", str(folder / "export.nt"))
    docs["export"] = Document(
        folder / "export.jsonld", _triples((folder / "export.nt").read_text()), "export"
    )

    whole = _triples((release_bundle / "zonekg.nt").read_text(encoding="utf-8"))
    docs["release zonekg.jsonld"] = Document(release_bundle / "zonekg.jsonld", whole, "release")
    docs["release context.jsonld"] = Document(release_bundle / "context.jsonld", Graph(), "release")
    terms = jsonld.context()
    for path in sorted((release_bundle / "jsonld").glob("*.jsonld")):
        if path.stem.startswith("zone-"):
            reverse = [
                s
                for p in ("concerns", "about", "hasMember")
                for s in whole.subjects(URIRef(BASE + "def#" + p), ZONE)
            ]
            expected = _reachable(whole, [ZONE, *reverse])
        else:
            cls = URIRef(_expand(terms[path.stem]))
            expected = _reachable(whole, whole.subjects(RDF.type, cls))
        docs[f"release jsonld/{path.name}"] = Document(path, expected, "framed")

    with running_server(folder) as server, server.client() as http:
        local = server.url + "/"

        def fetch(path: str, name: str) -> Path:
            response = http.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            target = folder / "served" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.content)
            return target

        docs["server /def"] = Document(
            fetch("/def.jsonld", "def.jsonld"),
            _triples(fetch("/def.nt", "def.nt").read_text()),
            "server",
        )
        docs["server /context.jsonld"] = Document(
            fetch("/context.jsonld", "context.jsonld"), Graph(), "server"
        )
        ask = f"/sparql?query={quote(CONSTRUCT)}"
        docs["server CONSTRUCT"] = Document(
            fetch(ask + "&format=json-ld", "construct.jsonld"),
            _triples(fetch(ask + "&format=nt", "construct.nt").read_text()),
            "server",
        )
        for iri in sorted({t for triple in whole for t in triple if _ours(t)}):
            path = "/id/" + str(iri)[len(ID) :]
            name = path[len("/id/") :].replace("/", "--")
            served = _triples(fetch(path + ".nt", name + ".nt").read_text())
            assert any(str(s).startswith(local) for s in served.subjects()), path
            docs[f"server {path}"] = Document(
                fetch(path + ".jsonld", name + ".jsonld"), served, "server"
            )
    return docs


def _ours(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(ID)


def _expand(term) -> str:
    from zonekg.core.namespaces import expand

    return expand(term if isinstance(term, str) else term["@id"])


def _compare(name: str, doc: Document, got: Graph) -> str | None:
    if isomorphic(got, doc.expected):
        return None
    _, missing, extra = graph_diff(doc.expected, got)
    return (
        f"{name}: {len(got)} triples, expected {len(doc.expected)}; "
        f"missing e.g. {sorted(missing)[:2]}, extra e.g. {sorted(extra)[:2]}"
    )


def _pyld_loader(context_text: str):
    context = json.loads(context_text)

    def load(url, options=None):
        if url == jsonld.CONTEXT_IRI:
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": context,
            }
        raise pyld.JsonLdError(
            f"refusing to fetch {url}", "jsonld.LoadDocumentError", code="loading document failed"
        )

    return load


def test_every_kind_of_document_is_there(documents):
    groups = [doc.group for doc in documents.values()]
    assert groups.count("export") == 1
    assert groups.count("release") == 2
    assert groups.count("framed") > 20
    assert groups.count("server") > 150
    assert all(len(doc.expected) > 0 for name, doc in documents.items() if "context" not in name)


@pytest.mark.parametrize("mode", MODES)
def test_pyld_reads_every_document_in_both_modes(documents, mode, no_network):
    options = {
        "documentLoader": jsonld.loader,
        "format": "application/n-quads",
        "processingMode": mode,
    }
    problems = []
    for name, doc in documents.items():
        text = doc.path.read_text(encoding="utf-8")
        try:
            got = _triples(pyld.to_rdf(json.loads(text), options))
        except pyld.JsonLdError as exc:
            problems.append(f"{name}: {str(exc).splitlines()[0]}")
            continue
        problem = _compare(name, doc, got)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def _jsonld_js(mode: str, context: Path, paths: list[Path]) -> dict[str, dict]:
    assert JSONLD_JS.joinpath("jsonld").is_dir(), (
        "jsonld.js is missing: `make jsonld-js` installs it"
    )
    done = subprocess.run(
        ["node", str(READER), mode, str(context), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NODE_PATH": str(JSONLD_JS)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == len(paths), done.stderr[-2000:]
    return {line["path"]: line for line in lines}


@pytest.mark.parametrize("mode", MODES)
def test_jsonld_js_reads_every_document_in_both_modes(documents, mode):
    read = _jsonld_js(mode, jsonld.CONTEXT_FILE, [doc.path for doc in documents.values()])
    problems = []
    for name, doc in documents.items():
        line = read[str(doc.path)]
        if not line["ok"]:
            problems.append(f"{name}: {line['error']}")
            continue
        problem = _compare(name, doc, _triples(line["nquads"]))
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("where", ["release", "server"])
def test_the_context_file_reads_a_document_that_names_it(documents, where, tmp_path):
    # a document may name the context by its address instead of carrying it inline; both
    # kinds of processor then read it from the context file published beside the documents
    context = documents[
        f"{where} context.jsonld" if where == "release" else "server /context.jsonld"
    ]
    export = documents["export"]
    doc = json.loads(export.path.read_text(encoding="utf-8"))
    doc["@context"] = jsonld.CONTEXT_IRI
    named = tmp_path / "named-context.jsonld"
    named.write_text(json.dumps(doc), encoding="utf-8")
    loader = _pyld_loader(context.path.read_text(encoding="utf-8"))
    for mode in MODES:
        options = {
            "documentLoader": loader,
            "format": "application/n-quads",
            "processingMode": mode,
        }
        assert _compare(mode, export, _triples(pyld.to_rdf(doc, options))) is None
        line = _jsonld_js(mode, context.path, [named])[str(named)]
        assert line["ok"], line
        assert _compare(mode, export, _triples(line["nquads"])) is None


def _riot(tmp_path: Path, *paths: Path) -> Graph:
    done = jena_support.riot(tmp_path, "--syntax=jsonld10", "--output=nq", *map(str, paths))
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr[-2000:]
    return _triples(done.stdout)


def test_jena_riot_reads_every_document(documents, tmp_path):
    assert jena_support.installed(), "Debian's Jena is missing: `make tools` installs it"
    # each whole-graph document on its own; the many small ones together (a JVM per
    # document would take minutes), their triples against the union of what each should give
    problems = []
    singles = [
        "export",
        "release zonekg.jsonld",
        "release jsonld/zone-chengdu.jsonld",
        "server /def",
    ]
    for name in singles:
        problem = _compare(f"riot {name}", documents[name], _riot(tmp_path, documents[name].path))
        if problem:
            problems.append(problem)
    for group, prefix in (("framed", "release jsonld/"), ("server", "server /id/")):
        chosen = [d for n, d in documents.items() if d.group == group and n.startswith(prefix)]
        assert chosen
        union = Document(chosen[0].path, Graph(), group)
        for doc in chosen:
            union.expected += doc.expected
        problem = _compare(f"riot {group}", union, _riot(tmp_path, *(d.path for d in chosen)))
        if problem:
            problems.append(problem)
    contexts = [d.path for n, d in documents.items() if "context" in n]
    assert len(_riot(tmp_path, *contexts)) == 0
    assert not problems, "\n".join(problems)
