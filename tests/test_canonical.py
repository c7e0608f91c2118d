"""Hand-edited Turtle stays in the stable sorted form (`zonekg fmt`)."""

from __future__ import annotations

import pytest

from zonekg.core import paths
from zonekg.publish.canonical import canonical_text as canonical_turtle

DATA_FILES = sorted(paths.DATA.glob("*.ttl"))


def test_data_files_exist():
    assert len(DATA_FILES) >= 7


@pytest.mark.parametrize("file", DATA_FILES, ids=lambda f: f.name)
def test_data_file_is_in_canonical_form(file):
    assert file.read_text(encoding="utf-8") == canonical_turtle(file), (
        f"{file.name} is not in canonical form: run `make fmt`"
    )


def test_canonical_form_is_a_fixed_point(tmp_path):
    messy = tmp_path / "messy.ttl"
    messy.write_text(
        "# header kept\n@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "<https://w3id.org/zonekg/id/zone/b> a zk:DemonstrationZone .\n"
        "<https://w3id.org/zonekg/id/zone/a> a zk:DemonstrationZone .\n",
        encoding="utf-8",
    )
    once = canonical_turtle(messy)
    assert once.startswith("# header kept\n")
    assert once.index("zone:a") < once.index("zone:b")
    messy.write_text(once, encoding="utf-8")
    assert canonical_turtle(messy) == once
