"""Regression tests for the red-team pass of issue 13: one file per case, named after it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # safety_support, serve_support

from safety_support import ROOT, source_hashes  # noqa: E402


@pytest.fixture()
def unchanged_sources():
    """The project's data, ontology and queries are byte for byte the same after the test."""
    before = source_hashes()
    yield
    assert source_hashes() == before, "a source file was changed"


@pytest.fixture()
def small_data(tmp_path) -> Path:
    """A small Turtle file of one's own, outside the project."""
    path = tmp_path / "small.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n", encoding="utf-8")
    return path


__all__ = ["ROOT"]
