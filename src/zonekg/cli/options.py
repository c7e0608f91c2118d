"""Options shared by several commands, each defined once and applied as a decorator."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import ZonekgError


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
    return click.option(
        "--engine",
        default="oxigraph",
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


def choice(option: str, value: str, choices) -> None:
    """Refuse a value not among *choices*, in the project's own words (exit 2)."""
    if value not in choices:
        raise ZonekgError(f"{option} {value!r} is not one of: {', '.join(choices)}")


def data_paths(data) -> list[Path] | None:
    return list(data) or None
