"""The ``zonekg`` command: it parses arguments, calls ``zonekg.api`` and prints.

Commands are grouped by topic (``graph``: validate, reason, run, fmt, stats, why,
questions; ``ask``: query; ``publish``: export, diff, release, diagram,
generate, push; ``serving``: serve). Exit codes: 0 ok, 1 the data fails a
check, 2 bad input or usage, 3 an internal error (a bug).
"""

from __future__ import annotations

import io
import sys
import warnings

import click

from ..core.errors import EXIT_INTERNAL, ZonekgError, environment_error, words
from .options import flag, limit_options, limits_from

DEBUG = {"on": False}


#: Which module holds each command: a command's module is imported when it runs (so that
#: ``zonekg query`` does not import what ``serve`` or ``export`` need), all of them for help.
LAZY = {
    **dict.fromkeys(
        ["validate", "reason", "run", "questions", "find", "why", "stats", "fmt"], "graph"
    ),
    "query": "ask",
    **dict.fromkeys(["export", "diff", "release", "diagram", "generate", "push"], "publish"),
    "serve": "serving",
}


class Commands(click.Group):
    """The command group: its help lists each command with its whole description (the
    first paragraph of its help, wrapped), never cut short with "...". Its commands are
    imported when first asked for (``LAZY``); ``commands`` holds them all."""

    @property
    def commands(self) -> dict[str, click.Command]:
        for module in sorted(set(LAZY.values())):
            self._load(module)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value
        self._loaded: set[str] = set()

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._commands[name or cmd.name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._commands and cmd_name in LAZY:
            self._load(LAZY[cmd_name])
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*LAZY, *self._commands})

    def _load(self, module: str) -> None:
        if module in self._loaded:
            return
        self._loaded.add(module)
        from importlib import import_module

        from .usage import epilog

        for command in import_module(f".{module}", __name__).COMMANDS:
            command.epilog = epilog(command.name)
            self.add_command(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, " ".join(summary(command).split()))
            for name, command in sorted(self.commands.items())
            if not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def summary(command: click.Command) -> str:
    """What a command does: its short help where it has one, else its help's first paragraph."""
    return command.short_help or (command.help or "").strip().split("\n\n")[0]


@click.group(
    cls=Commands,
    epilog="Run `zonekg COMMAND --help` for a command's options, argument forms and examples.",
    help="A sourced knowledge graph of the China-Japan (Chengdu) zone: "
    "validate, reason, query and inspect it.",
    context_settings={"help_option_names": ["--help"]},
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@limit_options
@click.pass_context
def cli(ctx: click.Context, debug: bool, **limits: float | None) -> None:
    DEBUG["on"] = debug
    ctx.obj = {"limits": limits_from(limits)}  # the one Limits every command passes on


def main() -> None:
    from ..core.errors import InputWarning
    from ..safety import guard
    from .output import error, note, show_warning, write

    guard.install(sys.argv[1:])  # offline, and no file outside the project or the named paths
    if "--debug" not in sys.argv:
        warnings.simplefilter("ignore")  # libraries warn on stderr; the checks report these
    else:
        import logging

        logging.getLogger("rdflib").setLevel(logging.WARNING)  # the libraries then log
    warnings.simplefilter("always", InputWarning)  # each input's own: file, line, what to do
    warnings.showwarning = show_warning
    try:
        # Without standalone mode click returns an Exit's code instead of exiting.
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.NoArgsIsHelpError as exc:
        write((exc.ctx.get_help() if exc.ctx else str(exc)) + "\n")
        sys.exit(0)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)  # usage and message, which may repeat what was typed
        note(shown.getvalue().rstrip("\n"))
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        note("interrupted")
        sys.exit(130)
    except ZonekgError as exc:
        if DEBUG["on"]:
            raise
        error("error", words(exc, flag))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        note("interrupted")
        sys.exit(130)
    except Exception as exc:
        if DEBUG["on"]:
            raise
        problem = environment_error(exc)  # a full or read-only disk is not a bug
        if problem is not None:
            error("error", words(problem, flag))
            sys.exit(problem.exit_code)
        error(
            "internal error",
            f"{type(exc).__name__}: {exc}\n"
            "  hint: rerun with --debug for the traceback, and report it",
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
