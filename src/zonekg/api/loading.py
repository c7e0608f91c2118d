"""Load: the inputs checked (``zonekg.inputs``) and loaded by one engine, once; and the
bounded worker every command runs its work in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import engines
from ..core.errors import Note
from ..core.settings import Limits
from ..engines.base import Progress, no_progress
from ..inputs import Inputs, collect
from ..safety import limits as bounds

if TYPE_CHECKING:
    from .views import RdfView

T = TypeVar("T")

#: The engines ``load`` can use (``engine=``), and the one it uses by default.
ENGINES = engines.NAMES
DEFAULT_ENGINE = engines.DEFAULT


@dataclass
class KnowledgeGraph:
    """The inputs, loaded once by one engine under *limits*; every step works on it.

    *notes* says what the user should know of the work done (a step handed to another
    engine, a cache entry not used): ``core.errors.Note`` values.
    """

    inputs: Inputs
    engine: engines.Engine
    loaded: engines.Loaded
    limits: Limits = field(default_factory=Limits)
    notes: list[str] = field(default_factory=list)
    _fallback: tuple[engines.Engine, engines.Loaded] | None = None

    @property
    def ontology_files(self) -> list[Path]:
        return self.inputs.ontology_files

    @property
    def data_files(self) -> list[Path]:
        return self.inputs.data_files

    @property
    def asserted_graphs(self) -> list[str]:
        return self.loaded.asserted_graphs

    @property
    def reasoned(self) -> bool:
        return self.loaded.inferred_count is not None

    def count(self, graphs: Sequence[str]) -> int:
        return self.engine.count(self.loaded, list(graphs))

    def quads(self, graphs: Sequence[str], once: bool = True):
        return self.engine.quads(self.loaded, list(graphs), once)

    def fallback_engine(self) -> engines.Engine | None:
        """The engine this one hands refused work to (not loaded), or None."""
        return None if self.engine.fallback is None else engines.get(self.engine.fallback)

    def fallback(self, refusal: engines.Unsupported) -> tuple[engines.Engine, engines.Loaded]:
        """The fallback engine loaded with the same inputs (once), for a step the engine
        refused; the refusal again when there is none."""
        if self._fallback is None:
            engine = self.fallback_engine()
            if engine is None:
                raise refusal
            self._fallback = (engine, engine.load(self.inputs))
        return self._fallback

    def loads(self) -> list[engines.Loaded]:
        """What each engine made of the inputs: this one's, and its fallback's if loaded."""
        return [self.loaded, *([self._fallback[1]] if self._fallback else [])]

    def handed_over(self, refusal: engines.Unsupported, done: str) -> None:
        """Note that the fallback did a step (*done*: "validated", "reasoned") this engine
        refused."""
        engine = self.fallback_engine()
        if engine is not None:
            doer = engine.validator if done == "validated" else engine.reasoner
            self.notes.append(
                Note(
                    f"{refusal.message}; {doer} (the {engine.name} engine) {done} instead",
                    refusal.settings,
                )
            )

    @cached_property
    def rdf(self) -> RdfView:
        """The loaded graphs as rdflib graphs, for publishing and pages (built on first use)."""
        from .views import RdfView

        return RdfView.of(self)


def load(
    data: Sequence[Path | str] | None = None,
    *,
    ontology: Sequence[Path | str] | None = None,
    engine: str | None = None,
    store: Path | None = None,
    ill_typed: str = "error",
    limits: Limits | None = None,
    progress: Progress = no_progress,
    reopen: bool | str = True,
) -> KnowledgeGraph:
    """Check the inputs (the project's data, or *data*: files and folders) and load them.

    *engine* is one of ``ENGINES`` (``DEFAULT_ENGINE`` when None); *store* an on-disk store
    folder (the default engine's); *limits* bound the reading and every step on the load
    (``Limits.from_env()`` when None). *reopen* (the default engine's) opens the kept load of
    the same inputs if there is one; ``"derived"`` (``engines.REOPEN_DERIVED``), for work that
    asks many questions, only one that holds every graph the questions read, and only for
    big inputs (on one that lacks some, they are made in memory from the files again; below
    64 MiB memory answers them sooner); False loads in memory all the same (for work that
    changes the load: validation, reasoning).
    """
    if reopen not in (True, False, engines.REOPEN_DERIVED):
        raise ValueError(f"reopen is True, False or {engines.REOPEN_DERIVED!r}, not {reopen!r}")
    limits = Limits.from_env() if limits is None else limits
    chosen = engines.get(engine)
    inputs = collect(
        [Path(p) for p in data] if data else None,
        None if ontology is None else [Path(p) for p in ontology],
        ill_typed=ill_typed,
        limits=limits,
        # files checked now are loaded meanwhile, for an engine that takes them so
        preload=chosen.takes_preloaded and store is None and limits.usable_threads > 1,
    )
    loaded = chosen.load(inputs, store=store, progress=progress, reopen=reopen)
    kg = KnowledgeGraph(inputs, chosen, loaded, limits, notes=list(loaded.notes))
    if loaded.entry_wanted:  # kept for the next command, by a process of its own
        from . import keeping

        try:
            _, failed = keeping.request(inputs, chosen.name)
        except OSError as exc:
            failed = f"the cache folder cannot be written ({exc})"
        if failed:
            kg.notes.append(Note(f"the load is not kept for the next command: {failed}"))
    return kg


def bounded(
    task: Callable[..., T], *args: Any, what: str, limits: Limits | None = None, **kwargs: Any
) -> T:
    """Run ``task(*args, **kwargs)`` in a worker under the time and memory *limits*
    (``Limits.from_env()`` when None; they are not passed on to *task*).

    The worker is forked, so the task may close over anything; what it returns
    must pickle (reports, query results and text do).
    """
    limits = Limits.from_env() if limits is None else limits
    return bounds.bounded(task, *args, what=what, limits=limits, **kwargs)
