"""The engines, by name: ``oxigraph`` (fast, the default) and ``reference`` (the oracle).

Imported lazily, so that choosing one never imports the other's libraries.
"""

from __future__ import annotations

from ..core.errors import ZonekgError
from .base import Engine, Loaded, Unsupported

NAMES = ("oxigraph", "reference")
DEFAULT = "oxigraph"


def get(name: str | None = None) -> Engine:
    name = name or DEFAULT
    if name == "oxigraph":
        from .oxigraph import OxigraphEngine

        return OxigraphEngine()
    if name == "reference":
        from .reference import ReferenceEngine

        return ReferenceEngine()
    raise ZonekgError(f"--engine {name!r} is not one of: {', '.join(NAMES)}")


__all__ = ["DEFAULT", "NAMES", "Engine", "Loaded", "Unsupported", "get"]
