"""Progress bars for long steps: on a terminal only, silent when output is piped."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def bar(description: str, total: int | None, unit: str = "items") -> Iterator[Callable]:
    """Yield ``advance(step, n)``; draws a rich bar with counts and rate on a TTY, else nothing."""
    if not sys.stderr.isatty():
        yield lambda _step, _n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    rate = TransferSpeedColumn() if unit == "bytes" else rate_column(unit)
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn()]
    if unit != "bytes":
        columns.append(MofNCompleteColumn())
    columns += [rate, TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda _step, n: progress.advance(task, n)


def rate_column(unit: str):
    """A column of the rate in whole *unit*s per second ("193 graphs/s"), blank until
    there is one (rich's text column printed the float: "192.68312325183135 graphs/s")."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text("" if task.speed is None else f"{task.speed:,.0f} {unit}/s")

    return Rate()
