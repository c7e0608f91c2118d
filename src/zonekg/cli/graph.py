"""Commands on the graph itself: validate, reason, run (the whole pipeline), stats, why, fmt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..api import INFERENCE_CHOICES
from ..core.errors import EXIT_CHECK_FAILED
from ..core.namespaces import INFERRED_GRAPH
from .options import (
    current_limits,
    data_option,
    data_paths,
    engine_option,
    ontology_options,
    ontology_paths,
    output_option,
    store_option,
    words,
)
from .output import count, note, say, titled, write

if TYPE_CHECKING:
    from .. import api

#: The formats ``validate`` prints its report in.
REPORT_FORMATS = ("text", "turtle", "json")


def _notes(notes) -> None:
    for text in notes:
        note(f"note: {words(text)}")


def _progress(step: str, total: int | None, unit: str):
    from .progress import bar

    return bar(step, total, unit)


def load_with_progress(
    data, engine, store, ill_typed="error", ontology=None, reopen=True
) -> api.KnowledgeGraph:
    from .. import api

    with _progress("load", None, "bytes") as advance:
        return api.load(
            data,
            ontology=ontology,
            engine=engine,
            store=store,
            ill_typed=ill_typed,
            limits=current_limits(),
            progress=advance,
            reopen=reopen,
        )


@click.command()
@data_option
@click.option(
    "--inference",
    type=click.Choice(INFERENCE_CHOICES),
    default="none",
    show_default=True,
    help="Inference before validating.",
)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True
)
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=None,
    help="Shapes file (default: the project's shapes).",
)
@ontology_options
@engine_option
@store_option
@click.option(
    "--endpoint",
    default=None,
    help="Validate inside the store at this SPARQL 1.1 query endpoint instead (the only URL "
    "used), over what `zonekg push` wrote there: the shapes run there as SPARQL. "
    "Credentials: ~/.netrc or ZONEKG_USER and ZONEKG_PASSWORD.",
)
def validate(data, inference, fmt, shapes, ontology, no_ontology, engine, store, endpoint) -> None:
    """Validate the data against the SHACL shapes; exit 1 if it does not conform."""
    from .. import api

    onto = ontology_paths(ontology, no_ontology)
    limits = current_limits()
    if endpoint:
        from ..safety.http import check_url, shown_url

        check_url(endpoint)  # a bad URL is refused before any work

        def remote_task():
            with _progress("validate", None, "checks") as advance:
                found = api.validate_remote(endpoint, shapes, inference, limits, advance)
            return found, []

        task, where = remote_task, f" at {shown_url(endpoint)}"
    else:

        def task():
            # validation writes into the store (its scratch graph): a kept store would be
            # copied into memory from the files again (a later validate at 100k triples
            # took 1.54 s against the first's 1.14 s)
            kg = load_with_progress(data_paths(data), engine, store, "report", onto, reopen=False)
            with _progress("validate", None, "checks") as advance:
                report = api.validate(kg, shapes, inference, progress=advance)
            return report, kg.notes

        where = ""
    # what a peer sends is read in the worker, under the time and memory limits
    report, notes = api.bounded(task, what="validation", limits=limits)
    _notes(notes)
    print_report(report, fmt, inference, where)
    if not report.conforms or report.ill_typed:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


def print_report(report, fmt: str, inference: str, where: str = "") -> None:
    if fmt == "turtle":
        write(report.report_graph().serialize(format="turtle"))
    elif fmt == "json":
        payload = {"conforms": report.conforms, "results": [r.as_dict() for r in report.results]}
        write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif report.conforms:
        titled(
            "Conforms",
            f": {report.data_triples} data triples in {report.data_files} "
            f"{'graphs' if where else 'files'}{where} meet the shapes (inference: {inference}).",
            style="green",
        )
    else:
        from ..core.namespaces import curie

        grouped = report.by_shape()
        titled(
            "Does not conform",
            f": {count(len(report.results), 'result')} "
            f"in {count(len(grouped), 'shape')} (inference: {inference}).",
            style="red",
        )
        for shape, results in grouped.items():
            say("")
            titled(shape, f" ({len(results)})")
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
@click.option(
    "--endpoint",
    default=None,
    help="Reason inside the store at this SPARQL 1.1 query endpoint instead, over what "
    "`zonekg push` wrote there (with --update-endpoint; the data stays in the store).",
)
@click.option(
    "--update-endpoint",
    default=None,
    help="That store's SPARQL 1.1 Update endpoint, the only address written to: the closure "
    "replaces its graph/inferred. Credentials: ~/.netrc or ZONEKG_USER and ZONEKG_PASSWORD.",
)
def reason(data, output, ontology, no_ontology, engine, store, endpoint, update_endpoint) -> None:
    """Materialise the OWL-RL closure; only the inferred triples are written.

    Exit 1 if ontology and data are inconsistent (the rule and resources are named)."""
    from .. import api

    if endpoint is not None or update_endpoint is not None:
        local = {"--data": data, "--output": output, "--ontology": ontology}
        local |= {"--no-ontology": no_ontology, "--store": store}
        reason_in_store(endpoint, update_endpoint, [flag for flag, on in local.items() if on])
        return
    onto = ontology_paths(ontology, no_ontology)
    if output is not None:
        api.check_output(output, [*(data or ()), *(onto or ())])  # refused before any work
    syntax = closure_format(output)

    def task():
        kg = load_with_progress(data_paths(data), engine, store, "report", onto)
        with _progress("reason", None, "triples") as advance:
            total = api.reason(kg, progress=advance)
        return api.closure_text(kg, syntax), total, kg.notes

    text, total, notes = api.bounded(task, what="reasoning", limits=current_limits())
    _notes(notes)
    if output is None:
        write(text)
        return
    api.write_output(output, text, syntax, inputs=data)
    note(f"{total} inferred triples written to {output} (asserted data unchanged).")


def reason_in_store(endpoint: str | None, update_endpoint: str | None, local: list[str]) -> None:
    """``reason --endpoint --update-endpoint``: the closure made inside the store."""
    from .. import api
    from ..safety.http import check_url, shown_url

    if endpoint is None or update_endpoint is None:
        raise click.UsageError(
            "reasoning in a store needs both --endpoint (its query address) and "
            "--update-endpoint (its update address)"
        )
    if local:
        raise click.UsageError(
            f"{', '.join(local)}: not with --endpoint (the store's own data is reasoned over; "
            "the closure stays in the store)"
        )
    check_url(endpoint)  # a bad URL is refused before any work
    check_url(update_endpoint)
    limits = current_limits()

    def task():
        with _progress("reason", None, "triples") as advance:
            return api.reason_in_store(endpoint, update_endpoint, limits, progress=advance)

    # what the store sends is read in the worker, under the time and memory limits
    done = api.bounded(task, what="reasoning in the store", limits=limits)
    note(
        f"{done.inferred} inferred triples in <{INFERRED_GRAPH}> at {shown_url(update_endpoint)} "
        f"({done.rounds} rounds, {done.seconds:.1f} s); `zonekg query --endpoint` asks "
        "the questions that need inference over it."
    )


@click.command()
@data_option
@output_option(CLOSURE_HELP)
@engine_option
@store_option
def run(data, output, engine, store) -> None:
    """The whole pipeline on one load: validate, reason, answer every competency question."""
    from .. import api
    from .ask import print_answers

    if output is not None:
        api.check_output(output, data)  # refused before any work
    syntax = closure_format(output)
    jobs = [api.job_for(cq) for cq in api.all_questions()]
    limits = current_limits()
    screened = [api.screen_job(job, limits) for job in jobs]

    def task():
        kg = load_with_progress(data_paths(data), engine, store, "report", reopen=False)
        report = api.validate(kg)
        total = api.reason(kg)
        answers = api.answer_each(kg, screened, [job.needs_reasoning for job in jobs])
        return report, api.closure_text(kg, syntax), total, answers, kg.notes

    report, text, total, answers, notes = api.bounded(task, what="the pipeline", limits=limits)
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
@click.argument("text")
@click.option(
    "--limit",
    type=int,
    default=20,
    show_default=True,
    help="Show at most this many matches (1 to 200).",
)
@data_option
@engine_option
def find(text, limit, data, engine) -> None:
    """Find entities by name: TEXT in any label, any language, case- and width-folded.

    Matches rdfs:label, skos:prefLabel, skos:altLabel and dct:title, best first: the whole
    name, then its start, then any part. Prints each entity's CURIE, class and names.
    Exit 1 when nothing matches (the closest names are suggested). Example:
    zonekg find mitsubishi"""
    from .. import api

    limits = current_limits()
    found = api.bounded(
        lambda: api.find(api.load(data_paths(data), engine=engine, limits=limits), text, limit),
        what="find",
        limits=limits,
    )
    if not found:
        say(f"No entity is named {text!r}.")
        if found.suggestions:
            say("Close names: " + "; ".join(found.suggestions))
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
    print_matches(found)


def print_matches(found) -> None:
    """Each match: its CURIE, classes and how it matched, then its names."""
    from ..core.namespaces import curie

    shown = len(found.matches)
    more = f" (the first {shown})" if shown < found.total else ""
    matches = "1 match" if found.total == 1 else f"{found.total} matches"
    say(f"{matches} for {found.text!r}{more}:", style="bold")
    for match in found.matches:
        kinds = ", ".join(curie(k) for k in match.kinds) or "(no class)"
        name = match.matched
        say("")
        say(curie(match.entity), style="bold", end="")
        say(f"  {kinds}  ({match.rank} match: {quoted(name)})")
        by_property: dict[str, list[str]] = {}
        for each in match.names:
            by_property.setdefault(each.property, []).append(quoted(each))
        for prop, names in by_property.items():
            say(f"    {curie(prop)} " + ", ".join(names))


def quoted(name) -> str:
    """A name as Turtle writes a literal: quoted, with its language tag."""
    text = '"' + name.text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{text}@{name.language}" if name.language else text


@click.command()
@click.argument("entity")
@data_option
@engine_option
def why(entity, data, engine) -> None:
    """Who says what about an entity: per source, what it states, with its record and
    quoted passages; what points at the entity; where sources disagree about it.

    ENTITY is a CURIE (zone:chengdu), a full IRI, or a name as `find` takes it: the one
    entity with that name is explained; when several have it, they are listed (exit 2).
    Example: zonekg why zone:chengdu"""
    from .. import api
    from ..core.errors import UnknownName
    from ..core.namespaces import curie

    limits = current_limits()
    try:
        found = api.bounded(
            lambda: api.why(api.load(data_paths(data), engine=engine, limits=limits), entity),
            what="why",
            limits=limits,
        )
    except UnknownName as exc:
        if exc.found is not None and exc.found.matches:
            print_matches(exc.found)
        raise
    if found.found is not None:
        note(f"{entity!r} names {curie(found.entity)}.")
    if not found:
        say(f"No provenance recorded for {entity}.")
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
    title = f" — {found.label}" if found.label else ""
    say(f"{curie(found.entity)}{title}", style="bold")
    verb = "states" if len(found.sources) == 1 else "state"
    say(
        f"{count(len(found.sources), 'source')} {verb} what follows "
        "(GRAPH ?source { … }, ?source a zk:SourceDocument)."
    )
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
    if found.pointed_by:
        say("")
        say(f"Pointed to by ({count(len(found.pointed_by), 'link')})", style="bold")
        for link in found.pointed_by:
            subject = curie(link.subject) + (f" ({link.label})" if link.label else "")
            say(f"  {subject} {shown(link.predicate)} this")
            say("    stated by " + ", ".join(curie(s) for s in link.sources), style="dim")
    if found.disagreements:
        say("")
        say("Where sources disagree", style="bold")
        for point in found.disagreements:
            say("")
            say(f"  {point.point or curie(point.disagreement)} ({curie(point.disagreement)})")
            for claim in point.claims:
                say(f"    {claim.side}: {claim.statement or curie(claim.claim)}")
                triple = " ".join(
                    [shown(claim.subject), shown(claim.predicate), shown(claim.value)]
                )
                say(f"      {triple}  — {curie(claim.source)}", style="dim")


def shown(term, label: str = "") -> str:
    """A term as Turtle writes it (long literals cut short), an IRI with its label after it."""
    import pyoxigraph as ox

    from ..core.namespaces import RDF, XSD, curie

    if term is None or term == "":
        return "?"
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
    """Triples per file, entities per class (asserted exactly, and with subclasses), entities
    per source."""
    from .. import api
    from ..core.namespaces import curie
    from .output import draw

    limits = current_limits()
    s = api.bounded(
        lambda: api.stats(api.load(data_paths(data), engine=engine, limits=limits)),
        what="stats",
        limits=limits,
    )
    draw(
        ["file", "triples"],
        [[f, str(n)] for f, n in s.triples.items()],
        total=("total", str(sum(s.triples.values()))),
    )
    draw(
        ["class", "asserted exactly", "with subclasses"],
        [[curie(c), str(exactly), str(every)] for c, exactly, every in s.classes],
    )
    say(
        "asserted exactly: entities the data types with the class itself; with subclasses: "
        "with it or any of its subclasses, as `?x a zk:Organization` counts them in a query "
        "(cq12, the tables).",
        style="dim",
    )
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

    unformatted = reformat(list(files) or None, check=check, limits=current_limits())
    verb = "would reformat" if check else "reformatted"
    for file in unformatted:
        note(f"{verb} {file}")
    if check and unformatted:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)


COMMANDS = [validate, reason, run, questions, find, why, stats, fmt]
