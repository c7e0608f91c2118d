"""The `zonekg` command: argument parsing and printing over the pipeline modules."""

from __future__ import annotations

import json
import logging
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import paths
from .errors import EXIT_CHECK_FAILED, EXIT_INTERNAL, ZonekgError

app = typer.Typer(
    help="A sourced knowledge graph of the China-Japan (Chengdu) zone: "
    "validate, reason, query and inspect it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output is for other programs and for logs: never wrap it mid-value.
out = Console(soft_wrap=not sys.stdout.isatty(), width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Turtle file or folder to use instead of the project's data/ (repeatable).",
    ),
]
DEBUG = {"on": False}


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    timeout: Annotated[
        float | None,
        typer.Option(help="Time limit in seconds per query, validation or reasoning run."),
    ] = None,
    memory: Annotated[float | None, typer.Option(help="Memory limit in MB for those runs.")] = None,
) -> None:
    from .limits import set_from_options

    DEBUG["on"] = debug
    set_from_options(timeout=timeout, memory=memory)


def _load(data: list[Path] | None):
    from .load import load

    return load(data)


@app.command()
def validate(
    data: DataOption = None,
    inference: Annotated[
        str, typer.Option(help="Inference before validating: none, rdfs or owlrl.")
    ] = "none",
    fmt: Annotated[str, typer.Option("--format", help="text, turtle or json.")] = "text",
    shapes: Annotated[
        Path | None, typer.Option(help="Shapes file (default: the project's shapes).")
    ] = None,
) -> None:
    """Validate the data against the SHACL shapes; exit 1 if it does not conform."""
    from .limits import bounded
    from .validate import INFERENCE_CHOICES, load_shapes
    from .validate import validate as run_validation

    _choice("--inference", inference, INFERENCE_CHOICES)
    _choice("--format", fmt, ("text", "turtle", "json"))
    kg = _load(data)
    report = bounded(
        run_validation, kg, inference=inference, shapes=load_shapes(shapes), what="validation"
    )
    if fmt == "turtle":
        out.print(report.graph.serialize(format="turtle"), markup=False, highlight=False)
    elif fmt == "json":
        payload = {"conforms": report.conforms, "results": [r.as_dict() for r in report.results]}
        out.print(json.dumps(payload, indent=2, ensure_ascii=False), markup=False)
    else:
        files = len(kg.data_files)
        if report.conforms:
            out.print(
                f"[green]Conforms[/]: {len(kg.data)} data triples in {files} files "
                f"meet the shapes (inference: {inference})."
            )
        else:
            grouped = report.by_shape()
            out.print(
                f"[red]Does not conform[/]: {_count(len(report.results), 'result')} "
                f"in {_count(len(grouped), 'shape')} (inference: {inference})."
            )
            from .namespaces import curie

            for shape, results in grouped.items():
                out.print(f"\n[bold]{shape}[/] ({len(results)})")
                for r in results:
                    where = ", ".join(str(loc) for loc in r.locations) or "(not in a file)"
                    path = f" {curie(str(r.path))}" if r.path is not None else ""
                    out.print(f"  {where}: {curie(str(r.focus))}{path}", highlight=False)
                    out.print(f"    {r.message}", markup=False, highlight=False)
    if not report.conforms:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def reason(
    data: DataOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the inferred triples here.")
    ] = None,
) -> None:
    """Materialise the OWL-RL closure; only the inferred triples are written."""
    from .atomic import write_atomic
    from .limits import bounded
    from .reason import reason as run_reasoner

    kg = _load(data)
    inferred = bounded(run_reasoner, kg, what="reasoning")
    text = inferred.serialize(format="turtle")
    if output is None:
        out.print(text, markup=False, highlight=False)
        return
    write_atomic(output, text, rdf_format="turtle")
    err.print(f"{len(inferred)} inferred triples written to {output} (asserted data unchanged).")


