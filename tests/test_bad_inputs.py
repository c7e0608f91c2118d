"""The kept bad-input suite: each case in bad_inputs/cases.toml gets one clear message.

Every case runs the CLI in a subprocess and must exit with the expected code,
print the expected fragment (whitespace-normalised), print no traceback, and
leave every source file and every case file unchanged.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from safety_support import ROOT, flat, run_cli, source_hashes, tree_hashes

CASES_DIR = Path(__file__).resolve().parent / "bad_inputs"
CASES = tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]


def test_the_suite_is_big_enough_and_every_case_file_exists():
    assert len(CASES) >= 30
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in CASES:
        if "file" in case:
            assert (CASES_DIR / case["file"]).is_file(), case["name"]
    used = {case["file"] for case in CASES if "file" in case}
    on_disk = {p.name for p in CASES_DIR.iterdir() if p.is_file() and p.name != "cases.toml"}
    assert on_disk <= used | {"backtracking-data.ttl"}, f"files no case uses: {on_disk - used}"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input(case):
    file = str((CASES_DIR / case["file"]).relative_to(ROOT)) if "file" in case else ""
    folder = str(CASES_DIR.relative_to(ROOT))
    args = [a.replace("{file}", file).replace("{dir}", folder) for a in case["args"]]
    sources, inputs = source_hashes(), tree_hashes(CASES_DIR)
    result = run_cli(*args, env=case.get("env"))
    message = flat(result.stderr)
    assert result.returncode == case["exit"], message
    assert case["message"] in message
    assert "Traceback" not in result.stderr + result.stdout
    assert source_hashes() == sources and tree_hashes(CASES_DIR) == inputs
