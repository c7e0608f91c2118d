"""Case 20: an IRI containing U+202E (right-to-left override) was accepted everywhere,
without a word.

inputs/checks.bidi_in_iris finds bidi controls inside <IRIs>; every command that reads
the file warns with file:line:column (a literal in Arabic or Hebrew may need them).
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli

from zonekg.inputs.checks import bidi_in_iris


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_a_bidi_control_in_an_iri_is_found_with_its_place(char):
    data = f'@prefix ex: <http://example.org/> .\n\n<http://example.org/a{char}b> ex:p "x" .\n'
    assert bidi_in_iris(data.encode("utf-8")) == [(3, 22, f"U+{ord(char):04X}")]


def test_a_bidi_control_in_a_literal_is_left_alone():
    data = '<http://example.org/a> <http://example.org/p> "\u202ehello" .\n'
    assert bidi_in_iris(data.encode("utf-8")) == []


@pytest.mark.parametrize("command", ["stats", "validate", "export"])
def test_the_cli_warns_with_file_and_line(command, tmp_path):
    data = tmp_path / "b.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n<http://example.org/txt.\u202eexe> ex:p ex:b .\n",
        encoding="utf-8",
    )
    done = run_cli(command, "--data", str(data))
    assert "b.ttl:2:" in flat(done.stderr), done.stderr
    assert "U+202E" in done.stderr


def test_the_warning_is_repeated_when_the_checks_are_remembered(tmp_path):
    # the second read takes the file's checks from the cache; the warning must come back too
    data = tmp_path / "b.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n<http://example.org/txt.\u202eexe> ex:p ex:b .\n",
        encoding="utf-8",
    )
    env = {"ZONEKG_CACHE": str(tmp_path / "cache")}
    for _ in range(2):
        done = run_cli("stats", "--data", str(data), env=env)
        assert "b.ttl:2:" in flat(done.stderr) and "U+202E" in done.stderr, done.stderr
    assert list((tmp_path / "cache" / "checked").iterdir()), "nothing was remembered"
