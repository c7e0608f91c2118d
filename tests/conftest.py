from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def release_base_url() -> str:
    """The public address the shared release names (its endpoint is this + /sparql)."""
    return "https://zonekg.example.org"


@pytest.fixture(scope="session")
def release_bundle(tmp_path_factory, release_base_url) -> Path:
    """One release bundle, made as a user makes it (`zonekg release --base-url`, in a
    subprocess), shared by the tests of what leaves the project: the catalogue a portal
    harvests (CKAN, DCAT-AP) and the JSON-LD other processors read."""
    target = tmp_path_factory.mktemp("release") / "bundle"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonekg.cli",
            "release",
            str(target),
            "--base-url",
            release_base_url,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        # a release takes ~30 s of CPU; the time limit is raised for slow, shared test machines
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "ZONEKG_TIMEOUT": "900"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target
