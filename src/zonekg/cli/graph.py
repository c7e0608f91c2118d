"""Commands on the graph itself: validate, reason, run (the whole pipeline), stats, why, fmt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.errors import EXIT_CHECK_FAILED
from .options import (
    choice,
    data_option,
    data_paths,
    engine_option,
    ontology_options,
    ontology_paths,
    output_option,
    store_option,
)
from .output import count, note, say, write

if TYPE_CHECKING:
    from .. import api


def _notes(notes) -> None:
    for text in notes:
        note(f"note: {text}")


def _progress(step: str, total: int | None, unit: str):
    from .progress import bar

    return bar(step, total, unit)


def load_with_progress(data, engine, store, ill_typed="error", ontology=None) -> api.KnowledgeGraph:
    from .. import api

    with _progress("load", None, "bytes") as advance:
        return api.load(
            data,
            ontology=ontology,
            engine=engine,
            store=store,
            ill_typed=ill_typed,
            progress=advance,
        )


@click.command()
@data_option
@click.option(
    "--inference", default="none", help="Inference before validating: none, rdfs or owlrl."
)
@click.option("--format", "fmt", default="text", help="text, turtle or json.")
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=None,
    help="Shapes file (default: the project's shapes).",
)
@ontology_options
@engine_option
@store_option
def validate(data, inference, fmt, shapes, ontology, no_ontology, engine, store) -> None:
    """Validate the data against the SHACL shapes; exit 1 if it does not conform."""
    from .. import api

    choice("--format", fmt, ("text", "turtle", "json"))
    choice("--inference", inference, api.INFERENCE_CHOICES)
    choice("--engine", engine, ("oxigraph", "reference"))
    onto = ontology_paths(ontology, no_ontology)

    def task():
        kg = load_with_progress(data_paths(data), engine, store, "report", onto)
        with _progress("validate", None, "checks") as advance:
            report = api.validate(kg, shapes, inference, progress=advance)
        return report, kg.notes

    report, notes = api.bounded(task, what="validation")
    _notes(notes)
    print_report(report, fmt, inference)
    if not report.conforms or report.ill_typed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


def print_report(report, fmt: str, inference: str) -> None:
    if fmt == "turtle":
        write(report.report_graph().serialize(format="turtle"))
    elif fmt == "json":
        payload = {"conforms": report.conforms, "results": [r.as_dict() for r in report.results]}
        write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif report.conforms:
        say("Conforms", style="green", end="")
        say(
            f": {report.data_triples} data triples in {report.data_files} files "
            f"meet the shapes (inference: {inference})."
        )
    else:
        from ..core.namespaces import curie

        grouped = report.by_shape()
        say("Does not conform", style="red", end="")
        say(
            f": {count(len(report.results), 'result')} "
            f"in {count(len(grouped), 'shape')} (inference: {inference})."
        )
        for shape, results in grouped.items():
            say("")
            say(shape, style="bold", end="")
            say(f" ({len(results)})")
            for r in results:
                where = ", ".join(str(loc) for loc in r.locations) or "(not in a file)"
                path = f" {curie(str(r.path))}" if r.path is not None else ""
                say(f"  {where}: {curie(str(r.focus))}{path}")
                say(f"    {r.message or '(no message)'}")
    for problem in report.ill_typed:
        note(
            f'{problem.error().where()}: ill-typed literal "{problem.lexical}" for datatype '
            f"<{problem.literal.datatype.value}> (no shape checks it)"
        )


def closure_format(output) -> str:
    """The RDF format the closure is written in: the one the -o file's suffix names."""
    from ..core.formats import RDF, output_format

    return "turtle" if output is None else output_format(output, RDF)


CLOSURE_HELP = "Write the inferred triples here (.ttl, .nt, .nq, .trig, .jsonld or .rdf)."


@click.command()
@data_option
@output_option(CLOSURE_HELP)
@ontology_options
@engine_option
@store_option
def reason(data, output, ontology, no_ontology, engine, store) -> None:
    """Materialise the OWL-RL closure; only the inferred triples are written.

    Exit 1 if ontology and data are inconsistent (the rule and resources are named)."""
    from .. import api

    choice("--engine", engine, ("oxigraph", "reference"))
    onto = ontology_paths(ontology, no_ontology)
    if output is not None:
        api.check_output(output, [*(data or ()), *(onto or ())])  # refused before any work
    syntax = closure_format(output)

    def task():
        kg = load_with_progress(data_paths(data), engine, store, "report", onto)
        with _progress("reason", None, "triples") as advance:
            total = api.reason(kg, progress=advance)
        return api.closure_text(kg, syntax), total, kg.notes

    text, total, notes = api.bounded(task, what="reasoning")
    _notes(notes)
    if output is None:
        write(text)
        return
    api.write_output(output, text, syntax, inputs=data)
    note(f"{total} inferred triples written to {output} (asserted data unchanged).")


