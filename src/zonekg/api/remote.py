"""Remote datasets: questions asked at a SPARQL 1.1 Protocol endpoint the user named,
over what ``zonekg push`` wrote there (the published dataset's named graphs)."""

from __future__ import annotations

import pyoxigraph as ox

from ..core.errors import Note, Setting
from ..core.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, PUSHED_GRAPH, TYPES_GRAPH
from ..core.results import QueryResult
from ..core.settings import Limits
from ..safety.screen import ScreenedQuery, screen
from .querying import uses_graph

DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
#: The setting of a push that sends the closure along (``publish.push``'s ``with_inferred``).
WITH_INFERRED = Setting("with_inferred", True)


def remote_graphs(endpoint: str, limits: Limits | None = None) -> set[str]:
    """The graphs the last ``zonekg push`` wrote to the store at *endpoint* (the source
    graphs, graph/asserted, graph/types and graph/inferred if pushed), empty if none."""
    from ..engines import remote  # (HTTP: imported when a store is named)

    text = (
        f"SELECT ?g WHERE {{ GRAPH <{PUSHED_GRAPH}> {{ <{PUSHED_GRAPH}> <{DCT_HAS_PART}> ?g }} }}"
    )
    limits = Limits.from_env() if limits is None else limits
    found = remote.query(endpoint, screen(text, "pushed graphs", limits=limits), limits)
    return {row[0].value for row in found.rows if isinstance(row[0], ox.NamedNode)}


def remote_answer(
    endpoint: str,
    screened: ScreenedQuery,
    reasoned: bool = False,
    pushed: set[str] | None = None,
    notes: list[str] | None = None,
    limits: Limits | None = None,
) -> QueryResult:
    """Answer a screened query at a SPARQL 1.1 Protocol endpoint (the only address used),
    within *limits* (``Limits.from_env()`` when None).

    When the store holds what ``zonekg push`` writes (*pushed*: ``remote_graphs``: the
    named graphs of the published dataset), the query's default graph is named as a local
    query sees it: graph/asserted with graph/types, or with graph/inferred when *reasoned*
    (a store's own default graph is something else in every store: every graph it holds,
    system graphs included, in Virtuoso), and a query with GRAPH ranges over the pushed
    graphs. A query with its own FROM keeps it (a question that needs the closure names
    graph/asserted and graph/inferred so). A question that needs inference the store
    lacks is asked without it, with a note in *notes*.
    """
    from ..engines import remote
    from ..safety.http import shown_url

    limits = Limits.from_env() if limits is None else limits
    default = named = None
    closure = reasoned and bool(pushed) and INFERRED_GRAPH in pushed
    if reasoned and pushed and ASSERTED_GRAPH in pushed and not closure and notes is not None:
        notes.append(
            Note(
                f"{screened.source} needs OWL-RL inference, but {shown_url(endpoint)} holds no "
                f"closure (<{INFERRED_GRAPH}>): asked without it, so answers may be missing; "
                f"push with {WITH_INFERRED}",
                (WITH_INFERRED,),
            )
        )
    if pushed and ASSERTED_GRAPH in pushed and not screened.has_dataset:
        default = [ASSERTED_GRAPH, INFERRED_GRAPH if closure else TYPES_GRAPH]
        if uses_graph(screened):
            named = sorted(pushed)
            if len(named) > remote.MAX_NAMED_GRAPHS and _shows_unnamed_graphs(endpoint, limits):
                named = None
                if notes is not None:
                    notes.append(
                        f"the {len(pushed)} graphs pushed to {shown_url(endpoint)} are more "
                        f"than one request names ({remote.MAX_NAMED_GRAPHS}); that store shows "
                        "every graph it holds where none is named, so GRAPH ranges over "
                        "all of them, its own included (the competency questions read only "
                        "the graphs of zk:SourceDocuments: those pushed)"
                    )
    elif pushed is not None and not screened.has_dataset and notes is not None:
        notes.append(
            f"{shown_url(endpoint)} holds no <{ASSERTED_GRAPH}> (see `zonekg push`): questions "
            "are asked over the store's own default graph, which may hold other data"
        )
    return remote.query(endpoint, screened, limits, default, named)


#: Whether a store shows every graph it holds to a query whose dataset names only a default
#: graph (``_shows_unnamed_graphs``), by query address.
_SHOWN: dict[str, bool] = {}


def _shows_unnamed_graphs(endpoint: str, limits: Limits) -> bool:
    """Whether the store at *endpoint* lets GRAPH range over every graph it holds when a
    request names a default graph and no named graph (Virtuoso 7 does; the SPARQL 1.1
    Protocol, and Oxigraph with it, gives such a dataset no named graph). Asked once per
    address: graph/asserted, which the push wrote, is seen or not."""
    from ..engines import remote

    if endpoint not in _SHOWN:
        text = f"ASK {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}"
        probe = screen(text, "whether the store shows unnamed graphs", limits=limits)
        _SHOWN[endpoint] = bool(remote.query(endpoint, probe, limits, [TYPES_GRAPH]).boolean)
    return _SHOWN[endpoint]
