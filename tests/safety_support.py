"""Shared by the reliability and security tests: a loopback listener, CLI runs, file hashes."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZONEKG = [sys.executable, "-m", "zonekg.cli"]
#: Bound on any one CLI run in these tests: a hang fails the test instead of the suite.
HANG = 120


class Listener:
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run ``zonekg ARGS`` in a subprocess; returns the CompletedProcess (text)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [*ZONEKG, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=HANG,
    )


def run_python(code: str, args=(), env: dict | None = None, cwd: Path | None = None):
    """Run Python *code* with *args* in a subprocess (the audit hook cannot be removed)."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        timeout=HANG,
    )


def flat(text: str) -> str:
    """Messages without the terminal's line wrapping."""
    return " ".join(text.split())


def source_hashes() -> dict[str, str]:
    """sha256 of every source file the project must never modify."""
    found = {}
    for folder in ("data", "ontology", "queries"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file():
                found[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert found, "no source files found to watch"
    return found


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
