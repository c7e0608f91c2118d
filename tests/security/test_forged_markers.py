"""Issue 18, class F: markers forgeable.

.zonekg-output was read through a symlink and held just the word "release": with a
forged marker, `release` deleted a user's thesis.txt from a non-empty folder.

safety/targets.py: a folder output is sealed with SHA256SUMS (every file in it) and a
marker naming the command and the SHA-256 of that SHA256SUMS. A folder is replaced only
when the marker is a regular file (never a link) that names the command and this
SHA256SUMS, and every file in the folder is listed there with the digest it had; else it
is left alone, naming the file that makes it someone else's. Release, generate and
--store folders (test_caches_and_stores_trusted) all go through it.
"""

from __future__ import annotations

import hashlib

import pytest
from safety_support import flat, run_cli, tree_hashes

from zonekg.core.errors import ZonekgError
from zonekg.publish import release
from zonekg.safety import targets


@pytest.fixture()
def users_folder(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("four years of work\n")
    return folder


def _bundle(folder, command="release"):
    """A folder as *command* leaves it: files, SHA256SUMS, the marker."""
    folder.mkdir()
    (folder / "zonekg.ttl").write_text("# a bundle\n")
    (folder / "docs").mkdir()
    (folder / "docs" / "index.html").write_text("<p>docs</p>\n")
    targets.mark(folder, command)
    return folder


def _refusal(folder, command="release") -> str:
    with pytest.raises(ZonekgError) as refused:
        targets.check_folder(folder, command)
    return flat(str(refused.value))


def test_a_marker_read_through_a_symlink_does_not_let_release_delete_a_file(
    kg, users_folder, tmp_path
):
    forged = tmp_path / "forged-marker"
    forged.write_text("release\n")
    (users_folder / ".zonekg-output").symlink_to(forged)
    before = tree_hashes(users_folder)
    with pytest.raises(ZonekgError, match="is a symbolic link"):
        release.build(kg, users_folder, diagrams=False)
    assert tree_hashes(users_folder) == before
    assert (users_folder / "thesis.txt").read_text() == "four years of work\n"


def test_a_bare_marker_of_an_older_zonekg_without_checksums_is_not_enough(users_folder):
    (users_folder / ".zonekg-output").write_text("release\n")
    said = _refusal(users_folder)
    assert "an older zonekg's" in said and "no SHA256SUMS" in said
    assert (users_folder / "thesis.txt").is_file()


def test_a_file_added_to_a_bundle_is_never_deleted(tmp_path):
    bundle = _bundle(tmp_path / "bundle")
    assert targets.is_output_of(bundle, "release")
    (bundle / "docs" / "thesis.txt").write_text("mine\n")
    said = _refusal(bundle)
    assert "docs/thesis.txt (not in its SHA256SUMS: added since)" in said


def test_a_file_changed_in_a_bundle_is_never_deleted(tmp_path):
    bundle = _bundle(tmp_path / "bundle")
    (bundle / "zonekg.ttl").write_text("# my own edits\n")
    assert "zonekg.ttl (changed since zonekg wrote it)" in _refusal(bundle)


def test_checksums_rewritten_to_list_a_users_file_do_not_match_the_marker(tmp_path):
    bundle = _bundle(tmp_path / "bundle")
    (bundle / "thesis.txt").write_text("mine\n")
    digest = hashlib.sha256(b"mine\n").hexdigest()
    with (bundle / "SHA256SUMS").open("a") as sums:
        sums.write(f"{digest}  thesis.txt\n")
    assert "is not the one its .zonekg-output names" in _refusal(bundle)


def test_a_marker_copied_with_its_checksums_into_a_users_folder(tmp_path, users_folder):
    bundle = _bundle(tmp_path / "bundle")
    for name in (".zonekg-output", "SHA256SUMS"):
        (users_folder / name).write_bytes((bundle / name).read_bytes())
    assert "thesis.txt (not in its SHA256SUMS: added since)" in _refusal(users_folder)


def test_a_link_inside_a_bundle_makes_it_someone_else_s(tmp_path, users_folder):
    bundle = _bundle(tmp_path / "bundle")
    (bundle / "my-thesis").symlink_to(users_folder / "thesis.txt")
    assert "my-thesis (a symbolic link" in _refusal(bundle)


def test_a_marker_of_another_command_is_not_this_one_s(tmp_path):
    bundle = _bundle(tmp_path / "bundle", command="generate")
    assert targets.is_output_of(bundle, "generate")
    assert "does not name `zonekg release`" in _refusal(bundle)
    assert not targets.is_marked(bundle, "store")


def test_an_older_bundle_is_replaced_only_as_its_checksums_list_it(tmp_path):
    """Older releases wrote the bare word and listed every file, the marker too."""
    bundle = tmp_path / "old"
    bundle.mkdir()
    (bundle / "zonekg.ttl").write_text("# an older bundle\n")
    (bundle / ".zonekg-output").write_text("release\n")
    sums = "".join(
        f"{hashlib.sha256((bundle / n).read_bytes()).hexdigest()}  {n}\n"
        for n in (".zonekg-output", "zonekg.ttl")
    )
    (bundle / "SHA256SUMS").write_text(sums)
    assert targets.is_output_of(bundle, "release")
    (bundle / "thesis.txt").write_text("mine\n")
    assert "thesis.txt (not in its SHA256SUMS: added since)" in _refusal(bundle)


def test_generate_leaves_a_folder_with_a_forged_marker_alone(users_folder):
    (users_folder / ".zonekg-output").write_text("generate\n")
    (users_folder / "zone.nq").write_text("# my own N-Quads\n")
    before = tree_hashes(users_folder)
    done = run_cli("generate", "--triples", "10", "-o", str(users_folder))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to write here" in flat(done.stderr)
    assert tree_hashes(users_folder) == before


def test_generate_seals_its_output_and_replaces_it(tmp_path):
    out = tmp_path / "generated"
    for _ in range(2):
        done = run_cli("generate", "--triples", "10", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert targets.is_output_of(out, "generate")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"], "no staging left"
    (out / "notes.txt").write_text("mine\n")
    done = run_cli("generate", "--triples", "10", "-o", str(out))
    assert done.returncode == 2 and "notes.txt" in flat(done.stderr), done.stderr
    assert (out / "notes.txt").read_text() == "mine\n"


def test_a_file_added_while_generate_runs_is_never_deleted(tmp_path, monkeypatch):
    from zonekg.publish import generate as module

    out = tmp_path / "generated"
    module.generate(10, out)
    write_copies = module._write_copies

    def user_saves_a_file_meanwhile(*args, **kwargs):
        (out / "thesis.txt").write_text("mine\n")
        return write_copies(*args, **kwargs)

    monkeypatch.setattr(module, "_write_copies", user_saves_a_file_meanwhile)
    with pytest.raises(ZonekgError, match="thesis.txt"):
        module.generate(10, out)
    assert (out / "thesis.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"], "no staging left"
