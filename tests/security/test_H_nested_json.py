"""Class H (low): deeply nested JSON (a JSON-LD file given to ``diff``, a JSON reply from an
endpoint) ended in RecursionError: exit 3, "internal error".

Every JSON reader goes through ``safety.jsonread.read_json``: nesting past
ZONEKG_MAX_DEPTH (the limit Turtle and queries have) is refused with the position of
the first bracket past it, before the document is parsed or walked (pyld recursed
on a document only 500 deep), and so is text that is not JSON or not UTF-8: exit 2.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from safety_support import flat, run_cli

from zonekg.core.errors import LoadError
from zonekg.safety.jsonread import read_json


def _nested(depth: int) -> str:
    return "[" * depth + '"x"' + "]" * depth


@pytest.mark.parametrize("depth", [100_000, 500])
def test_diff_refuses_a_deeply_nested_json_ld_file(tmp_path, depth):
    path = tmp_path / "deep.jsonld"
    path.write_text(
        '{"@id": "http://example.org/a",\n "http://example.org/p": ' + _nested(depth) + "}",
        encoding="utf-8",
    )
    done = run_cli("diff", str(path), str(path))
    assert done.returncode == 2, done.stdout + done.stderr[-500:]
    message = flat(done.stderr)
    assert f"{path}:2:" in message and "nesting limit" in message


class _DeepReply(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint whose JSON reply (Virtuoso's typed-literal form) nests 100,000 deep."""

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (the handler's name)
        self.rfile.read(int(self.headers["content-length"]))
        body = (
            '{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": '
            '"typed-literal", "datatype": "http://e/d", "value": "1"}}]}, "x": '
            + _nested(100_000)
            + "}"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_deeply_nested_json_reply_is_a_clear_error():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DeepReply)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        done = run_cli("query", "--endpoint", url, "--text", "SELECT * WHERE { ?s ?p ?o }")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 2, done.stdout + done.stderr[-500:]
    assert "the endpoint's answer nests more than 32 levels deep" in flat(done.stderr)


def test_the_reader_counts_brackets_outside_strings_only():
    text = '{"a": "[[[[\\"{{{{", "b": ' + _nested(30) + "}"
    assert read_json(text)["a"] == '[[[[\\"{{{{'.replace("\\", "")
    assert read_json(_nested(32)) == read_json(_nested(32))
    with pytest.raises(LoadError, match="more than 32 levels") as refused:
        read_json("\n" + _nested(33), what="the file", error=LoadError)
    assert (refused.value.line, refused.value.column) == (2, 33)


@pytest.mark.parametrize(
    ("data", "words"),
    [(b'{"a": 1,}', "is not JSON"), (b'{"a": "\xff"}', "not UTF-8"), (b"", "is not JSON")],
)
def test_the_reader_says_what_is_wrong_with_the_place(data, words):
    with pytest.raises(LoadError, match=words) as refused:
        read_json(data, what="the file", error=LoadError)
    assert refused.value.line == 1
