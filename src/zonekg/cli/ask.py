"""``zonekg query``: competency questions, .rq files and SPARQL text, here or at an endpoint."""

from __future__ import annotations

import click

from ..core.errors import ZonekgError
from .options import choice, data_option, data_paths, engine_option, store_option
from .output import note, say, table, write

FORMATS = ("table", "csv", "tsv", "json", "xml")


@click.command()
@click.argument("name", required=False)
@click.option("--text", default=None, help="SPARQL text to run.")
@click.option("--all", "run_all", is_flag=True, help="Run every competency question.")
@click.option("--reason", "reasoned", is_flag=True, help="Query the OWL-RL closure as well.")
@click.option(
    "--format",
    "fmt",
    default="table",
    help="table, csv, tsv, json or xml (the last four: W3C SPARQL results formats, values exact).",
)
@data_option
@engine_option
@store_option
@click.option(
    "--endpoint",
    default=None,
    help="Run at this SPARQL 1.1 endpoint instead (the only URL used). After `zonekg push`, "
    "each question is asked over the graphs it needs. Credentials: ~/.netrc or ZONEKG_USER "
    "and ZONEKG_PASSWORD.",
)
def query(name, text, run_all, reasoned, fmt, data, engine, store, endpoint) -> None:
    """Run a competency question, an .rq file or SPARQL text."""
    from .. import api

    choice("--format", fmt, FORMATS)
    choice("--engine", engine, ("oxigraph", "reference"))
    given = sum(x is not None and x is not False for x in (name, text, run_all or None))
    if given != 1:
        raise ZonekgError(
            "give exactly one of: a question name or file, --text, or --all",
            hint="see `zonekg questions` for the names",
        )
    if text is not None:
        jobs = [api.Job("--text", "", text, reasoned)]
    elif run_all:
        jobs = [api.job_for(cq, reasoned or None) for cq in api.all_questions()]
    else:
        jobs = [api.job_for(api.find_question(name), reasoned or None)]
    screened = [api.screen_job(job) for job in jobs]  # every bad query reported before any work
    if endpoint:
        from ..safety.http import check_url

        check_url(endpoint)  # a bad URL is refused before any work

        def remote_task():
            pushed = api.remote_graphs(endpoint)
            found: list[str] = []
            replies = [
                api.remote_answer(endpoint, s, job.needs_reasoning, pushed, found)
                for job, s in zip(jobs, screened, strict=True)
            ]
            return replies, found

        # what a peer sends is read in the worker, under the time and memory limits
        answers, notes = api.bounded(remote_task, what="the remote query")
        for text_note in dict.fromkeys(notes):
            note(f"warning: {text_note}")
    else:

        def task():
            kg = api.load(data_paths(data), engine=engine, store=store)
            found = [
                api.answer(kg, s, job.needs_reasoning)
                for job, s in zip(jobs, screened, strict=True)
            ]
            return found, [*undefined(kg, screened), *kg.notes]

        answers, notes = api.bounded(
            task, what=f"query {jobs[0].label}" if len(jobs) == 1 else "the queries"
        )
        for text_note in notes:
            note(text_note if text_note.startswith("warning:") else f"note: {text_note}")
    print_answers(list(zip(jobs, answers, strict=True)), fmt, every=run_all)


def undefined(kg, screened) -> list[str]:
    """A warning for each term of the ontology's namespace that a query names but the
    ontology does not define (a misspelling returns nothing, silently, otherwise)."""
    from .. import api
    from ..core.namespaces import curie

    warnings = []
    for query in screened:
        for iri, close in api.undefined_terms(kg, query):
            hint = f"; did you mean {curie(close)}?" if close else ""
            warnings.append(f"warning: {curie(iri)} is not defined in the ontology{hint}")
    return list(dict.fromkeys(warnings))


def print_answers(answers, fmt: str, every: bool) -> None:
    from ..core import render

    for job, result in answers:
        if every:
            say("")
            say(job.label, style="bold", end="")
            say(f": {job.question}")
        if fmt == "table" and not result.is_graph:
            table(*render.table_cells(result))
        elif result.is_graph and not result.triples:
            if fmt == "table":
                say("no triples", style="dim")
            else:
                note("no triples")
        else:
            write(render.render(result, "turtle" if fmt == "table" else fmt))


COMMANDS = [query]