@click.command()
@data_option
@output_option(CLOSURE_HELP)
@engine_option
@store_option
def run(data, output, engine, store) -> None:
    """The whole pipeline on one load: validate, reason, answer every competency question."""
    from .. import api
    from .ask import print_answers

    choice("--engine", engine, ("oxigraph", "reference"))
    if output is not None:
        api.check_output(output, data)  # refused before any work
    syntax = closure_format(output)
    jobs = [api.job_for(cq) for cq in api.all_questions()]
    screened = [api.screen_job(job) for job in jobs]

    def task():
        kg = load_with_progress(data_paths(data), engine, store, ill_typed="report")
        report = api.validate(kg)
        total = api.reason(kg)
        answers = [
            api.answer(kg, s, job.needs_reasoning) for job, s in zip(jobs, screened, strict=True)
        ]
        return report, api.closure_text(kg, syntax), total, answers, kg.notes

    report, text, total, answers, notes = api.bounded(task, what="the pipeline")
    _notes(notes)
    print_report(report, "text", "none")
    if output is not None:
        api.write_output(output, text, syntax, inputs=data)
        note(f"{total} inferred triples written to {output} (asserted data unchanged).")
    print_answers(list(zip(jobs, answers, strict=True)), "table", every=True)
    if not report.conforms or report.ill_typed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


@click.command()
def questions() -> None:
    """List the competency questions."""
    from .. import api
    from .output import draw

    found = api.all_questions()
    draw(["name", "question", "inference"], [[q.name, q.question, q.inference] for q in found])


@click.command()
@click.argument("entity")
@data_option
@engine_option
def why(entity, data, engine) -> None:
    """Per source: what it states about an entity, with its record and quoted passages."""
    from .. import api
    from ..core.namespaces import curie

    found = api.bounded(
        lambda: api.why(api.load(data_paths(data), engine=engine), entity), what="why"
    )
    if not found:
        say(f"No provenance recorded for {entity}.")
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
    title = f" — {found.label}" if found.label else ""
    say(f"{curie(found.entity)}{title}", style="bold")
    verb = "states" if len(found.sources) == 1 else "state"
    say(f"{count(len(found.sources), 'source')} {verb} what follows (GRAPH ?source {{ … }}).")
    for source in found.sources:
        say("")
        name = source.label or curie(source.document)
        say(name, style="bold")
        record = [curie(source.document), source.publisher, source.issued]
        if source.url or source.citation:
            record.append(f"<{source.url}>" if source.url else source.citation)
        say("  " + ", ".join(part for part in record if part))
        for quote in source.quotes:
            say(f"  “{quote}”", style="italic")
        for fact in source.facts:
            itself = getattr(fact.value, "value", None) == source.document
            label = "this source" if itself else fact.label
            say(f"    {shown(fact.predicate)} {shown(fact.value, label)}")


def shown(term, label: str = "") -> str:
    """A term as Turtle writes it (long literals cut short), an IRI with its label after it."""
    import pyoxigraph as ox

    from ..core.namespaces import RDF, XSD, curie

    if isinstance(term, str):
        return "a" if term == RDF + "type" else curie(term)
    if isinstance(term, ox.NamedNode):
        return curie(term.value) + (f" ({label})" if label else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = term.value
    if len(text) > 200:
        text = f"{text[:200]}… ({len(term.value)} characters)"
    text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value != XSD + "string":
        return f"{text}^^{curie(term.datatype.value)}"
    return text


@click.command()
@data_option
@engine_option
def stats(data, engine) -> None:
    """Triples per file, entities per class, entities per source."""
    from .. import api
    from ..core.namespaces import curie
    from .output import draw

    s = api.bounded(lambda: api.stats(api.load(data_paths(data), engine=engine)), what="stats")
    draw(
        ["file", "triples"],
        [[f, str(n)] for f, n in s.triples.items()],
        total=("total", str(sum(s.triples.values()))),
    )
    draw(["class", "entities"], [[curie(c), str(n)] for c, n in s.classes])
    draw(
        ["source", "entities derived from it"],
        [[label or curie(d), str(n)] for d, label, n in s.sources],
    )


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only report files that are not canonical; exit 1.")
def fmt(files, check) -> None:
    """Rewrite data files in the stable sorted Turtle form (or --check them)."""
    from ..publish.canonical import reformat

    unformatted = reformat(list(files) or None, check=check)
    verb = "would reformat" if check else "reformatted"
    for file in unformatted:
        note(f"{verb} {file}")
    if check and unformatted:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


COMMANDS = [validate, reason, run, questions, why, stats, fmt]
