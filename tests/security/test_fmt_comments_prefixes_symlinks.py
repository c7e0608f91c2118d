"""Case 17: `zonekg fmt` dropped comments inside a statement, renamed a prefix to ns1:,
and replaced a symlink with a plain file.

fmt (publish/canonical.py) refuses a file with a comment it would drop, keeps the
file's own prefixes, and writes through a symlink to the file it points to.
"""

from __future__ import annotations

from safety_support import flat, run_cli

TEXT = """# header kept
@prefix ex: <http://example.org/> .
@prefix my: <http://example.org/mine#> .
ex:a ex:p ex:b ;{comment}
  my:q "not # a comment" .
"""


def _fmt(*args, folder):
    return run_cli("fmt", *args, env={"ZONEKG_ALLOW": str(folder)}, cwd=folder)


def test_a_comment_inside_a_statement_is_kept_by_refusing(tmp_path):
    data = tmp_path / "d.ttl"
    data.write_text(TEXT.format(comment=" # why b"), encoding="utf-8")
    before = data.read_bytes()
    done = _fmt(str(data), folder=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "d.ttl:4" in flat(done.stderr) and "comment" in flat(done.stderr)
    assert data.read_bytes() == before


def test_the_file_s_own_prefixes_are_kept(tmp_path):
    data = tmp_path / "d.ttl"
    data.write_text(TEXT.format(comment=""), encoding="utf-8")
    done = _fmt(str(data), folder=tmp_path)
    assert done.returncode == 0, done.stderr
    text = data.read_text(encoding="utf-8")
    assert "ns1:" not in text and "ns2:" not in text
    assert "@prefix my: <http://example.org/mine#> ." in text
    assert '"not # a comment"' in text and text.startswith("# header kept\n")


def test_a_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.ttl"
    real.write_text(TEXT.format(comment=""), encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    done = _fmt(str(link), folder=tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == real
    assert "ex:a" in real.read_text(encoding="utf-8")
    assert _fmt("--check", str(link), folder=tmp_path).returncode == 0


def test_the_project_data_is_already_in_the_form_fmt_keeps():
    done = run_cli("fmt", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
