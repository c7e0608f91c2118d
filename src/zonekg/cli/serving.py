"""``zonekg serve``: the SPARQL endpoint, dereferenceable IRIs and pages."""

from __future__ import annotations

import click

from .options import current_limits, data_option, data_paths, engine_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--base-url",
    default=None,
    help="Public address that https://w3id.org/zonekg/ maps to (default: http://HOST:PORT/).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a SPARQL query may run.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10000,
    show_default=True,
    help="Most result rows (or triples) returned.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=16 * 1024 * 1024,
    show_default=True,
    help="Most bytes of one query's response body.",
)
@click.option(
    "--max-memory",
    type=click.FloatRange(min=0, min_open=True),
    default=4096,
    show_default=True,
    help="Memory ceiling of the server process in MB (query workers have their own).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Query worker processes.",
)
@data_option
@engine_option
def serve(
    host, port, base_url, timeout, max_rows, max_bytes, max_memory, workers, data, engine
) -> None:
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs and pages (Ctrl-C stops)."""
    from ..web.app import serve as run_server
    from ..web.protocol import SERVER_LIMITS

    # a query's limits: the command's (flags, variables), with the server's own time limit
    # and its workers' memory ceiling
    limits = current_limits().replace(timeout=timeout, memory_mb=SERVER_LIMITS.memory_mb)
    run_server(
        host,
        port,
        base_url,
        limits,
        max_rows,
        workers,
        data_paths(data),
        engine,
        max_bytes=max_bytes,
        max_memory_mb=max_memory,
    )


COMMANDS = [serve]
