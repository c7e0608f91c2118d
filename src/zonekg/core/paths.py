"""Where the project's own files live."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project folder: ``$ZONEKG_HOME`` if set, else the checkout this package is in."""
    override = os.environ.get("ZONEKG_HOME")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[3]


ROOT = project_root()
ONTOLOGY = ROOT / "ontology" / "zonekg.ttl"
SHAPES = ROOT / "ontology" / "shapes" / "zonekg.shapes.ttl"
QC = ROOT / "ontology" / "qc"
DATA = ROOT / "data"
INVALID = DATA / "invalid"
QUERIES = ROOT / "queries"
BUILD = ROOT / "build"


def cache_folder() -> Path:
    """Where derived results keyed by their inputs' digests are kept (``$ZONEKG_CACHE``)."""
    override = os.environ.get("ZONEKG_CACHE")
    return Path(override) if override else BUILD / "cache"
