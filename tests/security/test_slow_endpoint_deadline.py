"""Case 14: `query --endpoint` against an endpoint that sends one byte every 2 s
ignored --timeout.

safety/http.py gives the whole exchange one deadline, the time limit.
"""

from __future__ import annotations

import socket
import threading
import time

from safety_support import flat, run_cli


class Dribbler:
    """An HTTP server on 127.0.0.1 that answers one byte every *pause* seconds."""

    def __init__(self, pause: float = 0.5, total: int = 200):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.pause, self.total = pause, total
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        b"Content-Length: 1000000\r\n\r\n"
                    )
                    for _ in range(self.total):
                        if self.stop.is_set():
                            break
                        conn.sendall(b" ")
                        time.sleep(self.pause)
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def test_a_dribbling_endpoint_is_cut_at_the_time_limit():
    server = Dribbler()
    try:
        started = time.monotonic()
        done = run_cli("--timeout", "3", "query", "cq01", "--endpoint", server.url)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert "within 3 s" in flat(done.stderr)
    assert elapsed < 15
