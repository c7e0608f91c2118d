from __future__ import annotations

import pytest

from zonekg.load import KnowledgeGraph, load


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The project's own ontology and data, loaded once."""
    return load()


@pytest.fixture(scope="session")
def inferred(kg):
    from zonekg.reason import reason

    return reason(kg)
