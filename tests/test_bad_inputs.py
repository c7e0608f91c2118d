"""The kept bad-input suite: each case in bad_inputs/cases.toml gets one clear message.

Every case runs the CLI (`zonekg.cli.main` in this process: the same parsing, checks and
exit codes as a subprocess, without an interpreter start per case; a worker's warnings come
back to the process that forked it) and must exit with the expected code,
print the expected fragment (whitespace-normalised), print no traceback, and
leave every source file and every case file unchanged. A case about a data
file (written as ``stats --data {file}``) runs through every command that
reads data, on both engines: the input checks come before any engine.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from cli_support import zonekg_in_process
from safety_support import ROOT, flat, source_hashes, tree_hashes
from serve_support import running_server

# Slow: hundreds of runs, each loading the ontology and a case.
pytestmark = pytest.mark.slow

CASES_DIR = Path(__file__).resolve().parent / "bad_inputs"
CASES = tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]
DATA_CASES = [c for c in CASES if c["args"] == ["stats", "--data", "{file}"]]
OTHER_CASES = [c for c in CASES if c not in DATA_CASES]
#: Every command that reads data, as a user types it (serve fails before it listens).
DATA_COMMANDS = {
    "validate": ["validate"],
    "reason": ["reason"],
    "query": ["query", "cq01"],
    "export": ["export"],
    "stats": ["stats"],
    "serve": ["serve", "--port", "9"],
}


def test_the_suite_is_big_enough_and_every_case_file_exists():
    assert len(CASES) >= 30 and len(DATA_CASES) >= 15 and WARNED_CASES
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        if "file" in case:
            assert (CASES_DIR / case["file"]).is_file(), case["name"]
    used = {case["file"] for case in CASES if "file" in case}
    on_disk = {p.name for p in CASES_DIR.iterdir() if p.is_file() and p.name != "cases.toml"}
    assert on_disk <= used, f"files no case uses: {on_disk - used}"


def _check(case, args, env=None, exit_code=None, fragment=None):
    sources, inputs = source_hashes(), tree_hashes(CASES_DIR)
    result = zonekg_in_process(*args, env=env, cwd=ROOT)
    message = flat(result.stderr)
    assert result.returncode == (exit_code or case["exit"]), message
    assert (fragment or case["message"]) in message, message
    assert "Traceback" not in result.stderr + result.stdout
    assert source_hashes() == sources and tree_hashes(CASES_DIR) == inputs


def _file(case) -> str:
    return str((CASES_DIR / case["file"]).relative_to(ROOT)) if "file" in case else ""


#: A file read with a warning is served, so serve is tried on it by a test of its own.
FAILING_RUNS = [
    pytest.param(case, command, id=f"{command}-{case['name']}")
    for case in DATA_CASES
    for command in sorted(DATA_COMMANDS)
    if not (case.get("warning") and command == "serve")
]
WARNED_CASES = [c for c in DATA_CASES if c.get("warning")]


@pytest.mark.parametrize(("case", "command"), FAILING_RUNS)
def test_bad_data_file(case, command, engine):
    args = [*DATA_COMMANDS[command], "--data", _file(case), "--engine", engine]
    exit_code = case.get(f"{command}_exit")
    _check(case, args, case.get("env"), exit_code)


@pytest.mark.parametrize("case", OTHER_CASES, ids=[case["name"] for case in OTHER_CASES])
def test_bad_input(case, engine):
    folder = str(CASES_DIR.relative_to(ROOT))
    args = [a.replace("{file}", _file(case)).replace("{dir}", folder) for a in case["args"]]
    if args and args[0] in ("query", "validate") or args[2:3] == ["query"]:
        args.append(f"--engine={engine}")
    fragment = case.get("reference_message") if engine == "reference" else None
    _check(case, args, case.get("env"), fragment=fragment)


@pytest.mark.parametrize("case", WARNED_CASES, ids=[case["name"] for case in WARNED_CASES])
def test_a_warned_file_is_served_with_its_warning(case, engine, tmp_path):
    with running_server(tmp_path, "--data", _file(case), "--engine", engine) as server:
        assert case["message"] in flat(server.log_text())


def test_a_run_in_this_process_leaves_its_memory_cap_as_it_was():
    """`serve` caps its own process's memory before it loads the data; run in the test
    process, a bad-data case left the test worker capped, and a browser started by a later
    test in that worker could not start (test_zones_browser)."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    case = next(c for c in DATA_CASES if not c.get("warning"))
    result = zonekg_in_process(*DATA_COMMANDS["serve"], "--data", _file(case), cwd=ROOT)
    assert result.returncode != 0, result.stdout
    assert resource.getrlimit(resource.RLIMIT_AS) == before
