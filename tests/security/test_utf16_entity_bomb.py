"""Case 13: a UTF-16 RDF/XML entity bomb passed the DOCTYPE check (it scanned raw bytes)
and ran past the time limit.

inputs/checks.check_rdfxml decodes by the BOM or the XML declaration (UTF-8, UTF-16,
UTF-32) before it looks for DOCTYPE and ENTITY.
"""

from __future__ import annotations

import pytest
from safety_support import flat, run_cli

BOMB = """<?xml version="1.0" encoding="{enc}"?>
<!DOCTYPE r [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/a"><ex:p>&d;</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-8", b""),
        ("utf-16-le", b""),  # no BOM: the declaration's own bytes tell
    ],
)
def test_an_entity_bomb_in_any_encoding_is_refused(encoding, bom, tmp_path):
    bomb = tmp_path / "bomb.rdf"
    declared = encoding.split("-le")[0].split("-be")[0].upper()
    bomb.write_bytes(bom + BOMB.format(enc=declared).encode(encoding))
    done = run_cli("--timeout", "20", "diff", str(bomb))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "DOCTYPE" in flat(done.stderr) or "ENTITY" in flat(done.stderr)
