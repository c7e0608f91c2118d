from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from serve_support import Server, running_server

from zonekg import api
from zonekg.core import paths
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
def data_copy(tmp_path) -> Path:
    """A copy of the project's data files, to change (or to keep a store of)."""
    folder = tmp_path / "data"
    folder.mkdir()
    found = sorted(paths.DATA.glob("*.trig"))
    assert found, "the project's data files"
    for file in found:
        shutil.copy2(file, folder / file.name)
    return folder


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def default_server(tmp_path_factory) -> Iterator[Server]:
    """`zonekg serve` as a user starts it (no option, on a free port of 127.0.0.1), one per
    test session (so one per xdist worker), for the tests that only ask it questions; it is
    stopped at the end of the session. Tests of limits, crashes or other data start their own."""
    with running_server(tmp_path_factory.mktemp("default-serve")) as server:
        yield server


@pytest.fixture(scope="session")
def release_base_url() -> str:
    """The public address the shared release names (its endpoint is this + /sparql)."""
    return "https://zonekg.example.org"


@pytest.fixture(scope="session")
def release_bundle(tmp_path_factory, release_base_url) -> Path:
    """One release bundle, made as a user makes it (`zonekg release --base-url`, in a
    subprocess), shared by the tests of what leaves the project: the catalogue a portal
    harvests (CKAN, DCAT-AP) and the JSON-LD other processors read."""
    return made_once_per_run(
        tmp_path_factory, "release-bundle", lambda target: _release(target, release_base_url)
    )


@pytest.fixture(scope="session")
def plain_release(tmp_path_factory) -> Path:
    """One bundle of `zonekg release DIR` with no --base-url (in a subprocess), read by the
    tests of the bundle itself (test_release) and of the questions over it (test_travel)."""
    return made_once_per_run(tmp_path_factory, "release-plain", _release)


def _release(target: Path, base_url: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zonekg.cli", "release", str(target)]
        + (["--base-url", base_url] if base_url else []),
        capture_output=True,
        text=True,
        timeout=900,
        # a release takes ~30 s of CPU; the time limit is raised for slow, shared machines
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "ZONEKG_TIMEOUT": "900"},
    )
    assert done.returncode == 0, done.stdout + done.stderr


def made_once_per_run(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder *make* writes once per test run and the tests only read, shared by the
    pytest-xdist workers (a session fixture runs once per worker): the first worker makes
    it under a lock in the run's own temporary folder, the others wait and reuse it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        target = tmp_path_factory.mktemp(name) / name
        make(target)
        return target
    # popen-gwN's parent: this run's folder, shared by its workers and by no other run
    shared = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    shared.mkdir(exist_ok=True)
    target = shared / name
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            partial = shared / f"{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            make(partial)
            partial.rename(target)
    return target


#: Modules whose tests are handed to the pytest-xdist workers one by one, instead of the whole
#: module to one worker: long modules whose tests are independent and whose module fixtures
#: are cheap (a worker that runs some of them makes its own). The others stay whole, so that
#: their servers, bundles and wheels are made once.
SPREAD = frozenset(
    {
        "tests/conformance/test_differential.py",
        "tests/conformance/test_fuzz_borders.py",
        "tests/conformance/test_owl2rl.py",
        "tests/security/test_chaos.py",
        "tests/test_bad_inputs.py",
        "tests/test_shapes.py",
    }
)


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (as `make test` runs): a module to a worker, but the modules in
    SPREAD test by test, so that the run does not end waiting on one worker with a long
    module. Handed out in the order of the collection (with --no-loadscope-reorder)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SpreadScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if _module(nodeid) in SPREAD else _module(nodeid)

    return SpreadScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist the modules marked slow are handed out first, those that stay
    whole before those spread test by test (and the same for the rest), so that the long
    work starts first and the short tests fill in at the end."""
    if config.pluginmanager.hasplugin("xdist"):
        items.sort(  # stable: a module's tests keep their order
            key=lambda item: (
                item.get_closest_marker("slow") is None,
                _module(item.nodeid) in SPREAD,
            )
        )
