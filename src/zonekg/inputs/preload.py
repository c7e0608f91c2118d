"""Loading the files into an in-memory store while ``collect`` checks them.

The first command on new inputs checks every file in Python (a strict parse for the
graphs and ill-typed literals, the bidi controls: some 3 s at a million triples, on one
CPU), then the engine loads the same bytes (as long again, in Oxigraph, which lets go
of Python's lock while it parses). Loading each file on a thread of its own as soon as it
is read puts the two side by side on two CPUs. Only when a file is checked now: a file
whose checks are remembered is only read and hashed, and a later command may open a kept
store instead of loading at all.

The store is used only if every file passed its checks and loaded; a check that fails
stops the thread after the file it is loading, and nothing loaded is kept.
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from . import InputFile


class Preloader:
    """Files offered in order, loaded in order on one thread once ``start`` is called."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self._files: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._failed: BaseException | None = None

    def offer(self, f: InputFile) -> None:
        self._files.put(f)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="zonekg-preload", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while (f := self._files.get()) is not None:
            if self._stopped or self._failed is not None:
                continue
            try:
                f.load_into(self.store)
            except BaseException as exc:  # said by the engine's own load, which runs instead
                self._failed = exc

    def finish(self, checked: bool) -> ox.Store | None:
        """Wait for the thread; the store if every file was *checked* and loaded."""
        if self._thread is None:
            return None
        self._stopped = not checked
        self._files.put(None)
        self._thread.join()
        return self.store if checked and self._failed is None else None
