"""Case 2 (high): `zonekg release data` deleted every source file, exit 0, and
`zonekg release <the checkout>` replaced the whole checkout, .git included.

safety/targets.py: a folder output never lands on or over the sources or the checkout,
and never replaces a non-empty folder that is not a previous bundle (bundles mark
themselves with .zonekg-output).
"""

from __future__ import annotations

import pytest
from safety_support import ROOT, flat, run_cli, tree_hashes


@pytest.mark.parametrize("target", ["data", ".", "ontology", "queries", "src/zonekg", ".git", ".."])
def test_release_refuses_the_sources_and_the_checkout(target, unchanged_sources):
    git_before = (ROOT / ".git").exists()
    done = run_cli("release", target)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to write here" in flat(done.stderr)
    assert (ROOT / ".git").exists() == git_before
    assert (ROOT / "pyproject.toml").is_file()


def test_release_refuses_a_non_empty_folder_that_is_not_a_bundle(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("my own file\n")
    before = tree_hashes(target)
    done = run_cli("release", str(target))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not a previous `zonekg release` output" in flat(done.stderr)
    assert tree_hashes(target) == before


def test_release_refuses_the_folder_of_its_own_inputs(tmp_path, small_data):
    done = run_cli("release", str(small_data.parent), "--data", str(small_data))
    assert done.returncode == 2
    assert small_data.is_file()
