"""docs/cli.md is the reference generated from the commands, and up to date."""

from __future__ import annotations

from pathlib import Path

from zonekg.cli import cli
from zonekg.cli.reference import reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_the_cli_reference_matches_the_commands():
    text = reference()
    for name in cli.commands:
        assert f"## zonekg {name}\n" in text
    assert DOC.read_text(encoding="utf-8") == text, (
        "docs/cli.md is out of date: python -m zonekg.cli.reference > docs/cli.md"
    )
