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


def _help(*args: str, columns: int = 80) -> str:
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": str(columns)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_group_help_gives_every_command_its_whole_description():
    """click cut 11 of 15 command descriptions short with "..." in `zonekg --help`."""
    from zonekg.cli import summary

    shown = _help()
    assert "..." not in shown.split("Commands:", 1)[1]
    flat = " ".join(shown.split())
    assert cli.commands
    for name, command in cli.commands.items():
        whole = " ".join(summary(command).split())
        assert len(whole) > 20, name
        assert f"{name} {whole}" in flat, name


def test_every_command_has_examples_that_its_parser_accepts():
    """Each example is parsed by the commands themselves: no unknown option, no missing
    argument, every choice one the command offers (nothing is run)."""
    import shlex

    from zonekg.cli.usage import ARGUMENTS, EXAMPLES

    assert set(EXAMPLES) == set(cli.commands)
    for name, examples in EXAMPLES.items():
        assert examples, name
        for line, what in examples:
            words = shlex.split(line)
            assert words[:2] == ["zonekg", name] and what, line
            with cli.make_context("zonekg", words[1:], resilient_parsing=False) as ctx:
                command = cli.commands[name]
                command.make_context(name, words[2:], parent=ctx)
        shown = _help(name)
        assert "Examples:" in shown and examples[0][0] in shown, name
    # every argument of every command says what form it takes
    for name, command in cli.commands.items():
        arguments = [
            p.human_readable_name for p in command.params if p.param_type_name == "argument"
        ]
        assert sorted(ARGUMENTS.get(name, {})) == sorted(arguments), name


def test_why_and_query_help_say_what_their_argument_takes():
    query = " ".join(_help("query").split())
    assert "NAME: a competency question by name or number" in query and "cq04" in query
    why = " ".join(_help("why").split())
    assert "ENTITY: an entity of the graph as a CURIE" in why and "zone:chengdu" in why
