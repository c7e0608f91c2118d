"""Where the project's own files live, and where derived results are kept.

The project's files (the ontology, the shapes, the data with its source texts, the
competency questions) are taken from the first of:

1. ``$ZONEKG_HOME``: a folder laid out as a checkout (``ontology/``, ``data/``, ``queries/``);
2. the checkout this package sits in (``src/zonekg`` in a folder that holds
   ``pyproject.toml`` and ``ontology/zonekg.ttl``): an editable install or a run from a
   checkout, so that edits to the files take effect at once;
3. the copy an installed wheel carries (``zonekg/home``), mapped from the checkout's own
   files when the wheel is built (pyproject.toml), so that ``zonekg`` works from any folder.

Derived results (the checked-input verdicts, closures) are kept in ``$ZONEKG_CACHE``,
else in ``build/cache`` of a checkout or of ``$ZONEKG_HOME``, else (the packaged copy,
which is never written to) in the user's cache folder: ``$XDG_CACHE_HOME/zonekg`` or
``~/.cache/zonekg``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import settings

HOME_ENV = settings.HOME_ENV
CACHE_ENV = settings.CACHE_ENV
#: The copy of the project's files an installed wheel carries.
PACKAGED = Path(__file__).resolve().parents[1] / "home"
#: The package's own folder (src/zonekg in a checkout, site-packages/zonekg when installed).
PACKAGE = Path(__file__).resolve().parents[1]


def is_checkout(folder: Path) -> bool:
    """A zonekg checkout: its pyproject.toml beside the ontology."""
    return (folder / "pyproject.toml").is_file() and (folder / "ontology" / "zonekg.ttl").is_file()


def project_root() -> Path:
    """The folder the project's files are read from (see the module's docstring)."""
    override = settings.home()
    if override:
        return Path(override).resolve()
    checkout = Path(__file__).resolve().parents[3]
    if is_checkout(checkout):
        return checkout
    return PACKAGED


def where() -> str:
    """Where the project's files are taken from, in words (for error messages)."""
    if settings.home():
        return f"${HOME_ENV} ({ROOT})"
    if ROOT == PACKAGED:
        return f"the copy installed with the package ({ROOT})"
    return f"the checkout {ROOT}"


def missing_hint() -> str:
    """What to do when one of the project's files is not where it should be."""
    if settings.home():
        return (
            f"${HOME_ENV} must name a folder laid out as a zonekg checkout "
            "(ontology/zonekg.ttl, data/, queries/); unset it to use the installed copy"
        )
    if ROOT == PACKAGED:
        return (
            "the installed package lacks its data: reinstall zonekg from a wheel built with "
            f"`python -m build`, or set ${HOME_ENV} to a zonekg checkout"
        )
    return "restore the file from version control (git checkout -- <file>)"


ROOT = project_root()
ONTOLOGY = ROOT / "ontology" / "zonekg.ttl"
SHAPES = ROOT / "ontology" / "shapes" / "zonekg.shapes.ttl"
#: What owlrl adds to the project's schema, made by `make schema-closure` (api.reasoning).
SCHEMA_CLOSURE = ROOT / "ontology" / "zonekg.schema-closure.nt"
QC = ROOT / "ontology" / "qc"
DATA = ROOT / "data"
INVALID = DATA / "invalid"
QUERIES = ROOT / "queries"
BUILD = ROOT / "build"


def user_cache() -> Path:
    """The user's cache folder for zonekg (XDG), or one in the temporary folder."""
    base = settings.xdg_cache_home()
    if base and Path(base).is_absolute():
        return Path(base) / "zonekg"
    try:
        return Path.home() / ".cache" / "zonekg"
    except RuntimeError:  # no home folder known
        return Path(tempfile.gettempdir()) / f"zonekg-cache-{os.getuid()}"


def cache_folder() -> Path:
    """Where derived results keyed by their inputs' digests are kept (``$ZONEKG_CACHE``)."""
    override = settings.cache()
    if override:
        return Path(override)
    return user_cache() if ROOT == PACKAGED else BUILD / "cache"


def require(path: Path, what: str) -> Path:
    """*path*, one of the project's own files or folders, or a LoadError naming what is
    missing and where the project's files were looked for."""
    if not path.exists():
        from .errors import LoadError

        raise LoadError(f"{what} is missing from {where()}", hint=missing_hint(), file=path)
    return path
