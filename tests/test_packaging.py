"""pyproject.toml lists the packages by hand (the project's files are mapped in beside the
code, which `packages.find` cannot do): every package of src/zonekg must be on the list, and
every folder mapped into zonekg/home must exist, so that no wheel ships without one."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def test_every_code_package_is_listed():
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src" / "zonekg").rglob("__init__.py")
    }
    assert "zonekg.core" in found
    missing = found - set(SETUPTOOLS["packages"])
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_the_mapped_project_folders_exist_and_hold_their_files():
    home = {name: folder for name, folder in SETUPTOOLS["package-dir"].items() if name}
    assert set(home) >= {"zonekg.home.ontology", "zonekg.home.data", "zonekg.home.queries"}
    data = SETUPTOOLS["package-data"]
    for package in (p for p in SETUPTOOLS["packages"] if p.startswith("zonekg.home.")):
        parent = max((name for name in home if package.startswith(name)), key=len)
        folder = ROOT / home[parent] / Path(*package[len(parent) + 1 :].split(".") or [""])
        assert folder.is_dir(), f"{package}: {folder} does not exist"
        assert any(any(folder.glob(pattern)) for pattern in data[package]), package
