"""Options shared by several commands, each defined once and applied as a decorator."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import Setting, ZonekgError
from ..core.settings import LIMITS, Limit, Limits

#: The flag of each Limits field (the rest: ``--`` and the name with dashes).
LIMIT_FLAGS = {"memory_mb": "--memory"}
#: The flag of each API parameter whose flag is not ``--`` and its name with dashes.
PARAMETER_FLAGS = {"fmt": "--format", "max_memory_mb": "--max-memory"}
#: The API parameters that commands take as arguments, not flags: their metavar.
PARAMETER_ARGUMENTS = {"text": "TEXT", "entity": "ENTITY"}


def flag(setting: Setting) -> str:
    """How the command line names a setting of the API: its flag, with the value where the
    setting has one (``--engine reference``, ``--timeout``)."""
    if setting.within == "Limits":
        return LIMIT_FLAGS.get(setting.parameter) or "--" + setting.parameter.replace("_", "-")
    if setting.parameter in PARAMETER_ARGUMENTS and not setting.within:
        return f"{PARAMETER_ARGUMENTS[setting.parameter]} {setting.value!r}"
    name = PARAMETER_FLAGS.get(setting.parameter) or "--" + setting.parameter.replace("_", "-")
    if setting.value is None or setting.value is True:
        return name
    return f"{name} {setting.value}"


class PositiveNumber(click.ParamType):
    """A limit's value: a positive number (a whole one for counts) of its unit."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.name = limit.unit

    def convert(self, value, param, ctx):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if number <= 0 or (self.limit.whole and number != int(number)):
            kind = "whole number" if self.limit.whole else "number"
            self.fail(f"{value!r} is not a positive {kind} of {self.limit.unit}", param, ctx)
        return int(number) if self.limit.whole else number


def limit_options(command):
    """An option per field of ``Limits``, each also read from its environment variable."""
    for limit in reversed(LIMITS.values()):
        command = click.option(
            LIMIT_FLAGS.get(limit.name) or "--" + limit.name.replace("_", "-"),
            limit.name,
            type=PositiveNumber(limit),
            default=None,
            envvar=limit.env,
            show_envvar=True,
            help=f"{limit.bounds} [default: {_number(limit.default)}]",
        )(command)
    return command


def _number(value: float) -> str:
    return f"{int(value)}" if value == int(value) else f"{value:g}"


def limits_from(given: dict) -> Limits:
    """The Limits of the options (each from its flag, else its variable, else the default)."""
    return Limits().replace(**{name: given.get(name) for name in LIMITS})


def current_limits() -> Limits:
    """The limits the command line was given (``cli``'s options)."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and "limits" in ctx.obj:
            return ctx.obj["limits"]
        ctx = ctx.parent
    return Limits.from_env()


def data_option(command):
    return click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Turtle/TriG file or folder to use instead of the project's data/ (repeatable).",
    )(command)


def ontology_options(command):
    command = click.option(
        "--no-ontology",
        is_flag=True,
        default=False,
        help="Use no ontology at all (not the project's).",
    )(command)
    return click.option(
        "--ontology",
        "ontology",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Ontology file to use instead of the project's (repeatable).",
    )(command)


def ontology_paths(ontology, no_ontology: bool) -> list[Path] | None:
    """The ontology files a command was given: None for the project's, [] for none."""
    if no_ontology and ontology:
        raise ZonekgError(
            "--ontology and --no-ontology contradict each other", hint="give one of them"
        )
    if no_ontology:
        return []
    return list(ontology) or None


def engine_option(command):
    from ..api import DEFAULT_ENGINE, ENGINES

    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=DEFAULT_ENGINE,
        show_default=True,
        help="oxigraph (fast: Oxigraph, compiled SHACL and OWL-RL rules) or reference "
        "(rdflib, pySHACL, owlrl).",
    )(command)


def store_option(command):
    return click.option(
        "--store",
        type=click.Path(path_type=Path),
        default=None,
        help="On-disk Oxigraph store folder: load once, query many times.",
    )(command)


def output_option(help_text: str):
    def decorate(command):
        return click.option(
            "-o", "--output", type=click.Path(path_type=Path), default=None, help=help_text
        )(command)

    return decorate


def data_paths(data) -> list[Path] | None:
    return list(data) or None


def words(text) -> str:
    """An error or a note of the API, each setting it names said as its flag."""
    from ..core.errors import words as said

    return said(text, flag)


def table_limit_option(command):
    from ..core.render import TERMINAL_ROWS

    return click.option(
        "--limit",
        "table_limit",
        type=click.IntRange(min=0),
        default=TERMINAL_ROWS,
        show_default=True,
        envvar="ZONEKG_TABLE_LIMIT",
        show_envvar=True,
        help="Rows of each answer a table shows on a terminal (0: all); the rest are "
        "counted. Piped or redirected output and --format csv/tsv/json/xml give every row.",
    )(command)
