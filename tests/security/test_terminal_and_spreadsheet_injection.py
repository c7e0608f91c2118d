"""Issue 18, class C: terminal and spreadsheet injection.

Escape sequences (ESC, OSC 52 clipboard writes, CSI, C1 controls, bidi overrides) from an
endpoint's error body, a result literal or a data literal reached the terminal raw: in
tables, in `why`, in error messages. `export --table` wrote cells beginning with `=`, `+`,
`-` or `@` as they were, and spreadsheets run them as formulas.

Every writer to a terminal goes through ``cli.output``, which shows outside text through
``core.terminal.printable`` (as the server's request log does); machine formats written
to a file or a pipe keep the data exact. ``export --table`` neutralises formula-leading
cells with a leading apostrophe (the OWASP practice); ``query --format csv`` is the W3C
SPARQL results format and stays exact.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import pty
import subprocess
from pathlib import Path

import pytest
from safety_support import ROOT, ZONEKG, HostilePeer, run_cli

#: What a terminal would act on: an OSC 52 clipboard write, a CSI screen clear, a C1 CSI,
#: a right-to-left override and a carriage return that overwrites the line.
ATTACKS = ["\x1b]52;c;SGVsbG8=\x07", "\x1b[2J", "\x9b31m", "\u202e", "\rFAKE"]
ATTACK = "evil " + " ".join(ATTACKS) + " end"
#: The same text as a SPARQL or Turtle string writes it.
ESCAPED_SOURCE = "evil \\u001B]52;c;SGVsbG8=\\u0007 \\u001B[2J \\u009B31m \\u202E \\rFAKE end"


def _raw_attacks(text: str) -> list[str]:
    return [attack for attack in ATTACKS if attack in text]


def _shown_escaped(text: str) -> None:
    assert not _raw_attacks(text), f"reached the terminal raw: {_raw_attacks(text)}"
    assert "\\x1b]52;c;SGVsbG8=\\x07" in text and "\\u202e" in text and "\\x9b31m" in text


# --- from a peer ----------------------------------------------------------------------


def test_an_endpoint_error_body_is_escaped():
    body = ATTACK.encode()

    def answer(wire):
        wire.send(
            f"HTTP/1.1 500 Oops\r\nContent-Length: {len(body)}\r\n\r\n".encode("latin-1") + body
        )

    with HostilePeer(answer) as peer:
        done = run_cli(
            "query", "--text", "ASK {}", "--endpoint", peer.url, env={"NETRC": "/dev/null"}
        )
    assert done.returncode == 2, done.stderr
    assert "HTTP 500" in done.stderr
    _shown_escaped(done.stderr)


def test_a_redirect_location_from_a_peer_is_escaped():
    location = "http://127.0.0.1:9/" + ATTACK.replace("\r", "")

    def answer(wire):
        wire.send(
            f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n\r\n".encode("latin-1", "replace")
        )

    with HostilePeer(answer) as peer:
        done = run_cli(
            "query", "--text", "ASK {}", "--endpoint", peer.url, env={"NETRC": "/dev/null"}
        )
    assert done.returncode == 2, done.stderr
    assert "redirects" in done.stderr
    assert "\x1b" not in done.stderr and "\x9b" not in done.stderr


# --- from a result or the data ----------------------------------------------------------

SELECT_ATTACK = 'SELECT ?x WHERE { BIND("' + ESCAPED_SOURCE + '" AS ?x) }'


def test_a_result_literal_in_a_table_is_escaped():
    done = run_cli("query", "--text", SELECT_ATTACK)
    assert done.returncode == 0, done.stderr
    _shown_escaped(done.stdout)


def _stdout_exact(*args: str) -> str:
    """What ``zonekg ARGS`` writes to a pipe, without newline translation."""
    done = subprocess.run([*ZONEKG, *args], capture_output=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def test_machine_formats_in_a_pipe_keep_the_data_exact():
    as_csv = _stdout_exact("query", "--text", SELECT_ATTACK, "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(as_csv, newline="")))
    assert row["x"] == ATTACK
    as_json = _stdout_exact("query", "--text", SELECT_ATTACK, "--format", "json")
    assert json.loads(as_json)["results"]["bindings"][0]["x"]["value"] == ATTACK


def _on_a_terminal(*args: str) -> str:
    """What ``zonekg ARGS`` writes to a terminal (a pseudo-terminal as stdout)."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*ZONEKG, *args],
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "TERM": "dumb", "COLUMNS": "200"},
            timeout=120,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the writer closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_machine_formats_on_a_terminal_are_escaped(fmt):
    shown = _on_a_terminal("query", "--text", SELECT_ATTACK, "--format", fmt)
    assert not _raw_attacks(shown.replace("\r\n", "\n")), shown
    assert "SGVsbG8=" in shown


