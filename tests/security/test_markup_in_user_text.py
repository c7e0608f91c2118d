"""Case 10: rich markup in user text (`"[/x]"^^xsd:integer`, a path `x[/b].ttl`,
`[bold red]` in a name) gave a traceback with exit 1, or vanished from messages.

The CLI prints user text with markup=False or as rich.text.Text (cli/output.py); the
only markup is the fixed "error:" prefix.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli

MARKUP = ["[/x]", "[bold red]loud[/]", "[/]", "[link=javascript:x]y[/link]"]


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_an_ill_typed_literal_is_shown_as_written(text, tmp_path):
    data = tmp_path / "m.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'ex:a ex:p "{text}"^^xsd:integer .\n',
        encoding="utf-8",
    )
    done = run_cli("stats", "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert text in done.stderr
    assert "Traceback" not in done.stderr


def test_markup_in_a_path_is_shown_as_written(tmp_path):
    folder = tmp_path / "x["
    folder.mkdir()
    data = folder / "b].ttl"
    data.write_text('@prefix ex: <http://example.org/> .\nex:a ex:p "unterminated .\n')
    done = run_cli("validate", "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "x[/b].ttl" in flat(done.stderr)


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_query_results_is_shown_as_written(text):
    query = 'SELECT ?x WHERE { BIND("' + text + '" AS ?x) }'
    done = run_cli("query", "--text", query)
    assert done.returncode == 0, done.stderr
    assert text in done.stdout


def test_markup_in_an_unknown_entity_is_shown_as_written():
    done = run_cli("why", "[bold red]nobody[/]")
    assert done.returncode in (1, 2), done.stdout + done.stderr
    assert "[bold red]nobody[/]" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
