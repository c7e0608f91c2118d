"""Commands that write the graph out: export, diff, release, diagram, generate, push."""

from __future__ import annotations

from pathlib import Path

import click

from ..api import EXPORT_FORMATS, GRAPH_CHOICES
from ..core.errors import EXIT_CHECK_FAILED
from ..publish import DIAGRAM_KINDS, TABLE_NAMES
from .options import (
    current_limits,
    data_option,
    data_paths,
    engine_option,
    output_option,
    store_option,
)
from .output import note, say, write


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="Default: the one the -o suffix names, else turtle; a format the suffix "
    "contradicts is refused.",
)
@click.option(
    "--reason", "reasoned", is_flag=True, help="Add the OWL-RL inferred triples (own graph)."
)
@click.option(
    "--graph",
    type=click.Choice(GRAPH_CHOICES),
    default=None,
    help="dataset (the published dataset: its default graph and every named graph; TriG and "
    "N-Quads only), asserted, inferred or all (default: dataset in TriG and N-Quads; in the "
    "flat formats all with --reason, else asserted).",
)
@click.option(
    "--canonical", is_flag=True, help="RDFC-1.0 canonical N-Quads: same graph, same bytes."
)
@click.option(
    "--table",
    "table",
    type=click.Choice(TABLE_NAMES),
    default=None,
    help="A flat CSV table for spreadsheets instead of RDF: projects (projects and "
    "agreements), organizations, timeline, zones or events (a cell a spreadsheet would run "
    "as a formula, =… +… -… @…, starts with ').",
)
@output_option(
    "Write here (atomically), not stdout; the suffix says the format "
    "(.ttl, .nt, .nq, .trig, .jsonld, .rdf; .csv with --table)."
)
@data_option
@engine_option
def export(fmt, reasoned, graph, canonical, table, output, data, engine) -> None:
    """Export the graph in an RDF format (TriG and N-Quads hold the published dataset, with
    the source graphs; the flat formats merge them), or a flat CSV table for analysts
    (--table)."""
    from .. import api
    from ..core.formats import TABLES, choose, output_format

    limits = current_limits()
    if table is not None:
        from ..publish import tables

        given = [name for name, value in (("--format", fmt), ("--graph", graph)) if value]
        given += [name for name, on in (("--reason", reasoned), ("--canonical", canonical)) if on]
        if given:
            raise click.UsageError(f"--table writes CSV: it cannot be used with {given[0]}")
        if output is not None:
            api.check_output(output, data)  # where first: the sources are never written
            output_format(output, TABLES)

        def tabulate():
            found = tables.rows(api.load(data_paths(data), engine=engine, limits=limits), table)
            text = tables.to_csv(table, found)
            if output is not None:
                api.write_output(output, text, inputs=data)
            return text, len(found)

        text, count = api.bounded(tabulate, what="export", limits=limits)
        if output is None:
            write(text)
        else:
            note(f"wrote {output} ({count} rows)")
        return
    if output is not None:
        api.check_output(output, data)  # where first: the sources are never written
    choose(fmt, output, canonical)  # a format the -o suffix contradicts: refused before any work

    def task():
        kg = api.load(data_paths(data), engine=engine, limits=limits)
        return api.export(kg, fmt, graph, reasoned, canonical, output)

    text = api.bounded(task, what="export", limits=limits)
    if output is None:
        write(text)
    else:
        note(f"wrote {output} ({len(text.encode('utf-8'))} bytes)")


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), required=False)
@data_option
def diff(old, new, data) -> None:
    """Triples added (+) and removed (-) going from OLD to NEW; exit 1 if they differ."""
    from .. import api
    from ..publish.diff import diff as run_diff
    from ..publish.diff import read_graph

    limits = current_limits()
    before = read_graph(old, limits)
    current = api.bounded(
        lambda: api.load(data_paths(data), limits=limits).rdf.asserted(),
        what="loading",
        limits=limits,
    )
    after = read_graph(new, limits) if new is not None else current
    result = run_diff(before, after, label_source=current)
    for line in result.lines():
        say(line)
    if result.same:
        note("no differences")
        return
    note(f"{len(result.removed)} removed, {len(result.added)} added")
    raise click.exceptions.Exit(EXIT_CHECK_FAILED)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--base-url",
    default=None,
    help="Public address where `zonekg serve` runs: the description names BASE-URL/sparql "
    "as the SPARQL endpoint.",
)
@click.option(
    "--endpoint",
    default=None,
    help="SPARQL endpoint address to put in the description (instead of --base-url; "
    "default: http://127.0.0.1:8000/sparql, the local server).",
)
@data_option
def release(folder, base_url, endpoint, data) -> None:
    """Write the release bundle: every format, DCAT/VoID, docs, zones page, diagrams, SHA256SUMS."""
    from .. import api
    from ..publish.release import DEFAULT_ENDPOINT, build, endpoint_for, version
    from ..safety.http import check_url
    from ..web.zones import static_pages

    address = endpoint_for(base_url, endpoint)
    check_url(address)
    limits = current_limits()

    def run() -> dict[str, int]:
        kg = api.load(data_paths(data), limits=limits)
        pages = static_pages(kg, version())
        return build(kg, folder, endpoint=address, zonekg_endpoint=not endpoint, pages=pages)

    files = api.bounded(run, what="release", limits=limits)
    say(f"release {version()}: {len(files)} files in {folder}")
    if address == DEFAULT_ENDPOINT:
        note(f"the description names {address} as the endpoint; give --base-url for a public one")


