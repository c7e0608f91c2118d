"""The ``zonekg`` command: it parses arguments, calls ``zonekg.api`` and prints.

Commands are grouped by topic (``graph``: validate, reason, run, fmt, stats, why,
questions; ``ask``: query; ``publish``: export, diff, release, diagram,
generate, push; ``serving``: serve). Exit codes: 0 ok, 1 the data fails a
check, 2 bad input or usage, 3 an internal error (a bug).
"""

from __future__ import annotations

import io
import os
import sys
import warnings

import click

from ..core.errors import EXIT_INTERNAL, ZonekgError, environment_error

DEBUG = {"on": False}


@click.group(
    help="A sourced knowledge graph of the China-Japan (Chengdu) zone: "
    "validate, reason, query and inspect it.",
    context_settings={"help_option_names": ["--help"]},
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Time limit in seconds per query, validation or reasoning run.",
)
@click.option("--memory", type=float, default=None, help="Memory limit in MB for those runs.")
def cli(debug: bool, timeout: float | None, memory: float | None) -> None:
    from ..safety.limits import set_from_options

    DEBUG["on"] = debug
    set_from_options(timeout=timeout, memory=memory)


def _register() -> None:
    from . import ask, graph, publish, serving

    for module in (graph, ask, publish, serving):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    from ..safety import guard
    from .output import error, note, write

    guard.install(sys.argv[1:])  # offline, and no file outside the project or the named paths
    if "--debug" not in sys.argv:
        warnings.simplefilter("ignore")  # libraries warn on stderr; the checks report these
    else:
        os.environ["ZONEKG_DEBUG"] = "1"  # the engines then let their libraries log
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
        error("error", str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        note("interrupted")
        sys.exit(130)
    except Exception as exc:
        if DEBUG["on"]:
            raise
        problem = environment_error(exc)  # a full or read-only disk is not a bug
        if problem is not None:
            error("error", str(problem))
            sys.exit(problem.exit_code)
        error(
            "internal error",
            f"{type(exc).__name__}: {exc}\n"
            "  hint: rerun with --debug for the traceback, and report it",
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
