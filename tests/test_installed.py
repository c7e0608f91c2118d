"""The installed product, tested where it lands.

``python -m build`` makes the sdist from a copy of the checkout, and then the wheel from
that sdist (so the sdist must hold all a wheel build needs). The wheel is installed in a
fresh venv, and with pipx, in a temporary folder; the commands a new user runs first are
run from an empty folder, with no checkout around it, ``$ZONEKG_HOME`` unset and a home
folder of their own (so the user cache is seen to land there and nowhere else).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from serve_support import running_server

from zonekg.core.questions import expected_rows, questions

# Slow: builds a wheel and an sdist and installs them with pip and pipx.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: The project's files the wheel carries (as zonekg/home/...), by the globs pyproject.toml maps.
CARRIED = (
    "ontology/zonekg.ttl",
    "ontology/zonekg.schema-closure.nt",
    "ontology/shapes/*.ttl",
    "data/*.trig",
    "data/sources/*",
    "queries/cq*.rq",
    "queries/cq*.expected.csv",
)
#: Folders only the tests use: never shipped.
NOT_CARRIED = ("data/invalid/", "ontology/qc/")


def _run(command: list, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    return done


def _checked(command: list, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    done = _run(command, timeout, **kwargs)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


def _carried_files() -> dict[str, bytes]:
    found = {
        path.relative_to(ROOT).as_posix(): path.read_bytes()
        for pattern in CARRIED
        for path in sorted(ROOT.glob(pattern))
        if path.is_file()
    }
    assert any(name.startswith("queries/") for name in found)
    assert any(name.startswith("data/sources/") for name in found)
    return found


def _git_files(source: Path) -> Path:
    """A copy of the files git sees (a fresh clone's, with any new ones), in *source*."""
    listed = _checked(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout.split("\0")
    for name in [n for n in listed if n]:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    return source


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel built from it, from a copy of the files git sees."""
    base = tmp_path_factory.mktemp("dist")
    source = _git_files(base / "source")
    vendor = ROOT / "src/zonekg/web/static/vendor"  # its files made by `make vendor`, git-ignored
    if vendor.is_dir():
        shutil.copytree(vendor, source / "src/zonekg/web/static/vendor", dirs_exist_ok=True)
    out = base / "out"
    built = _checked([sys.executable, "-m", "build", "--outdir", out, source])
    (base / "build.log").write_text(built.stdout + built.stderr, "utf-8")
    assert len(list(out.glob("*.whl"))) == 1 and len(list(out.glob("*.tar.gz"))) == 1
    return out


@dataclass
class Installed:
    bin: Path  # the venv's bin folder
    empty: Path  # the working folder: empty, no checkout above it
    home: Path
    env: dict[str, str]

    def zonekg(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return _run([self.bin / "zonekg", *args], cwd=self.empty, env={**self.env, **(env or {})})

    @property
    def package(self) -> Path:
        done = _checked(
            [
                self.bin / "python",
                "-c",
                "import zonekg, os; print(os.path.dirname(zonekg.__file__))",
            ],
            cwd=self.empty,
            env=self.env,
        )
        return Path(done.stdout.strip())


def _user_env(home: Path) -> dict[str, str]:
    """The environment of a user with no zonekg settings and a home folder of their own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ZONEKG_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "XDG_CACHE_HOME")
    }
    env["HOME"] = str(home)
    return env


def _empty_folder(base: Path) -> Path:
    empty = base / "empty"
    empty.mkdir()
    assert not any(folder.joinpath("pyproject.toml").exists() for folder in [empty, *empty.parents])
    return empty


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    venv = base / "venv"
    _checked([sys.executable, "-m", "venv", venv])
    (wheel,) = dist.glob("*.whl")
    _checked([venv / "bin/python", "-m", "pip", "install", "--quiet", wheel], timeout=900)
    home = base / "home"
    home.mkdir()
    return Installed(venv / "bin", _empty_folder(base), home, _user_env(home))


def _files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*")}


# --- what the packages hold ---------------------------------------------------------------