@click.command()
@click.argument("kind", type=click.Choice(DIAGRAM_KINDS))
@output_option("File to write: .svg, .png or .dot (.gv).")
@data_option
def diagram(kind, output, data) -> None:
    """Draw the ontology or the zone with Graphviz."""
    from .. import api
    from ..publish.diagram import picture_format, write_diagram

    if output is None:
        raise click.UsageError("Missing option '-o' / '--output'.")
    api.check_output(output, data)  # where, then what: both refused before any work
    picture_format(output)
    limits = current_limits()
    api.bounded(
        lambda: write_diagram(api.load(data_paths(data), limits=limits).rdf, kind, output),
        what="diagram",
        limits=limits,
    )
    note(f"wrote {output}")


@click.command()
@click.option("--triples", type=int, required=True, help="At least this many data triples.")
@output_option("Folder to write into.")
@click.option("--seed", type=int, default=0, help="Same seed, same data.")
@click.option("--violations", type=int, default=0, help="Break this many resources (known shapes).")
def generate(triples, output, seed, violations) -> None:
    """Write synthetic zone-shaped data (for benchmarks and scale tests)."""
    from ..publish.generate import generate as run_generator
    from .progress import bar

    if output is None:
        raise click.UsageError("Missing option '-o' / '--output'.")
    with bar("generate", triples, "triples") as advance:
        made = run_generator(
            triples,
            output,
            seed=seed,
            violations=violations,
            limits=current_limits(),
            progress=advance,
        )
    note(
        f"{made.triples} triples ({made.copies} zone copies, {len(made.violations)} violations) "
        f"written to {output}"
    )
    for kind, focus in made.violations:
        note(f"  {kind}: {focus}")


@click.command()
@click.option(
    "--endpoint",
    required=True,
    help="Graph Store Protocol URL, e.g. http://host:7878/store (Oxigraph) or "
    "http://host:8890/sparql-graph-crud-auth (Virtuoso). Credentials: ~/.netrc or "
    "ZONEKG_USER and ZONEKG_PASSWORD, never in the URL.",
)
@click.option("--with-inferred", is_flag=True, help="Push the OWL-RL closure as well.")
@data_option
@engine_option
@store_option
def push(endpoint, with_inferred, data, engine, store) -> None:
    """Replace graphs in a remote triplestore with this graph (one HTTP PUT per graph):
    each source graph under its own name, then graph/asserted (all of them merged),
    graph/types and, with --with-inferred, graph/inferred. `zonekg query --endpoint`
    asks each question over the right ones."""
    from .. import api
    from ..publish import push as pushing
    from ..safety.http import shown_url
    from .progress import bar

    pushing.graph_store_url(endpoint, "urn:x")  # a bad URL is refused before any work

    def task():
        kg = api.load(data_paths(data), engine=engine, store=store, limits=limits)
        with bar("push", None, "graphs") as advance:
            return pushing.push(endpoint, kg, with_inferred, limits, advance)

    # the store's replies are read in the worker, under the time and memory limits
    limits = current_limits()
    result = api.bounded(task, what="push", limits=limits)
    merged = ", ".join(f"{iri} ({n} triples)" for iri, n in result.merged.items())
    note(
        f"{result.graphs} named graphs (the ontology and one per source) put to "
        f"{shown_url(endpoint)}, then {merged} (HTTP {result.status}, {result.seconds:.1f} s)."
    )
    if not with_inferred:
        note("no closure pushed: questions that need inference will say so (--with-inferred)")


COMMANDS = [export, diff, release, diagram, generate, push]
