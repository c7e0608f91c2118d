"""``zonekg query``: competency questions, .rq files and SPARQL text, here or at an endpoint."""

from __future__ import annotations

import click

from ..core.errors import ZonekgError
from .options import (
    current_limits,
    data_option,
    data_paths,
    engine_option,
    store_option,
    table_limit_option,
    words,
)
from .output import note, say, table, titled, write

FORMATS = ("table", "csv", "tsv", "json", "xml")


@click.command()
@click.argument("name", required=False)
@click.option("--text", default=None, help="SPARQL text to run.")
@click.option("--all", "run_all", is_flag=True, help="Run every competency question.")
@click.option("--reason", "reasoned", is_flag=True, help="Query the OWL-RL closure as well.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="csv, tsv, json and xml are the W3C SPARQL results formats (values exact).",
)
@table_limit_option
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
def query(name, text, run_all, reasoned, fmt, table_limit, data, engine, store, endpoint) -> None:
    """Run a competency question, an .rq file or SPARQL text."""
    from .. import api

    limits = current_limits()
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
    # every bad query reported before any work
    screened = [api.screen_job(job, limits) for job in jobs]
    if endpoint:
        from ..safety.http import check_url

        check_url(endpoint)  # a bad URL is refused before any work

        def remote_task():
            pushed = api.remote_graphs(endpoint, limits)
            found: list[str] = []
            replies = [
                api.remote_answer(endpoint, s, job.needs_reasoning, pushed, found, limits)
                for job, s in zip(jobs, screened, strict=True)
            ]
            return replies, found

        # what a peer sends is read in the worker, under the time and memory limits
        answers, notes = api.bounded(remote_task, what="the remote query", limits=limits)
        for text_note in dict.fromkeys(notes):
            note(f"warning: {words(text_note)}")
    else:

        def task():
            # every question: a kept store only if it holds every graph they read (else they
            # are made in memory from the files again, after the store is opened)
            reopen = "derived" if run_all else True
            paths = data_paths(data)
            kg = api.load(paths, engine=engine, store=store, limits=limits, reopen=reopen)
            found = api.answer_each(kg, screened, [job.needs_reasoning for job in jobs])
            return found, [*undefined(kg, screened), *kg.notes]

        answers, notes = api.bounded(
            task,
            what=f"query {jobs[0].label}" if len(jobs) == 1 else "the queries",
            limits=limits,
        )
        for text_note in notes:
            shown = words(text_note)
            note(shown if shown.startswith("warning:") else f"note: {shown}")
    print_answers(list(zip(jobs, answers, strict=True)), fmt, every=run_all, limit=table_limit)


def undefined(kg, screened) -> list[str]:
    """A warning for each term of a checked vocabulary (zk: and those the data uses) that a
    query names but the ontology does not describe and the data does not use (a misspelling
    returns nothing, silently, otherwise)."""
    from .. import api
    from ..core.namespaces import ZK, curie

    warnings = []
    for query in screened:
        for iri, close in api.undefined_terms(kg, query):
            hint = f"; did you mean {curie(close)}?" if close else ""
            what = (
                "is not defined in the ontology"
                if iri.startswith(ZK)
                else "is neither used by the data nor documented in the ontology"
            )
            warnings.append(f"warning: {curie(iri)} {what}{hint}")
    return list(dict.fromkeys(warnings))


#: What the note under a table cut short on a terminal says.
ALL_ROWS = "all of them: --limit 0, or exact: --format csv"


def print_answers(answers, fmt: str, every: bool, limit: int | None = None) -> None:
    """Each answer in *fmt*; a table on a terminal shows at most *limit* rows (0: all)."""
    from ..core import render

    for job, result in answers:
        if every:
            say("")
            titled(job.label, f": {job.question}")
        if fmt == "table" and not result.is_graph:
            table(*render.table_cells(result), limit=limit, hint=ALL_ROWS, total=len(result))
        elif result.is_graph and not result.triples:
            if fmt == "table":
                say("no triples", style="dim")
            else:
                note("no triples")
        else:
            write(render.render(result, "turtle" if fmt == "table" else fmt))


COMMANDS = [query]
