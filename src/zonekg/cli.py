"""The `zonekg` command: argument parsing and printing over the pipeline modules."""

from __future__ import annotations

import json
import logging
import sys
import warnings
from dataclasses import dataclass
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
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="oxigraph (fast: Oxigraph + rule compiler + pyrudof) or reference "
        "(rdflib + owlrl + pyshacl).",
    ),
]
StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="On-disk Oxigraph store folder: load once, query many times."),
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
    engine: EngineOption = "oxigraph",
    store: StoreOption = None,
) -> None:
    """Validate the data against the SHACL shapes; exit 1 if it does not conform."""
    from .limits import bounded

    _choice("--format", fmt, ("text", "turtle", "json"))
    _choice("--engine", engine, ("oxigraph", "reference"))
    if engine == "oxigraph" and inference == "none":
        kg, report = bounded(_fast_validate, data, shapes, store, what="validation")
    else:  # the fast engine validates the asserted data only; inference needs pyshacl
        from .validate import INFERENCE_CHOICES, load_shapes
        from .validate import validate as run_validation

        _choice("--inference", inference, INFERENCE_CHOICES)
        kg = _load(data)
        report = bounded(
            run_validation, kg, inference=inference, shapes=load_shapes(shapes), what="validation"
        )
    if fmt == "turtle":
        out.print(report.report_graph().serialize(format="turtle"), markup=False, highlight=False)
    elif fmt == "json":
        payload = {"conforms": report.conforms, "results": [r.as_dict() for r in report.results]}
        out.print(json.dumps(payload, indent=2, ensure_ascii=False), markup=False)
    else:
        files = len(kg.data_files)
        if report.conforms:
            count = kg.data_triples if isinstance(kg, _Validated) else len(kg.data)
            out.print(
                f"[green]Conforms[/]: {count} data triples in {files} files "
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
    engine: EngineOption = "oxigraph",
    store: StoreOption = None,
) -> None:
    """Materialise the OWL-RL closure; only the inferred triples are written."""
    from .atomic import write_atomic
    from .limits import bounded

    _choice("--engine", engine, ("oxigraph", "reference"))
    if engine == "oxigraph":
        text, count = bounded(_fast_reason, data, store, what="reasoning")
    else:
        from .reason import reason as run_reasoner

        inferred = bounded(run_reasoner, _load(data), what="reasoning")
        text, count = inferred.serialize(format="turtle"), len(inferred)
    if output is None:
        out.print(text, markup=False, highlight=False)
        return
    write_atomic(output, text, rdf_format="turtle")
    err.print(f"{count} inferred triples written to {output} (asserted data unchanged).")


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
    engine: EngineOption = "reference",
    store: StoreOption = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint", help="Run at this SPARQL 1.1 endpoint instead (the only URL used)."
        ),
    ] = None,
) -> None:
    """Run a competency question, an .rq file or SPARQL text."""
    _choice("--engine", engine, ("oxigraph", "reference"))
    if engine == "oxigraph" or endpoint:
        _fast_query(name, text, run_all, reasoned, fmt, data, store, endpoint)
        return
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


def _fast_load(data, store):
    from .engines import load
    from .load import data_files
    from .progress import bar

    files = [paths.ONTOLOGY, *data_files(data)]
    with bar("load", sum(f.stat().st_size for f in files), "bytes") as advance:
        return load(data, location=store, progress=advance)


@dataclass
class _Validated:
    """What the validate command prints about the data (the store itself does not pickle)."""

    data_files: list[Path]
    data_triples: int


def _fast_validate(data, shapes, store):
    from .engines import validate as fast_validate
    from .progress import bar

    graph = _fast_load(data, store)
    with bar("validate", None, "checks") as advance:
        report = fast_validate(graph, shapes, progress=advance)
    return _Validated(graph.data_files, graph.count(graph.data_graphs)), report


def _fast_reason(data, store):
    import pyoxigraph as ox

    from .engines import inferred_triples
    from .engines import reason as fast_reason
    from .progress import bar

    graph = _fast_load(data, store)
    from .limits import MAX_TRIPLES

    with bar("reason", None, "triples") as advance:
        count = fast_reason(graph, progress=advance, cap=int(MAX_TRIPLES.value()))
    triples = [q.triple for q in inferred_triples(graph)]
    from .namespaces import PREFIXES

    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    return text.decode("utf-8"), count


