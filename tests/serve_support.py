"""A real `zonekg serve` on 127.0.0.1 and a free port, for the HTTP and browser tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from zonekg.engines import DEFAULT

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, trust_env=False, **kwargs)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    tmp: Path,
    *args: str,
    zonekg: list[str] | None = None,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """`zonekg serve` (this checkout's, or the *zonekg* command given) on a free port."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    program = zonekg or [sys.executable, "-m", "zonekg.cli"]
    command = [*program, "serve", "--port", str(port), *args]
    with log.open("w") as handle:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


@contextmanager
def servers_by_engine(tmp: Path, *args: str) -> Iterator[Callable[[str], Server]]:
    """A `zonekg serve` per engine, each started when it is first asked for; all are
    stopped at the end. The default engine's is started without ``--engine``, so that
    it runs what a user gets."""
    started: dict[str, Server] = {}
    with contextlib.ExitStack() as stack:

        def get(engine: str) -> Server:
            if engine not in started:
                flags = [] if engine == DEFAULT else ["--engine", engine]
                server = stack.enter_context(running_server(tmp, *flags, *args))
                health = httpx.get(server.url + "/healthz", timeout=10, trust_env=False)
                assert health.json()["engine"] == engine, health.text
                started[engine] = server
            return started[engine]

        yield get


def _wait_ready(server: Server, limit: float = 150) -> None:
    # Longer than the server's own wait for a query worker (web.workers.START_TIMEOUT, 120 s),
    # so that on a loaded machine a worker that does not start shows the server's message.
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"zonekg serve exited early:\n{server.log_text()}")
        try:
            response = httpx.get(server.url + "/healthz", timeout=2, trust_env=False)
            if response.status_code == 200 and response.json()["workers"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"zonekg serve did not become ready:\n{server.log_text()}")
