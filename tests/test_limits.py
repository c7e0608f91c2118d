"""Bounded work: time, memory, parse and reasoning limits stop the work with a clear message."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest
from owlrl import DeductiveClosure, OWLRL_Semantics
from rdflib import Graph
from safety_support import flat, run_cli

from zonekg import api
from zonekg.core.errors import LimitError, LoadError, QueryError, ZonekgError
from zonekg.core.settings import Limits
from zonekg.inputs import checks, read_file
from zonekg.inputs.checks import check_rdfxml
from zonekg.safety import limits

ZK_CYCLE = "@prefix x: <http://x/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _ring(n: int) -> str:
    lines = [ZK_CYCLE, "x:p a owl:TransitiveProperty .\n"]
    lines += [f"x:n{i} x:p x:n{(i + 1) % n} .\n" for i in range(n)]
    return "".join(lines)


@pytest.mark.parametrize(
    "name, data, query",
    [
        (
            "cartesian",
            "".join(f"<http://x/s{i}> <http://x/p> {i} .\n" for i in range(400)),
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        ),
        (
            "path",
            # A star: 400 million pairs, too many for any engine in 2 s, over paths of two steps
            # (on a ring's long paths rdflib ran out of recursion at about the time limit, so
            # which error came first was a race; see the test after this one).
            "".join(f"<http://x/n{i}> <http://x/p> <http://x/hub> .\n" for i in range(20000)),
            "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|^<http://x/p>)* ?b }",
        ),
    ],
)
def test_a_runaway_query_is_stopped_at_the_time_limit(tmp_path, name, data, query, engine):
    file = _write(tmp_path / f"{name}.ttl", data)
    result = run_cli(
        "--timeout", "2", "query", "--data", str(file), "--text", query, "--engine", engine
    )  # fmt: skip
    assert result.returncode == 2, result.stdout[-500:] + result.stderr
    message = flat(result.stderr)
    assert "stopped after 2 s (time limit)" in message
    assert "--timeout" in message and "ZONEKG_TIMEOUT" in message


def test_a_path_longer_than_the_reference_engine_can_follow_is_refused_clearly(tmp_path):
    """rdflib follows a path one recursion level per step; a ring of 1,000 nodes is too long."""
    file = _write(tmp_path / "ring.ttl", _ring(1000))
    query = "SELECT (COUNT(*) AS ?n) WHERE { <http://x/n0> <http://x/p>* ?b }"
    result = run_cli(
        "--timeout", "60", "query", "--data", str(file), "--text", query, "--engine", "reference"
    )  # fmt: skip
    assert result.returncode == 2, result.stdout[-500:] + result.stderr
    message = flat(result.stderr)
    assert "too deeply for the reference engine" in message
    assert "a property path of some hundreds of steps" in message
    assert "--engine oxigraph" in message


REGEX_DATA = '<http://x/a> <http://x/b> "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" .\n'
REGEX_QUERY = 'SELECT ?o WHERE { ?s ?p ?o FILTER REGEX(?o, "^(a+)+$") }'


def test_catastrophic_backtracking_is_stopped_on_the_reference_engine(tmp_path):
    """Python's re backtracks exponentially on this pattern (rdflib uses it)."""
    file = _write(tmp_path / "regex.ttl", REGEX_DATA)
    result = run_cli(
        "--timeout", "2", "query", "--data", str(file), "--text", REGEX_QUERY,
        "--engine", "reference",
    )  # fmt: skip
    assert result.returncode == 2, result.stdout[-500:] + result.stderr
    assert "stopped after 2 s (time limit)" in flat(result.stderr)


def test_the_default_engine_has_no_catastrophic_backtracking(tmp_path):
    """Oxigraph's regex engine runs in linear time: the same query answers at once."""
    file = _write(tmp_path / "regex.ttl", REGEX_DATA)
    result = run_cli("--timeout", "20", "query", "--data", str(file), "--text", REGEX_QUERY)
    assert result.returncode == 0, result.stderr
    assert "0 rows" in result.stdout


def test_the_time_limit_can_be_set_from_the_environment(tmp_path):
    file = _write(
        tmp_path / "a.ttl", "".join(f"<http://x/s{i}> <http://x/p> {i} .\n" for i in range(400))
    )
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = run_cli("query", "--data", str(file), "--text", query, env={"ZONEKG_TIMEOUT": "1.5"})
    assert result.returncode == 2
    assert "stopped after 1.5 s (time limit)" in flat(result.stderr)


