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


@pytest.mark.parametrize(
    ("filler", "whole"),
    [("\u2013" + "x" * 600, False), ("\u0627\u0644" * 40, True)],
    ids=["sparse-dashes", "arabic"],
)
def test_bidi_controls_are_found_in_order_among_characters_of_the_same_lead_byte(filler, whole):
    """The controls are looked for where their first byte (D8, E2) is; dashes (E2) and
    Arabic letters (D8) share it. Sparse ones are looked at one by one; a file full of them
    (past one in 256 bytes) is scanned whole. Both find every control, in the file's
    order."""
    lines = [f'<http://example.org/a> <http://example.org/p> "{filler}" .'] * 50
    lines[10] = "<http://example.org/x\u2066y> <http://example.org/p> <http://example.org/b> ."
    lines[30] = "<http://example.org/c> <http://example.org/p> <http://example.org/\u061cd> ."
    lines[40] = f"<http://example.org/{filler[:2]}\u202e> <http://example.org/p> 1 ."
    data = "\n".join(lines).encode("utf-8")
    leads = data.count(b"\xd8") + data.count(b"\xe2")
    assert (leads > len(data) >> 8) == whole, "the data takes the way the case is named after"
    found = bidi_in_iris(data)
    assert found == [(11, 22, "U+2066"), (31, 67, "U+061C"), (41, 23, "U+202E")]


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