def test_the_wheel_carries_the_projects_files_as_they_are(dist):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        held = {name: archive.read(name) for name in archive.namelist()}
    for name, content in _carried_files().items():
        assert held.get(f"zonekg/home/{name}") == content, f"{name} is not in the wheel as is"
    home = [name for name in held if name.startswith("zonekg/home/")]
    for folder in NOT_CARRIED:
        assert not any(name.startswith(f"zonekg/home/{folder}") for name in home), folder
    assert "zonekg/core/context.jsonld" in held


def test_setuptools_is_told_of_every_folder_of_package_files(dist):
    """Regression: the folders of .rq, template and static files were not in `packages`;
    setuptools shipped them with a warning that it would drop them in a later release."""
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
    package_files = [
        path.relative_to(ROOT / "src").as_posix()
        for path in sorted((ROOT / "src/zonekg").rglob("*"))
        if path.is_file() and path.suffix in {".rq", ".html", ".css", ".js", ".jsonld"}
    ]
    assert any(name.startswith("zonekg/api/queries/") for name in package_files)
    assert any(name.startswith("zonekg/web/templates/") for name in package_files)
    assert [name for name in package_files if name not in held] == []
    log = (dist.parent / "build.log").read_text("utf-8")
    assert "absent from the `packages` configuration" not in log


def test_a_clone_without_the_fetched_editor_builds(tmp_path):
    """Regression: with static/vendor listed as a package, a build from a clone where
    `make vendor` had not run stopped (no such package folder in the sdist)."""
    source = _git_files(tmp_path / "source")
    assert not list((source / "src/zonekg/web/static/vendor").glob("yasgui*"))
    _checked([sys.executable, "-m", "build", "--outdir", tmp_path / "out", source])
    (wheel,) = (tmp_path / "out").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "zonekg/web/templates/query.html" in archive.namelist()


def test_the_sdist_holds_what_the_wheel_is_built_from(dist):
    """`python -m build` built the wheel from this sdist; it holds every carried file."""
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "pyproject.toml" in names and "src/zonekg/core/paths.py" in names
    missing = [name for name in _carried_files() if name not in names]
    assert not missing, f"not in the sdist: {missing}"


# --- the commands from an empty folder ------------------------------------------------------


def test_questions_lists_every_question(installed):
    done = installed.zonekg("questions", env={"COLUMNS": "200"})  # names unwrapped
    assert done.returncode == 0, done.stderr
    names = [q.name for q in questions()]
    assert names
    for name in names:
        assert name in done.stdout, f"{name} is not listed"


def test_query_cq01_gives_the_expected_answer(installed):
    done = installed.zonekg("query", "cq01", "--format", "csv")
    assert done.returncode == 0, done.stderr
    (cq01,) = [q for q in questions() if q.number == "cq01"]
    assert list(csv.DictReader(io.StringIO(done.stdout))) == expected_rows(cq01)