def _fast_query(name, text, run_all, reasoned, fmt, data, store, endpoint):
    """`query` on Oxigraph or at an endpoint, screened and bounded like the reference path."""
    from . import engines

    formats = ("table", "csv", "tsv", "json", "xml")
    _choice("--format", fmt, formats)
    chosen = sum(x is not None and x is not False for x in (name, text, run_all or None))
    if chosen != 1:
        raise ZonekgError(
            "give exactly one of: a question name or file, --text, or --all",
            hint="see `zonekg questions` for the names",
        )
    if text is not None:
        jobs = [("--text", "", text, reasoned)]
    else:
        from .query import find_question, questions

        found = questions() if run_all else [find_question(name)]
        if not found:
            raise ZonekgError("no competency questions found", file=paths.QUERIES)
        jobs = [(cq.name, cq.question, cq.text, reasoned or cq.needs_reasoning) for cq in found]
    from .limits import bounded
    from .query import parse

    for label, _, body, _ in jobs:
        parse(body, label)  # the same screening as the reference path (FROM, SERVICE, updates)
        engines.check_query(body, label)
    if endpoint:
        outputs = _remote_outputs(jobs, fmt, endpoint)
    else:
        outputs = bounded(_fast_outputs, jobs, fmt, data, store, what="the query")
    for label, question, kind, payload in outputs:
        if run_all:
            out.print(f"\n[bold]{label}[/]: {question}", highlight=False)
        if kind == "table":
            _print_table(*payload)
        else:
            sys.stdout.write(payload)


def _fast_outputs(jobs, fmt, data, store) -> list:
    """Run the jobs on Oxigraph and render them (in the bounded worker: results do not pickle)."""
    from . import engines

    graph = _fast_load(data, store)
    outputs = []
    for label, question, body, needs_reasoning in jobs:
        result = engines.query(graph, body, needs_reasoning, label)
        if fmt == "table" and not engines.is_graph_result(result):
            outputs.append((label, question, "table", engines.table_cells(result)))
        else:
            text = engines.render(result, "csv" if fmt == "table" else fmt)
            outputs.append((label, question, "text", text))
    return outputs


def _remote_outputs(jobs, fmt, endpoint) -> list:
    import csv
    import io

    from . import remote

    outputs = []
    for label, question, body, _ in jobs:
        text = remote.query(endpoint, body, remote.ACCEPT[fmt]).decode("utf-8")
        if fmt == "table":
            rows = list(csv.reader(io.StringIO(text)))
            outputs.append((label, question, "table", (rows[0] if rows else [], rows[1:])))
        else:
            outputs.append((label, question, "text", text))
    return outputs


def _print_table(columns, rows) -> None:
    table = Table(*columns, show_lines=False, highlight=False)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    out.print(f"{len(rows)} rows", style="dim")


@app.command()
def generate(
    triples: Annotated[int, typer.Option("--triples", help="At least this many data triples.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 0,
    violations: Annotated[
        int, typer.Option("--violations", help="Break this many resources (known shapes).")
    ] = 0,
) -> None:
    """Write synthetic zone-shaped data (for benchmarks and scale tests)."""
    from .generate import generate as run_generator
    from .progress import bar

    with bar("generate", triples, "triples") as advance:
        made = run_generator(triples, output, seed=seed, violations=violations, progress=advance)
    err.print(
        f"{made.triples} triples ({made.copies} zone copies, {len(made.violations)} violations) "
        f"written to {output}"
    )
    for kind, focus in made.violations:
        err.print(f"  {kind}: {focus}", highlight=False)


@app.command()
def push(
    endpoint: Annotated[
        str,
        typer.Option("--endpoint", help="Graph Store Protocol URL, e.g. http://host:7878/store"),
    ],
    graph: Annotated[
        str | None, typer.Option("--graph", help="Target graph IRI (default: the default graph).")
    ] = None,
    with_inferred: Annotated[
        bool, typer.Option("--with-inferred", help="Push the OWL-RL closure as well.")
    ] = False,
    data: DataOption = None,
    store: StoreOption = None,
) -> None:
    """Replace a graph in a remote triplestore with this graph (one HTTP PUT)."""
    from . import remote
    from .progress import bar

    loaded = _fast_load(data, store)
    body, count = remote.serialize_graph(loaded, with_inferred)
    with bar("push", 1, "requests") as advance:
        result = remote.push(endpoint, body, count, graph)
        advance("push", 1)
    err.print(f"{result.triples} triples put to {result.url} (HTTP {result.status}).")


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
