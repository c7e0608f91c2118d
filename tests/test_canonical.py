"""Hand-edited TriG (and Turtle) stays in the stable sorted form (`zonekg fmt`)."""

from __future__ import annotations

import pytest

from zonekg.core import paths
from zonekg.inputs.files import SYNTAX, data_files
from zonekg.publish.canonical import canonical_text as canonical_turtle

DATA_FILES = sorted(p for suffix in SYNTAX for p in paths.DATA.glob(f"*{suffix}"))


def test_data_files_exist():
    # The second edition: one TriG file per topic (zone, areas, places, proposals,
    # agreements, economy, organizations, people, sectors, events, disagreements, sources).
    assert len([f for f in DATA_FILES if f.suffix == ".trig"]) >= 12
    assert data_files(None) == DATA_FILES, "every data file the commands read is checked here"


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


def test_trig_canonical_form_sorts_graphs_and_is_a_fixed_point(tmp_path):
    messy = tmp_path / "messy.trig"
    messy.write_text(
        "# header kept\n@prefix zk: <https://w3id.org/zonekg/def#> .\n"
        "<https://w3id.org/zonekg/id/document/b> {\n"
        "  <https://w3id.org/zonekg/id/zone/b> a zk:DemonstrationZone .\n}\n"
        "<https://w3id.org/zonekg/id/document/a> {\n"
        "  <https://w3id.org/zonekg/id/zone/b> a zk:DemonstrationZone .\n"
        "  <https://w3id.org/zonekg/id/zone/a> a zk:DemonstrationZone .\n}\n",
        encoding="utf-8",
    )
    once = canonical_turtle(messy)
    assert once.startswith("# header kept\n")
    assert once.index("document:a {") < once.index("document:b {")
    first = once[once.index("document:a {") : once.index("document:b {")]
    assert first.index("zone:a") < first.index("zone:b")
    assert once.count("zone:b a zk:DemonstrationZone") == 2  # kept in both graphs
    messy.write_text(once, encoding="utf-8")
    assert canonical_turtle(messy) == once
