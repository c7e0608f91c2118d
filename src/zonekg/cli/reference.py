"""The command-line reference (docs/cli.md), generated from the click commands themselves,
so that it cannot drift: ``tests/test_cli_reference.py`` compares the file with this.

    python -m zonekg.cli.reference > docs/cli.md
"""

from __future__ import annotations

import click


def _options(command: click.Command, ctx: click.Context) -> list[str]:
    lines = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or isinstance(param, click.Argument):
            continue
        names, text = record
        text = text.replace("|", "\\|")
        lines.append(f"| `{names}` | {text} |")
    if not lines:
        return []
    return ["| option | what it does |", "|---|---|", *lines, ""]


def _usage(command: click.Command, ctx: click.Context, name: str) -> str:
    pieces = " ".join(command.collect_usage_pieces(ctx))
    return f"zonekg {name} {pieces}".rstrip()


def reference() -> str:
    from . import cli

    root = click.Context(cli, info_name="zonekg")
    lines = [
        "# zonekg command-line reference",
        "",
        "Generated from the commands by `python -m zonekg.cli.reference > docs/cli.md`;",
        "a test checks that this file matches them. Exit codes: 0 ok, 1 the data fails a",
        "check, 2 bad input or usage (a bad query included, with its position), 3 an",
        "internal error (a bug: please report it).",
        "",
        "```",
        "zonekg [OPTIONS] COMMAND [ARGS]...",
        "```",
        "",
        cli.help or "",
        "",
        *_options(cli, root),
    ]
    for name in sorted(cli.commands):
        command = cli.commands[name]
        ctx = click.Context(command, info_name=name, parent=root)
        lines += [
            f"## zonekg {name}",
            "",
            "```",
            _usage(command, ctx, name),
            "```",
            "",
            (command.help or "").strip(),
            "",
            *_options(command, ctx),
        ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    from .output import write

    write(reference())