def test_a_later_command_opens_the_load_a_keeper_kept_from_the_installed_package(
    installed, tmp_path
):
    """The keeper is the installed package's own process (``python -m zonekg.api.keeper``),
    started by the command's worker, outliving it, on inputs over the 4 MiB threshold."""
    import fcntl
    import time

    data = tmp_path / "big"
    made = installed.zonekg("generate", "--triples", "20000", "-o", str(data))
    assert made.returncode == 0, made.stderr
    assert sum(f.stat().st_size for f in data.iterdir()) >= 4 * 2**20
    env = {"ZONEKG_CACHE": str(tmp_path / "cache")}
    first = installed.zonekg("query", "cq01", "--data", str(data), "--format", "csv", env=env)
    assert first.returncode == 0, first.stderr
    stores = tmp_path / "cache" / "stores"
    [request] = stores.glob(".keep-*")
    deadline = time.monotonic() + 120
    while request.exists():
        fd = os.open(request, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break  # unlocked: the keeper ended
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
        assert time.monotonic() < deadline, "the keeper never ended"
        time.sleep(0.1)
    assert not request.exists(), "the keeper kept the load and removed its request"
    [kept] = [e for e in stores.iterdir() if e.name.endswith("-adit")]
    os.utime(kept, (0, 0))
    later = installed.zonekg("query", "cq01", "--data", str(data), "--format", "csv", env=env)
    assert later.returncode == 0, later.stderr
    assert later.stdout == first.stdout and first.stdout.count("\n") > 1
    assert kept.stat().st_mtime > 0, "the later command opened the kept store (it touches it)"


def test_validate_conforms(installed):
    done = installed.zonekg("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Conforms" in done.stdout


def test_query_own_data_with_text(installed):
    mine = installed.empty / "mine.ttl"
    mine.write_text('<http://example.org/a> <http://example.org/p> "mine" .\n', encoding="utf-8")
    try:
        done = installed.zonekg(
            "query",
            "--data",
            "mine.ttl",
            "--format",
            "csv",
            "--text",
            "SELECT ?o WHERE { <http://example.org/a> <http://example.org/p> ?o }",
        )
    finally:
        mine.unlink()
    assert done.returncode == 0, done.stderr
    assert list(csv.DictReader(io.StringIO(done.stdout))) == [{"o": "mine"}]


def test_api_load_reads_the_packaged_files(installed):
    script = (
        "from zonekg import api\n"
        "from zonekg.core import paths\n"
        "kg = api.load()\n"
        "print(*sorted(p.name for p in kg.data_files))\n"
        "print(kg.ontology_files[0].relative_to(paths.PACKAGE).as_posix())\n"
    )
    done = _run([installed.bin / "python", "-c", script], cwd=installed.empty, env=installed.env)
    assert done.returncode == 0, done.stderr
    files, ontology = done.stdout.splitlines()
    assert files.split() == sorted(p.name for p in (ROOT / "data").glob("*.trig"))
    assert ontology == "home/ontology/zonekg.ttl"


def test_serve_answers_sparql(installed, tmp_path):
    (cq01,) = [q for q in questions() if q.number == "cq01"]
    with running_server(
        tmp_path, zonekg=[str(installed.bin / "zonekg")], cwd=installed.empty, env=installed.env
    ) as server:
        reply = httpx.get(
            server.url + "/sparql",
            params={"query": cq01.text},
            headers={"Accept": "text/csv"},
            timeout=60,
            trust_env=False,
        )
        page = httpx.get(server.url + "/query", timeout=60, trust_env=False)
    assert reply.status_code == 200, reply.text
    assert list(csv.DictReader(io.StringIO(reply.text))) == expected_rows(cq01)
    assert page.status_code == 200


def test_outputs_never_go_into_the_package_or_the_working_folder(installed):
    package = installed.package
    before = _files(package / "home")
    for target in (package / "home/data/new.ttl", package / "out.ttl"):
        done = installed.zonekg("export", "-o", str(target))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "inside the zonekg package" in done.stderr
        assert not target.exists()
    assert installed.zonekg("query", "cq06", "--format", "csv").returncode == 0  # reasons
    assert _files(package / "home") == before
    assert list(installed.empty.iterdir()) == [], "a command wrote into the working folder"
    cache = installed.home / ".cache" / "zonekg"
    assert any(cache.glob("closure-*.nt")), "the closure is not in the user's cache folder"


def test_zonekg_home_chooses_the_files(installed, tmp_path):
    """$ZONEKG_HOME wins over the packaged copy; a wrong one is named with what is missing."""
    done = installed.zonekg("questions", env={"ZONEKG_HOME": str(ROOT), "COLUMNS": "200"})
    assert done.returncode == 0 and questions()[0].name in done.stdout
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    done = installed.zonekg("validate", env={"ZONEKG_HOME": str(nowhere)})
    assert done.returncode == 2
    assert "the project's ontology is missing from $ZONEKG_HOME" in done.stderr
    assert "--data" not in done.stderr  # no path was given with --data
    done = installed.zonekg("query", "cq01", env={"ZONEKG_HOME": str(nowhere)})
    assert done.returncode == 2 and "competency questions" in done.stderr


def test_pipx_install_runs_from_an_empty_folder(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **_user_env(home),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    _checked(
        [sys.executable, "-m", "pipx", "install", wheel],
        env={**env, "PIP_CACHE_DIR": pip_cache},
        timeout=900,
    )
    empty = _empty_folder(tmp_path)
    done = _run(
        [tmp_path / "bin" / "zonekg", "query", "cq01", "--format", "csv"], cwd=empty, env=env
    )
    assert done.returncode == 0, done.stderr
    (cq01,) = [q for q in questions() if q.number == "cq01"]
    assert list(csv.DictReader(io.StringIO(done.stdout))) == expected_rows(cq01)
    assert list(empty.iterdir()) == []