def test_a_query_that_needs_too_much_memory_is_stopped(engine):
    doubling = " ".join(
        f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(26)
    )  # 32 bytes doubled 26 times: 2 GB
    query = f'SELECT (STRLEN(?v26) AS ?n) WHERE {{ BIND("{"x" * 32}" AS ?v0) {doubling} }}'
    result = run_cli("--memory", "700", "query", "--text", query, "--engine", engine)
    assert result.returncode == 2, result.stdout[-300:] + result.stderr
    message = flat(result.stderr)
    assert "needed more than 700 MB (memory limit)" in message
    assert "--memory" in message and "ZONEKG_MEMORY_MB" in message


def test_reasoning_stops_at_the_triple_cap(tmp_path, engine):
    file = _write(tmp_path / "ring.ttl", _ring(300))  # closure: 90,000 triples
    result = run_cli(
        "reason", "--data", str(file), "--engine", engine, env={"ZONEKG_MAX_TRIPLES": "20000"}
    )
    assert result.returncode == 2
    message = flat(result.stderr)
    assert "the closure passed 20000 triples (triple-count cap)" in message
    assert "ZONEKG_MAX_TRIPLES" in message


def test_owlrl_expands_its_input_but_reasoning_never_touches_the_sources():
    graph = Graph().parse(data=_ring(5), format="turtle")
    before = len(graph)
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    assert len(graph) > before, "control: owlrl writes into the graph it is given"

    kg = api.load(engine="reference")
    snapshot = {g: set(kg.rdf.graph(g)) for g in kg.asserted_graphs}
    inferred = api.inferred(kg)
    assert len(inferred) > 0
    assert {g: set(kg.rdf.graph(g)) for g in snapshot} == snapshot


def test_deep_nesting_crashes_rdflib_but_is_a_clear_error_here(tmp_path):
    text = "<http://x/a> <http://x/b> " + "[ <http://x/c> " * 123 + "1" + " ]" * 123 + " .\n"
    with pytest.raises(RecursionError):
        Graph().parse(data=text, format="turtle")  # control
    file = _write(tmp_path / "deep.ttl", text)
    with pytest.raises(LimitError, match="nested more than 32 deep") as caught:
        read_file(file)
    assert caught.value.line == 1 and "ZONEKG_MAX_DEPTH" in caught.value.hint


def test_brackets_inside_strings_iris_and_comments_do_not_count(tmp_path):
    text = '<http://x/a> <http://x/b> "' + "[" * 100 + '" . # ' + "(" * 100 + "\n"
    checked = read_file(_write(tmp_path / "strings.ttl", text))
    assert len(api.load([checked.path], ontology=[]).rdf.data) == 1


@pytest.mark.parametrize(
    ("lines", "too_long"),
    [
        (["a" * 40] * 10, None),  # many lines of the limit's reach, none over it
        (["a" * 50, "b" * 50, "c" * 50], None),  # lines exactly at the limit
        (["x"] * 300 + ["c" * 51], 301),  # far past the first stretch, the last line, no end
        (["a" * 49, "a" * 50, "b" * 51, "z"], 3),  # just over, between lines that fit
        (["é" * 50, "成" * 50], None),  # characters, not bytes: 100 and 150 bytes
    ],
)
def test_the_first_line_over_the_limit_is_named_wherever_it_is(tmp_path, lines, too_long):
    """check_lines jumps from line start to the last line end within the limit's reach;
    lines are counted only when one has none there."""
    text = "\n".join(lines)
    if too_long is None:
        checks.check_lines(text, tmp_path / "x.ttl", Limits(max_line=50))
        return
    with pytest.raises(LimitError, match=f"line {too_long} is 51 characters long") as caught:
        checks.check_lines(text, tmp_path / "x.ttl", Limits(max_line=50))
    assert caught.value.line == too_long


