"""The examples of the README and of every manual page (docs/*.md) run as written.

Python examples run as doctests, console examples as commands whose output and exit status
are compared with the page, SPARQL runs over the graph, data excerpts must be in the data,
and the commands of the blocks that are only shown must parse (tests/docs_support.py says
which block is which).
"""

from __future__ import annotations

import doctest
import os
import re
from contextlib import ExitStack
from pathlib import Path

import docs_support as docs
import pytest
from serve_support import running_server

PAGES = [docs.README, *docs.manual_pages()]


def test_the_manual_has_its_pages():
    found = {p.name for p in docs.manual_pages()}
    assert len(found) >= 8, found
    assert {"usage.md", "querying.md", "python-api.md", "serving.md"} <= found
    for page, why in docs.NOT_MANUAL.items():
        assert (docs.DOCS / page).is_file(), (page, why)


def test_the_readme_is_a_front_door():
    lines = docs.README.read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines: move the details to docs/"


def test_every_relative_link_resolves():
    checked, broken = 0, []
    for page in docs.all_pages():
        for line, target in docs.links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # an address elsewhere (https:, mailto:): not the project's
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            checked += 1
            if not linked.exists():
                broken.append(f"{docs.name(page)}:{line}: {target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in docs.anchors(linked):
                broken.append(f"{docs.name(page)}:{line}: {target}: no such heading")
    assert checked > 50, checked
    assert not broken, "\n".join(broken)


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    """A `zonekg serve` for the pages' curl commands, started on first use."""
    with ExitStack() as stack:
        started: list[str] = []

        def url() -> str:
            if not started:
                tmp = tmp_path_factory.mktemp("page-server")
                started.append(stack.enter_context(running_server(tmp)).url)
            return started[0]

        yield url


@pytest.fixture(scope="module")
def graph():
    from zonekg import api

    return api.load()


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_every_block_is_of_a_known_kind(page):
    found = docs.blocks(page)
    assert found, f"{docs.name(page)} has no examples"
    for block in found:
        assert block.kind in docs.KINDS, f"{block.where}: a ```{block.kind} block"
        if block.kind == "python":
            assert ">>> " in block.text, f"{block.where}: a python block with no doctest"
    assert any(b.kind in docs.RUN_KINDS for b in found), f"{docs.name(page)}: nothing runs"


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_python_examples_run(page, monkeypatch):
    monkeypatch.chdir(docs.ROOT)
    for variable in [v for v in os.environ if v.startswith("ZONEKG_")]:
        monkeypatch.delenv(variable)
    text = page.read_text(encoding="utf-8")
    failures, tried = doctest.testfile(
        str(page), module_relative=False, optionflags=docs.FLAGS, encoding="utf-8"
    )
    assert failures == 0
    in_python = sum(
        line.startswith(">>> ")
        for block in docs.blocks(page)
        if block.kind == "python"
        for line in block.text.splitlines()
    )
    assert tried == in_python == text.count("\n>>> "), "every >>> in a python block, run"


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_console_examples_give_the_output_shown(page, page_server):
    ran, problems = 0, []
    for block in (b for b in docs.blocks(page) if b.kind == "console"):
        for command in docs.commands(block):
            output, status = docs.run(command, page_server)
            ran += 1
            problem = docs.check(command, output, status)
            if problem:
                problems.append(problem)
    assert not problems, "\n\n".join(problems)
    if "```console" in page.read_text(encoding="utf-8"):
        assert ran > 0


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_sparql_examples_answer(page, graph):
    from zonekg import api

    for block in (b for b in docs.blocks(page) if b.kind == "sparql"):
        assert api.query(graph, block.text) is not None, block.where


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_data_excerpts_are_in_the_data(page):
    import pyoxigraph as ox

    from zonekg.core.namespaces import PREFIXES

    excerpts = [b for b in docs.blocks(page) if b.kind == "trig"]
    if not excerpts:
        return
    data = {q for f in sorted((docs.ROOT / "data").glob("*.trig")) for q in ox.parse(path=f)}
    assert data
    head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    for block in excerpts:
        quads = list(ox.parse(head + block.text, format=ox.RdfFormat.TRIG))
        assert quads, block.where
        missing = [q for q in quads if q not in data]
        assert not missing, f"{block.where}: not in data/*.trig: {missing[:3]}"


@pytest.mark.parametrize("page", PAGES, ids=docs.name)
def test_shown_commands_parse(page):
    targets = docs.makefile_targets()
    for block in (b for b in docs.blocks(page) if b.kind in ("sh", "console")):
        lines = (
            [c.words for c in docs.commands(block)]
            if block.kind == "console"
            else docs.shell_commands(block)
        )
        for words in lines:
            _, words = docs.split_assignments(words)
            if Path(words[0]).name == "zonekg":
                docs.parse_zonekg(words[1:])
            elif words[0] == "make":
                assert all(t in targets for t in words[1:]), (block.where, words)


def test_the_api_page_names_what_api_has():
    from zonekg import api

    names = docs.documented_api_names()
    assert len(names) > 10
    assert [n for n in names if not hasattr(api, n)] == []