@app.command()
def query(
    name: Annotated[
        str | None, typer.Argument(help="A question (cq03, 3, cq03-slug) or an .rq file.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="SPARQL text to run.")] = None,
    run_all: Annotated[bool, typer.Option("--all", help="Run every competency question.")] = False,
    reasoned: Annotated[
        bool, typer.Option("--reason", help="Query the OWL-RL closure as well.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, tsv, json or xml.")] = "table",
    data: DataOption = None,
) -> None:
    """Run a competency question, an .rq file or SPARQL text."""
    from . import limits
    from . import query as q

    _choice("--format", fmt, q.FORMATS)
    chosen = sum(x is not None and x is not False for x in (name, text, run_all or None))
    if chosen != 1:
        raise ZonekgError(
            "give exactly one of: a question name or file, --text, or --all",
            hint="see `zonekg questions` for the names",
        )
    if run_all:
        jobs = [
            (cq.name, cq.question, cq.text, reasoned or cq.needs_reasoning) for cq in q.questions()
        ]
        if not jobs:
            raise ZonekgError("no competency questions found", file=paths.QUERIES)
    elif text is not None:
        jobs = [("--text", "", text, reasoned)]
    else:
        cq = q.find_question(name)
        jobs = [(cq.name, cq.question, cq.text, reasoned or cq.needs_reasoning)]
    for label, _, body, _ in jobs:
        q.parse(body, label)  # report every bad query before doing any work
    kg = _load(data)
    graphs = {}
    for label, question, body, needs_reasoning in jobs:
        if needs_reasoning not in graphs:
            graphs[needs_reasoning] = limits.bounded(
                q.graph_for_query, kg, needs_reasoning, what="reasoning"
            )
        kind, answer = limits.run_query(graphs[needs_reasoning], body, label, fmt)
        if run_all:
            out.print(f"\n[bold]{label}[/]: {question}", highlight=False)
        if kind == "table":
            columns, rows = answer
            table = Table(*columns, show_lines=False, highlight=False)
            for row in rows:
                table.add_row(*row)
            out.print(table)
            out.print(_count(len(rows), "row"), style="dim")
        else:
            sys.stdout.write(answer)


@app.command()
def questions() -> None:
    """List the competency questions."""
    from .query import questions as list_questions

    found = list_questions()
    table = Table("name", "question", "inference")
    for cq in found:
        table.add_row(cq.name, cq.question, cq.inference)
    out.print(table)


@app.command()
def why(
    entity: Annotated[str, typer.Argument(help="An IRI or CURIE, e.g. zone:chengdu.")],
    data: DataOption = None,
) -> None:
    """Show the quoted passages and sources behind an entity."""
    from .inspect import why as supports

    found = supports(_load(data), entity)
    if not found:
        out.print(f"No provenance recorded for {entity}.")
        raise typer.Exit(EXIT_CHECK_FAILED)
    for s in found:
        title = s.document_label or s.document
        if s.kind == "quote":
            out.print(f"[bold]“{s.quote}”[/]", highlight=False)
            out.print(f"   — {title}", highlight=False)
        else:
            address = f" <{s.url}>" if s.url else ""
            out.print(f"[dim]source:[/] {title}{address}", highlight=False)


@app.command()
def stats(data: DataOption = None) -> None:
    """Triples per file, entities per class, entities per source."""
    from .inspect import stats as graph_stats
    from .namespaces import curie

    s = graph_stats(_load(data))
    table = Table("file", "triples")
    for file, count in s.triples.items():
        table.add_row(file, str(count))
    table.add_row("[bold]total[/]", f"[bold]{sum(s.triples.values())}[/]")
    out.print(table)
    table = Table("class", "entities")
    for cls, count in s.classes:
        table.add_row(curie(cls), str(count))
    out.print(table)
    table = Table("source", "entities derived from it")
    for doc, label, count in s.sources:
        table.add_row(label or curie(doc), str(count))
    out.print(table)


@app.command()
def fmt(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Turtle files (default: data/*.ttl).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only report files that are not canonical; exit 1.")
    ] = False,
) -> None:
    """Rewrite data files in the stable sorted Turtle form (or --check them)."""
    from .atomic import write_atomic
    from .canonical import canonical_turtle
    from .load import data_files

    unformatted = []
    for file in data_files(files):
        canonical = canonical_turtle(file)
        if file.read_text(encoding="utf-8") != canonical:
            unformatted.append(file)
            if not check:
                write_atomic(file, canonical, rdf_format="turtle")
    verb = "would reformat" if check else "reformatted"
    for file in unformatted:
        err.print(f"{verb} {file}")
    if check and unformatted:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Public address that https://w3id.org/zonekg/ maps to "
            "(default: http://HOST:PORT/)."
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds a SPARQL query may run.")] = 10.0,
    max_rows: Annotated[int, typer.Option(help="Most result rows (or triples) returned.")] = 10000,
    workers: Annotated[int, typer.Option(help="Query worker processes.")] = 2,
    data: DataOption = None,
) -> None:
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs and pages (Ctrl-C stops)."""
    from .serve import serve as run_server

    run_server(host, port, base_url, timeout, max_rows, workers, data)


@app.command()
def export(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="turtle, ntriples, nquads, trig, jsonld or rdfxml "
            "(default: from the -o suffix, else turtle).",
        ),
    ] = None,
    reasoned: Annotated[
        bool, typer.Option("--reason", help="Add the OWL-RL inferred triples (own graph).")
    ] = False,
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph", help="asserted, inferred or all (default: all with --reason, else asserted)."
        ),
    ] = None,
    canonical: Annotated[
        bool,
        typer.Option("--canonical", help="RDFC-1.0 canonical N-Quads: same graph, same bytes."),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (atomically), not stdout.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Export the graph in an RDF format; TriG and N-Quads keep one graph per file."""
    from .export import GRAPH_CHOICES, format_for
    from .export import export as run_export

    if graph is not None:
        _choice("--graph", graph, GRAPH_CHOICES)
    if fmt is not None:
        format_for(fmt)
    text = run_export(_load(data), fmt, graph, reasoned, canonical, output)
    if output is None:
        sys.stdout.write(text)
    else:
        err.print(f"wrote {output} ({len(text.encode('utf-8'))} bytes)", highlight=False)


@app.command()
def diff(
    old: Annotated[
        Path, typer.Argument(help="An RDF file (.ttl, .nt, .nq, .trig, .jsonld, .rdf).")
    ],
    new: Annotated[
        Path | None,
        typer.Argument(help="Another RDF file (default: the current graph: ontology + data)."),
    ] = None,
    data: DataOption = None,
) -> None:
    """Triples added (+) and removed (-) going from OLD to NEW; exit 1 if they differ."""
    from .diff import diff as run_diff
    from .diff import read_graph

    before = read_graph(old)
    current = _load(data).asserted()
    after = read_graph(new) if new is not None else current
    result = run_diff(before, after, label_source=current)
    for line in result.lines():
        out.print(line, markup=False, highlight=False)
    if result.same:
        err.print("no differences")
        return
    err.print(f"{len(result.removed)} removed, {len(result.added)} added")
    raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def release(
    folder: Annotated[Path, typer.Argument(help="Folder for the bundle (replaced whole).")],
    endpoint: Annotated[
        str, typer.Option(help="SPARQL endpoint address to put in the description.")
    ] = "http://127.0.0.1:8000/sparql",
    data: DataOption = None,
) -> None:
    """Write the release bundle: every format, DCAT/VoID, docs, diagrams, SHA256SUMS."""
    from .release import build, version

    files = build(_load(data), folder, endpoint=endpoint)
    out.print(f"release {version()}: {len(files)} files in {folder}", highlight=False)


@app.command()
def diagram(
    kind: Annotated[str, typer.Argument(help="ontology or zone.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write: .svg, .png or .dot.")
    ],
    data: DataOption = None,
) -> None:
    """Draw the ontology or the zone with Graphviz."""
    from .diagram import KINDS, write_diagram

    _choice("kind", kind, KINDS)
    write_diagram(_load(data), kind, output)
    err.print(f"wrote {output}", highlight=False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _choice(option: str, value: str, choices) -> None:
    if value not in choices:
        raise ZonekgError(f"{option} {value!r} is not one of: {', '.join(choices)}")


def main() -> None:
    from . import guard

    guard.install(sys.argv[1:])  # offline, and no file outside the project or the named paths
    if "--debug" not in sys.argv:
        logging.getLogger().setLevel(logging.CRITICAL)  # rdflib logs tracebacks for warnings
        warnings.simplefilter("ignore")  # and warns on stderr; the checks report these
    try:
        app()
    except ZonekgError as exc:
        if DEBUG["on"]:
            raise
        err.print(f"[red]error[/]: {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if DEBUG["on"]:
            raise
        err.print(
            f"[red]internal error[/]: {type(exc).__name__}: {exc}\n"
            "  hint: rerun with --debug for the traceback, and report it",
            markup=True,
            highlight=False,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