def test_overlong_lines_and_big_files_are_refused_before_parsing(tmp_path, monkeypatch):
    long = _write(tmp_path / "long.ttl", '<http://x/a> <http://x/b> "' + "x" * 200_000 + '" .\n')
    with pytest.raises(LimitError, match="over the line length limit") as caught:
        read_file(long)
    assert caught.value.line == 1 and "ZONEKG_MAX_LINE" in caught.value.hint
    monkeypatch.setenv("ZONEKG_MAX_LINE", "300000")
    assert read_file(long, limits=Limits.from_env()).graphs
    monkeypatch.setenv("ZONEKG_MAX_INPUT_MB", "0.1")
    with pytest.raises(LimitError, match="over the input size limit"):
        read_file(long, limits=Limits.from_env())
    # the same as values, with no environment: what a Python caller passes
    monkeypatch.delenv("ZONEKG_MAX_LINE")
    monkeypatch.delenv("ZONEKG_MAX_INPUT_MB")
    assert read_file(long, limits=Limits(max_line=300_000)).graphs
    with pytest.raises(LimitError, match="over the input size limit") as caught:
        read_file(long, limits=Limits(max_line=300_000, max_input_mb=0.1))
    assert "Limits(max_input_mb=…)" in caught.value.hint


@pytest.mark.parametrize("threads", [1, 2])
def test_the_first_bad_file_is_named_though_files_are_read_ahead(tmp_path, threads, monkeypatch):
    """Files are read and hashed ahead of their checks, on threads: the error is still the
    first file's, in the files' order, whichever fails to read or to check."""
    from zonekg import inputs
    from zonekg.inputs import collect

    monkeypatch.setattr(inputs, "READ_AHEAD_FROM_BYTES", 0)  # read ahead however little

    big = '<http://x/a> <http://x/b> "' + "x" * 200_000 + '" .\n'
    broken = '<http://x/a> <http://x/b> <http://x/c> .\n<http://x/a> <http://x/b> "open .\n'
    limits = Limits(max_line=300_000, max_input_mb=0.1, threads=threads)
    cases = ((big, broken, LimitError, None), (broken, big, LoadError, 2))
    for first, second, error, line in cases:
        folder = tmp_path / f"{threads}-{error.__name__}"
        folder.mkdir()
        _write(folder / "a.ttl", first)
        _write(folder / "b.ttl", second)
        with pytest.raises(error) as caught:
            collect([folder], [], limits=limits)
        assert caught.value.file.name == "a.ttl" and caught.value.line == line


def test_a_bad_limit_setting_is_reported(monkeypatch):
    monkeypatch.setenv("ZONEKG_TIMEOUT", "soon")
    with pytest.raises(ZonekgError, match="ZONEKG_TIMEOUT"):
        Limits.from_env()
    with pytest.raises(ZonekgError, match=r"Limits\(timeout=-1\) is not a positive number"):
        Limits(timeout=-1)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="http://x/a"><rdf:value>&c;</rdf:value></rdf:Description>
