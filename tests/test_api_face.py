"""The Python API's face: ``zonekg.api.__all__`` is exactly what the package offers, what
its callers above it (cli/, web/, publish/) use and what the documentation names."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from zonekg import api

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "zonekg"
CALLERS = ("cli", "web", "publish")
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _caller_files() -> list[Path]:
    files = [f for layer in CALLERS for f in sorted((PACKAGE / layer).rglob("*.py"))]
    assert len(files) > 10, files
    return files


def taken_from_api() -> tuple[set[str], list[str]]:
    """The names the callers take from the api (``api.X``, ``from ..api import X``), and
    any import of one of its modules (``from ..api.loading import …``)."""
    names: set[str] = set()
    modules: list[str] = []
    for file in _caller_files():
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = node.module
                if module in ("api", "zonekg.api"):
                    names |= {alias.name for alias in node.names}
                elif module.startswith(("api.", "zonekg.api.")):
                    modules.append(f"{file.relative_to(ROOT)}: {module}")
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "api"
            ):
                names.add(node.attr)
    return names, modules


def documented() -> set[str]:
    """The names the README and docs/ pages give as ``api.X`` (not a page such as
    ``python-api.md``)."""
    found: set[str] = set()
    for page in DOCUMENTS:
        text = page.read_text(encoding="utf-8")
        found |= set(re.findall(r"(?<![\w/.-])api\.([A-Za-z]\w*)\b(?!\.py)", text))
    return found


def test_init_holds_only_the_public_names():
    """The names it binds at import and those it imports on first use (api._WHERE)."""
    eager = {
        name
        for name, value in vars(api).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and name not in ("annotations", "TYPE_CHECKING")
    }
    assert eager | set(api._WHERE) == set(api.__all__)
    assert all(getattr(api, name) is not None for name in api._WHERE)
    assert len(api.__all__) == len(set(api.__all__))


def test_callers_use_only_the_public_names_and_never_a_module_of_the_package():
    names, modules = taken_from_api()
    assert names, "the callers take nothing from the api: the scan is broken"
    assert names - set(api.__all__) == set()
    assert modules == []


def test_every_documented_name_is_public():
    named = documented()
    assert {"load", "query", "validate", "bounded"} <= named, named
    assert named - set(api.__all__) == set()


def test_every_public_name_is_used_or_documented():
    names, _ = taken_from_api()
    assert set(api.__all__) - names - documented() == set()