def _attack_data(tmp_path: Path) -> Path:
    data = tmp_path / "attack.trig"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "GRAPH <http://example.org/doc> {\n"
        f'  ex:e rdfs:label "{ESCAPED_SOURCE} :warning: [link=http://x]y[/link]"@en ;\n'
        f'    ex:p "{ESCAPED_SOURCE}" .\n'
        "}\n",
        encoding="utf-8",
    )
    return data


def test_a_data_literal_in_why_is_escaped_and_shown_as_written(tmp_path):
    done = run_cli("why", "http://example.org/e", "--data", str(_attack_data(tmp_path)))
    assert done.returncode == 0, done.stderr
    _shown_escaped(done.stdout)
    # neither rich markup nor emoji codes are read from data
    assert ":warning: [link=http://x]y[/link]" in done.stdout


def test_data_in_an_error_message_is_escaped(tmp_path):
    data = tmp_path / "ill.ttl"
    data.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'<http://example.org/a> <http://example.org/p> "{ESCAPED_SOURCE}"^^xsd:integer .\n',
        encoding="utf-8",
    )
    done = run_cli("stats", "--data", str(data))
    assert done.returncode == 2, done.stderr
    assert "ill-typed" in done.stderr
    _shown_escaped(done.stderr)


def test_a_file_name_in_messages_and_warnings_is_escaped(tmp_path):
    name = tmp_path / "x\x1b]52;c;SGVsbG8=\x07\u202e.ttl"
    name.write_text("<http://example.org/a\u202eb> <http://example.org/p> 1 .\n", encoding="utf-8")
    warned = run_cli("stats", "--data", str(name))
    assert "bidirectional" in warned.stderr, warned.stderr
    missing = run_cli("stats", "--data", str(tmp_path / "gone\x1b[2J.ttl"))
    assert missing.returncode == 2
    for done in (warned, missing):
        assert "\x1b" not in done.stderr and "\u202e" not in done.stderr, done.stderr


def test_a_usage_error_repeating_an_argument_is_escaped():
    done = run_cli("\x1b]52;c;SGVsbG8=\x07")
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\\x1b" in done.stderr


#: The modules that write to a terminal: the CLI's output helpers, and the warning
#: writer of the layers below the CLI.
WRITERS = ("src/zonekg/cli/output.py", "src/zonekg/core/terminal.py")


def test_every_terminal_writer_goes_through_the_output_module():
    """Only the WRITERS write to the terminal; every other module calls their helpers (so
    no text reaches the screen without ``printable``)."""
    writers = {"print", "echo", "secho", "out", "err"}
    found = []
    files = sorted((ROOT / "src" / "zonekg").rglob("*.py"))
    assert files
    for path in files:
        if path.relative_to(ROOT).as_posix() in WRITERS or path.parent.name == "web":
            continue  # the web layer writes HTTP responses, its log goes through printable
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            target = ast.unparse(called)
            if name in writers or target in ("sys.stdout.write", "sys.stderr.write"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target}")
    assert not found, "terminal writes outside cli/output.py:\n" + "\n".join(found)


# --- spreadsheets ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _projects(tmp_path: Path) -> Path:
    lines = [
        "@prefix zk: <https://w3id.org/zonekg/def#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix schema: <http://schema.org/> .",
    ]
    for n, formula in enumerate(FORMULAS):
        label = json.dumps(formula)  # a Turtle string with \\t, \\r and \\" escapes
        lines.append(f"<http://example.org/p{n}> a zk:Project ; rdfs:label {label}@en .")
    lines.append(
        '<http://example.org/minus> a zk:Project ; rdfs:label "a loss"@en ; '
        'zk:plannedInvestment [ schema:value -5 ; schema:currency "CNY" ] .'
    )
    data = tmp_path / "projects.ttl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_export_table_neutralises_formula_cells(tmp_path):
    out = tmp_path / "projects.csv"
    done = run_cli(
        "export", "--table", "projects", "--data", str(_projects(tmp_path)), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"))))
    names = sorted(row["name"] for row in rows)
    assert names == sorted(["a loss", *("'" + f for f in FORMULAS)])
    (loss,) = [row for row in rows if row["name"] == "a loss"]
    assert loss["amount"] == "-5"  # a number is not a formula: left as it is
    piped = _stdout_exact("export", "--table", "projects", "--data", str(_projects(tmp_path)))
    assert piped == out.read_bytes().decode("utf-8")


def test_query_csv_is_the_w3c_format_and_stays_exact():
    query = 'SELECT ?x WHERE { VALUES ?x { "=1+2" "@A1" } }'
    rows = list(
        csv.DictReader(io.StringIO(_stdout_exact("query", "--text", query, "--format", "csv")))
    )
    assert sorted(row["x"] for row in rows) == ["=1+2", "@A1"]
