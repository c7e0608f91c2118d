"""`zonekg ARGS` run in the test process, for tests of what a command prints and returns.

A subprocess costs an interpreter start and every import again (0.3-1 s a run); it proves
something only where the process is the point: the offline guard (an audit hook that
cannot be removed, so `main()` installs it only in a process of its own), limits, signals,
killed runs and the installed wheel. Those tests keep `safety_support.run_cli` or their own
subprocess. The rest call the same `zonekg.cli.main` here: the same parsing, the same
error-to-exit-code mapping and the same printing, unguarded as the guard's docstring says
of in-process callers.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from click.testing import CliRunner

from zonekg import cli
from zonekg.cli import output


@contextlib.contextmanager
def _process_state_restored() -> Iterator[None]:
    """What `main()` changes in its process (environment, argv, working folder, warning
    filters, debug switch, consoles, the memory cap `serve` puts on its own process), put
    back afterwards so that runs stay independent."""
    environ, argv, cwd, debug = dict(os.environ), sys.argv, os.getcwd(), cli.DEBUG["on"]
    memory = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with warnings.catch_warnings():
            yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, memory)  # (the hard limit is never lowered)
        os.environ.clear()
        os.environ.update(environ)
        sys.argv = argv
        os.chdir(cwd)
        cli.DEBUG["on"] = debug
        output.out.cache_clear()  # rich consoles are made once per process
        output.err.cache_clear()


def zonekg_in_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ``zonekg ARGS`` through ``zonekg.cli.main`` in this process (no guard); returns
    what `subprocess.run(..., text=True, capture_output=True)` would."""
    runner = CliRunner()
    code: int = 0
    with _process_state_restored(), runner.isolation(env=env) as (stdout, stderr, _):
        output.out.cache_clear()
        output.err.cache_clear()
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = ["zonekg", *args]
        try:
            with mock.patch("zonekg.safety.guard.install"):
                cli.main()
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:  # sys.exit("message"): printed and exit 1, as the interpreter does
                sys.stderr.write(f"{exc.code}\n")
                code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return subprocess.CompletedProcess(["zonekg", *args], code, _text(out), _text(err))


def _text(data: bytes) -> str:
    """Bytes read as `subprocess.run(text=True)` reads them (universal newlines)."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