</rdf:RDF>
"""


def test_rdfxml_entities_are_expanded_by_rdflib_but_refused_here():
    graph = Graph().parse(data=BILLION_LAUGHS, format="xml")
    assert len(str(next(graph.objects()))) == 1000  # control: the entities were expanded
    with pytest.raises(LimitError, match="DOCTYPE declaration is refused") as caught:
        check_rdfxml(BILLION_LAUGHS.encode(), "laughs.rdf")
    assert caught.value.line == 2


def _boom():
    raise RuntimeError("bug")


def _bad_query():
    raise QueryError("no such query", hint="pick one", line=3)


def test_the_worker_returns_results_and_reraises_errors_with_their_fields():
    assert limits.bounded(sum, [1, 2, 3], what="sum", limits=Limits()) == 6
    with pytest.raises(QueryError) as caught:
        limits.bounded(_bad_query, what="q", limits=Limits())
    assert (caught.value.message, caught.value.hint, caught.value.line) == (
        "no such query",
        "pick one",
        3,
    )
    with pytest.raises(
        limits.WorkerCrash, match="boom failed in the worker: RuntimeError: bug"
    ) as crash:
        limits.bounded(_boom, what="boom", limits=Limits())
    assert "Traceback" not in str(crash.value)
    assert "Traceback" in crash.value.__notes__[0]


def test_the_worker_is_killed_on_time(monkeypatch):
    import time

    with pytest.raises(LimitError, match="sleep stopped after 0.5 s"):
        limits.bounded(time.sleep, 60, what="sleep", limits=Limits(timeout=0.5))
    monkeypatch.setenv("ZONEKG_TIMEOUT", "0.5")  # the API's default: Limits.from_env()
    with pytest.raises(LimitError, match="sleep stopped after 0.5 s"):
        api.bounded(time.sleep, 60, what="sleep")


def _pattern(n: int) -> bytes:
    return bytes(i % 251 for i in range(n))


@pytest.mark.parametrize("size", [0, 3_980, 3_990, 4_096, 70_000, 40_000_000])
def test_an_answer_of_any_size_comes_back_whole_from_the_worker(size):
    """The worker's pipe carries each message after its size: one of 40 MB (far more than
    a pipe holds) comes back whole, as do those around the one-write bound."""
    assert limits.bounded(_pattern, size, what="pattern", limits=Limits()) == _pattern(size)


def test_the_worker_answers_a_process_with_a_thousand_files_open():
    """The pipe's descriptor may be above select's 1,024 in a long-running server: the
    worker's answer is still read."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200 if hard == resource.RLIM_INFINITY else min(1200, hard)
    assert wanted == 1200, f"the test needs 1,200 open files (the hard limit is {hard})"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    opened = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert max(opened) >= 1024
        assert limits.bounded(_pattern, 10, what="pattern", limits=Limits()) == _pattern(10)
    finally:
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _half_sent(then):
    """A sender that writes half of its message, then does *then* (in the worker)."""

    def send(self, message):
        data = pickle.dumps(message)
        os.write(self.fd, len(data).to_bytes(8, "big") + data[: len(data) // 2])
        then()

    return send


def test_a_worker_that_dies_half_way_through_its_answer_is_a_crash(monkeypatch):
    monkeypatch.setattr(limits._Sender, "send", _half_sent(lambda: os._exit(0)))
    with pytest.raises(limits.WorkerCrash, match="exited with code 0 without an answer"):
        limits.bounded(_pattern, 100_000, what="pattern", limits=Limits(timeout=30))


def test_a_message_longer_than_the_worker_can_hold_is_a_crash(monkeypatch):
    """The parent reads no message longer than the worker's memory limit (it would
    allocate what its header says)."""

    def send(self, message):
        os.write(self.fd, (2**62).to_bytes(8, "big"))
        os._exit(0)

    monkeypatch.setattr(limits._Sender, "send", send)
    with pytest.raises(limits.WorkerCrash, match="without an answer"):
        limits.bounded(_pattern, 10, what="pattern", limits=Limits(timeout=30))


def test_an_answer_still_coming_at_the_time_limit_is_stopped(monkeypatch):
    """The time limit holds while the answer is read, not only until it starts."""
    import time

    monkeypatch.setattr(limits._Sender, "send", _half_sent(lambda: time.sleep(60)))
    started = time.monotonic()
    with pytest.raises(LimitError, match="pattern stopped after 1 s"):
        limits.bounded(_pattern, 100_000, what="pattern", limits=Limits(timeout=1))
    assert time.monotonic() - started < 30


def test_memory_limit_applies_in_the_worker_only(monkeypatch):
    with pytest.raises(LimitError, match="memory limit"):
        limits.bounded(bytearray, 1024**3, what="allocation", limits=Limits(memory_mb=400))
    monkeypatch.setenv("ZONEKG_MEMORY_MB", "400")
    with pytest.raises(LimitError, match="memory limit"):
        api.bounded(bytearray, 1024**3, what="allocation")
    assert len(bytearray(8)) == 8 and sys.getrecursionlimit() > 0


def test_an_internal_error_shows_no_traceback_unless_debug():
    from safety_support import run_python

    code = (
        "import sys\n"
        "import zonekg.core.render as r\n"
        "def broken(*args):\n"
        "    raise RuntimeError('render broke')\n"
        "r.render = broken\n"
        "from zonekg.cli import main\n"
        "sys.argv = ['zonekg', *sys.argv[1:]]\n"
        "main()\n"
    )
    args = ["query", "--format", "csv", "--text", "ASK { ?s ?p ?o }"]
    quiet = run_python(code, args)
    assert quiet.returncode == 3
    assert "internal error" in quiet.stderr and "render broke" in quiet.stderr
    assert "Traceback" not in quiet.stderr and "--debug" in quiet.stderr
    loud = run_python(code, ["--debug", *args])
    assert loud.returncode != 0 and "Traceback" in loud.stderr and "render broke" in loud.stderr


def test_validation_is_stopped_at_the_time_limit(tmp_path):
    data = _write(
        tmp_path / "a.ttl", '<http://x/a> <http://x/b> "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" .\n'
    )
    shapes = _write(
        tmp_path / "shapes.ttl",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;\n"
        '  sh:sparql [ sh:select """SELECT $this WHERE {\n'
        '    $this ?p ?o FILTER REGEX(?o, "^(a+)+$") }""" ] .\n',
    )
    # Python's re backtracks on this pattern; Oxigraph's regex (the default engine) does not.
    result = run_cli(
        "--timeout", "2", "validate", "--engine", "reference", "--data", str(data),
        "--shapes", str(shapes),
    )  # fmt: skip
    assert result.returncode == 2, result.stdout[-300:] + result.stderr
    assert "validation stopped after 2 s (time limit)" in flat(result.stderr)


def test_reasoning_is_stopped_at_the_time_limit(tmp_path, engine):
    file = _write(tmp_path / "ring.ttl", _ring(2000 if engine == "oxigraph" else 300))
    result = run_cli("--timeout", "2", "reason", "--data", str(file), "--engine", engine)
    assert result.returncode == 2
    assert "reasoning stopped after 2 s (time limit)" in flat(result.stderr)


def test_the_cli_installs_the_guard_before_any_command():
    from safety_support import run_python

    code = (
        "import sys\n"
        "from zonekg import cli\n"
        "from zonekg.safety import guard\n"
        "sys.argv = ['zonekg', 'questions']\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('guard installed:', guard.installed())\n"
    )
    result = run_python(code)
    assert "guard installed: True" in result.stdout, result.stderr


def test_an_unreadable_folder_is_reported_not_taken_as_empty(tmp_path, monkeypatch):
    """Root reads any folder, so the refusal is simulated where the loader lists it."""
    import os

    from zonekg.inputs.files import data_files

    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.ttl").write_text("<http://x/a> <http://x/b> 1 .\n", encoding="utf-8")
    assert data_files([folder]) == [folder / "a.ttl"]

    real = os.scandir

    def refuse(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(ZonekgError, match="cannot read this folder: Permission denied") as caught:
        data_files([folder])
    assert caught.value.file == folder


def _warns_then_answers() -> int:
    import warnings

    from zonekg.core.errors import InputWarning

    class Local(UserWarning):  # a class pickle cannot find again by its name
        pass

    warnings.warn(InputWarning("data.ttl:3:1: an input's warning"), stacklevel=1)
    warnings.warn(Local("a library's own warning"), stacklevel=1)
    warnings.warn(_TwoArguments("made", "with two arguments"), stacklevel=1)
    return 7


class _TwoArguments(UserWarning):
    """A library's warning whose constructor takes more than a message."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def test_a_worker_s_warnings_are_issued_in_the_process_that_forked_it():
    """Input warnings were printed by the worker on the stderr it was forked with: a
    caller that reads stderr in its own process (a test, an embedding program) saw none,
    and a Python caller could not filter them. They come back as warnings now."""
    import warnings

    from zonekg.core.errors import InputWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert limits.bounded(_warns_then_answers, what="work", limits=Limits()) == 7
    assert [(w.category, str(w.message)) for w in caught] == [
        (InputWarning, "data.ttl:3:1: an input's warning"),
        (UserWarning, "a library's own warning"),
        (UserWarning, "made with two arguments"),
    ]


def test_a_python_caller_gets_an_input_s_warning_as_a_warning(tmp_path, capfd):
    from zonekg.core.errors import InputWarning

    data = tmp_path / "relative.ttl"
    data.write_text("<thing> <https://example.org/p> 1 .\n", encoding="utf-8")
    with pytest.warns(InputWarning, match=r"relative\.ttl:1:1: relative IRI <thing>"):
        api.load([data], ontology=[])
    assert capfd.readouterr().err == "", "nothing printed below the command line"


@pytest.mark.parametrize("doc", ["docs/limits-and-security.md", "SECURITY.md"])
def test_every_limit_is_in_the_tables_of_limits(doc):
    """Each field of Limits has its row, with its variable (``threads`` had none)."""
    from zonekg.core.settings import LIMITS

    text = (Path(__file__).resolve().parents[1] / doc).read_text(encoding="utf-8")
    assert len(LIMITS) >= 10
    missing = [limit.env for limit in LIMITS.values() if f"`{limit.env}=" not in text]
    assert not missing, f"{doc} has no row for {missing}"
