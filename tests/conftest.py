from __future__ import annotations

import pytest

from zonekg import api
from zonekg.engines import NAMES


@pytest.fixture(scope="session", params=NAMES)
def engine(request) -> str:
    """Each behaviour test that takes this runs once per engine."""
    return request.param


@pytest.fixture(scope="session")
def kg() -> api.KnowledgeGraph:
    """The project's own ontology and data, loaded once by the reference engine (rdflib)."""
    return api.load(engine="reference")


@pytest.fixture(scope="session")
def kgs() -> dict[str, api.KnowledgeGraph]:
    """The project's own graph loaded by every engine, reasoned once each."""
    loaded = {}
    for name in NAMES:
        loaded[name] = api.load(engine=name)
        api.reason(loaded[name])
    return loaded


@pytest.fixture(scope="session")
def inferred(kg):
    return api.inferred(kg)
