"""The keeper's process (``python -m zonekg.api.keeper FD ENDED``): once the command's worker
that asked for it has ended (at once when a program using the API in process asked), it keeps
the load it was asked for (``keeping``), as a command with ``$ZONEKG_CACHE_STORES_BUILD=now``
does, with the derived graphs the questions read (the types, and the closure: a GRAPH ?g
ranges over it), and exits."""

from __future__ import annotations

import contextlib
import os
import select
import sys

#: The longest a keeper waits for the process that asked for it to end (a long-running one,
#: such as a program using the API, may not end soon).
WAIT_FOR_REQUESTER_S = 30


def main(argv: list[str]) -> int:
    """Keep the load the locked request file (descriptor ``argv[1]``) asks for, once the
    pipe ``argv[2]`` (-1: none) tells the process that asked has ended: 0 when it is kept, 1
    on a failure (nothing kept), 3 when the files changed since they were checked."""
    fd, ended = int(argv[1]), int(argv[2])
    idle()
    if ended >= 0:
        wait_for_requester(ended)
    # imported only now: importing them took CPU time beside the command
    from .. import engines
    from ..core import settings
    from ..core.errors import ZonekgError
    from ..safety.cache import Damaged
    from .dataset import derive, published_graphs
    from .keeping import Changed, forget_request, read_request, record_failure, requested_inputs
    from .loading import KnowledgeGraph

    failed, wanted = "", None
    try:
        wanted = read_request(fd)
        inputs = requested_inputs(wanted["files"])
        if inputs.digest() != wanted["inputs"]:
            raise Changed("the files are not the ones checked")
        engine = engines.get(wanted["engine"])
        kg = KnowledgeGraph(inputs, engine, engine.load(inputs), settings.Limits.from_env())
        derive(kg, published_graphs(kg))  # what GRAPH ?g ranges over, kept with the load
        return 0
    except Changed:
        return 3
    except ZonekgError as exc:
        failed = f"{exc.file}: {exc.message}" if exc.file else exc.message
        return 1
    except (OSError, Damaged, ValueError, KeyError, TypeError, MemoryError) as exc:
        failed = str(exc) or type(exc).__name__
        return 1
    finally:
        if failed and wanted is not None:
            record_failure(fd, wanted["inputs"], failed)
        else:
            forget_request(fd)
        os.close(fd)


def wait_for_requester(ended: int) -> None:
    """Wait until the other end of the pipe *ended* is closed (the process that asked for this
    keeper has ended), at most ``WAIT_FOR_REQUESTER_S``."""
    waiting = select.poll()
    waiting.register(ended, select.POLLIN | select.POLLHUP)
    with contextlib.suppress(OSError):
        waiting.poll(WAIT_FOR_REQUESTER_S * 1000)
    os.close(ended)


def idle() -> None:
    """Run only on CPU time the commands leave over, and read and write only when they do
    not: Linux's SCHED_IDLE, which its I/O schedulers give their idle class too (at nice 19
    alone the keeper slowed the next command on two CPUs by a quarter). Where it is not
    offered, the lowest priority."""
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    with contextlib.suppress(OSError):
        os.nice(19)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
