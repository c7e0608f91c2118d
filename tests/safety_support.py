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


def _loopback_server() -> socket.socket:
    """A listening socket on a free port of 127.0.0.1; accept() wakes up to check for a stop."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    return server


class Listener:
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        self.server = _loopback_server()
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


class HostilePeer:
    """An HTTP peer on 127.0.0.1 that answers every request as *answer(wire)* says: raw
    bytes, as slow, long or malformed as a test needs. ``sent`` counts the bytes it managed
    to write (a client that stops reading stops it), ``requests`` keeps each request's
    head."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.server = _loopback_server()
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/sparql"
        self.sent = 0
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def __enter__(self) -> HostilePeer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 1 << 20:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                head, _, body = head.partition(b"\r\n\r\n")
                self.requests.append(head)
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(body) < length:
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        return
                    body += chunk
                self.answer(_Wire(conn, self))
            except OSError:  # the client hung up: what a bounded client does
                pass

    def close(self) -> None:
        self.stop.set()
        self._thread.join(5)
        for thread in self._threads:
            thread.join(5)
        self.server.close()


class _Wire:
    """The peer's side of one connection: every byte written is counted."""

    def __init__(self, conn: socket.socket, peer: HostilePeer) -> None:
        self.conn, self.peer = conn, peer

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)
        self.peer.sent += len(data)

    def stream(self, chunk: bytes, total: int, pause: float = 0.0) -> None:
        """*chunk* again and again, up to *total* bytes, until the client hangs up."""
        import time

        written = 0
        while written < total and not self.peer.stop.is_set():
            self.send(chunk)
            written += len(chunk)
            if pause:
                time.sleep(pause)
