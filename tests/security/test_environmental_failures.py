"""Case 19: a read-only data folder, a full disk, a non-UTF-8 file name, an endpoint
answering Latin-1: exit 3 "internal error, report it" instead of a clear exit 2.

core/errors.environment_error maps the machine's refusals (EROFS, ENOSPC, EACCES, ...)
to exit 2 with what to do, in the worker (safety/limits.py), in write_atomic and in the
CLI's last resort; file names are checked to be UTF-8 (inputs/files.py); the remote
engine reads an endpoint's whole answer inside its error handling.
"""

from __future__ import annotations

import errno
import os
import socket
import threading

import pytest
from safety_support import flat, run_cli, run_python

FAIL_WRITES = """
import errno, os, sys
real = os.{call}
def failing(*args, **kwargs):
    raise OSError(errno.{code}, os.strerror(errno.{code}), {name})
os.{call} = failing
sys.argv = ["zonekg", *sys.argv[1:]]
from zonekg.cli import main
main()
"""


@pytest.mark.parametrize(
    "call,code,words",
    [
        ("fsync", "ENOSPC", "no space left"),
        ("replace", "EROFS", "read-only"),
        ("replace", "EACCES", "permission denied"),
        ("fsync", "EDQUOT", "quota"),
    ],
)
@pytest.mark.parametrize("command", [["export", "-o"], ["reason", "-o"]])
def test_a_full_or_read_only_disk_is_exit_2(call, code, words, command, tmp_path):
    target = tmp_path / "out.ttl"
    script = FAIL_WRITES.format(call=call, code=code, name=repr(str(target)))
    done = run_python(script, [*command, str(target)])
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in flat(done.stderr).lower()
    assert "internal error" not in done.stderr
    assert not target.exists()


def test_a_real_full_disk_is_exit_2(tmp_path):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    # `make test` runs as root (it installs Debian packages), so it can mount a tiny disk
    mounted = os.geteuid() == 0 and not os.system(f"mount -t tmpfs -o size=32k tmpfs {tiny}")
    assert mounted, "a real full disk needs root to mount a 32 KiB tmpfs: run `make test` as root"
    try:
        done = run_cli("export", "-o", str(tiny / "zone.ttl"))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "no space left" in flat(done.stderr)
        assert list(tiny.iterdir()) == []
    finally:
        os.system(f"umount {tiny}")


def test_a_non_utf8_file_name_is_exit_2(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsencode(folder) + b"/caf\xe9.ttl"
    with open(name, "w") as handle:
        handle.write("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n")
    done = run_cli("stats", "--data", str(folder))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not UTF-8" in flat(done.stderr)
    assert "caf\\xe9.ttl" in done.stderr


def test_the_errno_mapping_knows_the_environment():
    from zonekg.core.errors import environment_error

    assert environment_error(OSError(errno.ENOSPC, "full")).exit_code == 2
    assert environment_error(OSError(errno.EROFS, "ro", "/x")).file is not None
    assert environment_error(ValueError("a bug")) is None
    assert environment_error(KeyError("a bug")) is None


class Latin1Endpoint:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        body = (
            '{"head":{"vars":["x"]},"results":{"bindings":'
            '[{"x":{"type":"literal","value":"caf\xe9"}}]}}'
        ).encode("latin-1")
        self.reply = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json; "
            b"charset=ISO-8859-1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        ) + body
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(self.reply)

    def close(self):
        self.sock.close()


def test_an_endpoint_answering_latin1_is_exit_2():
    server = Latin1Endpoint()
    try:
        done = run_cli("--timeout", "20", "query", "cq01", "--endpoint", server.url)
    finally:
        server.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert "UTF-8" in flat(done.stderr)
    assert "internal error" not in done.stderr
