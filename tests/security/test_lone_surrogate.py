"""Case 9: a lone surrogate `"\\uD800"` in a literal: stats exit 0, validate exit 2,
export exit 3 (UnicodeEncodeError), and the server answered 500 for every page.

The input check (pyoxigraph's strict parser, inputs/checks.py) refuses the escape for
every command before any engine, so the server never starts on such data.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli


@pytest.mark.parametrize("command", ["stats", "validate", "export", "reason", "query cq01"])
@pytest.mark.parametrize("escape", ["\\uD800", "\\uDFFF", "\\U0000D800"])
def test_a_lone_surrogate_is_bad_input_everywhere(command, escape, tmp_path):
    data = tmp_path / "sur.ttl"
    data.write_text(
        f'@prefix ex: <http://example.org/> .\nex:a ex:p "x{escape}y" .\n', encoding="utf-8"
    )
    done = run_cli(*command.split(), "--data", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "sur.ttl:2" in flat(done.stderr)
    assert "internal error" not in done.stderr
