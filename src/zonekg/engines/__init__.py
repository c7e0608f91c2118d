"""The engines, by name: ``oxigraph`` (fast, the default) and ``reference`` (the oracle).

Each is a package implementing ``base.Engine``; ``ENGINES`` maps its name to where it
lives, and it is imported only when chosen, so that choosing one never imports the
other's libraries. This is the only place that knows the engines by name.
"""

from __future__ import annotations

from importlib import import_module

from ..core.errors import InvalidChoice
from .base import REOPEN_DERIVED, CountMismatch, Engine, Loaded, SchemaCloser, Unsupported

#: Engine name -> (module, class).
ENGINES = {
    "oxigraph": ("zonekg.engines.oxigraph", "OxigraphEngine"),
    "reference": ("zonekg.engines.reference", "ReferenceEngine"),
}
NAMES = tuple(ENGINES)
DEFAULT = "oxigraph"


def get(name: str | None = None) -> Engine:
    """The engine called *name* (the default when None)."""
    name = name or DEFAULT
    if name not in ENGINES:
        raise InvalidChoice("engine", name, NAMES)
    module, cls = ENGINES[name]
    return getattr(import_module(module), cls)()


__all__ = [
    "DEFAULT",
    "ENGINES",
    "NAMES",
    "REOPEN_DERIVED",
    "CountMismatch",
    "Engine",
    "Loaded",
    "SchemaCloser",
    "Unsupported",
    "get",
]
