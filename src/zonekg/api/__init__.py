"""The pipeline: load → validate → reason → query → export, the same for every caller.

    from zonekg import api
    kg = api.load()                          # or api.load(["my-data/"], engine="reference")
    report = api.validate(kg)                # report.conforms, report.results (with file:line)
    api.reason(kg)                           # the OWL-RL closure, in its own graph
    answer = api.query(kg, "cq04")           # a question name, an .rq path, or SPARQL text
    text = api.export(kg, "turtle")

``load`` checks the inputs (``zonekg.inputs``) and hands them to an engine (one of
``ENGINES``). Each step works on that one load. When an engine cannot do a step right
(``Unsupported``), the step is handed to the engine it names as its fallback, and a note
says so. A closure is kept in the cache folder under the digest of the inputs and the
reasoner, so that separate commands on the same inputs reason once.

Every bound (time, memory, the sizes of what is read) is one ``Limits`` value: given to
``load`` (and kept by the load for every step on it) and to ``bounded``, which runs a whole
task in a worker process under the time and memory limits, as the CLI and the server do.
Left out, it is ``Limits.from_env()``.

The package's modules, one concern each: ``loading`` (load, bounded), ``validation``,
``reasoning``, ``querying``, ``dataset`` (the published dataset), ``exporting``,
``inspection`` (why, stats), ``finding`` (find: entities by name), ``remote`` (datasets
at a SPARQL endpoint), ``remote_validation`` and ``remote_reasoning`` (validation and the
closure inside such a store), ``views``
(rdflib views, the vocabulary). This module holds only the public names.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.formats import GRAPH_CHOICES
    from ..core.questions import find_question
    from ..core.settings import Limits
    from .dataset import dataset_quads, entail_types, flat_note, published_dataset, published_graphs
    from .exporting import EXPORT_FORMATS, check_output, export, export_graphs, write_output
    from .finding import MAX_TEXT as FIND_MAX_TEXT
    from .finding import Found, Labels, Match, Name, find, fold, labels
    from .inspection import (
        Claim,
        Disagreement,
        Fact,
        Link,
        Source,
        Stats,
        Support,
        Why,
        resolve,
        stats,
        why,
    )
    from .loading import DEFAULT_ENGINE, ENGINES, KnowledgeGraph, bounded, load
    from .querying import (
        Job,
        all_questions,
        answer,
        answer_each,
        job_for,
        query,
        screen_job,
        undefined_terms,
    )
    from .reasoning import closure_text, inferred, reason
    from .remote import remote_answer, remote_graphs
    from .remote_reasoning import StoreClosure, reason_in_store
    from .remote_validation import validate_remote
    from .validation import INFERENCE_CHOICES, validate
    from .views import RdfView, Term, vocabulary

#: Where each public name lives: imported on first use, so that a command loads only the
#: modules it needs (``zonekg query`` never imports rdflib, pySHACL or the exporters).
_WHERE = {
    "Claim": (".inspection", "Claim"),
    "DEFAULT_ENGINE": (".loading", "DEFAULT_ENGINE"),
    "Disagreement": (".inspection", "Disagreement"),
    "ENGINES": (".loading", "ENGINES"),
    "EXPORT_FORMATS": (".exporting", "EXPORT_FORMATS"),
    "FIND_MAX_TEXT": (".finding", "MAX_TEXT"),
    "Fact": (".inspection", "Fact"),
    "Found": (".finding", "Found"),
    "GRAPH_CHOICES": ("..core.formats", "GRAPH_CHOICES"),
    "INFERENCE_CHOICES": (".validation", "INFERENCE_CHOICES"),
    "Job": (".querying", "Job"),
    "KnowledgeGraph": (".loading", "KnowledgeGraph"),
    "Labels": (".finding", "Labels"),
    "Limits": ("..core.settings", "Limits"),
    "Link": (".inspection", "Link"),
    "Match": (".finding", "Match"),
    "Name": (".finding", "Name"),
    "RdfView": (".views", "RdfView"),
    "Source": (".inspection", "Source"),
    "Stats": (".inspection", "Stats"),
    "StoreClosure": (".remote_reasoning", "StoreClosure"),
    "Support": (".inspection", "Support"),
    "Term": (".views", "Term"),
    "Why": (".inspection", "Why"),
    "all_questions": (".querying", "all_questions"),
    "answer": (".querying", "answer"),
    "answer_each": (".querying", "answer_each"),
    "bounded": (".loading", "bounded"),
    "check_output": (".exporting", "check_output"),
    "closure_text": (".reasoning", "closure_text"),
    "dataset_quads": (".dataset", "dataset_quads"),
    "entail_types": (".dataset", "entail_types"),
    "export": (".exporting", "export"),
    "export_graphs": (".exporting", "export_graphs"),
    "find": (".finding", "find"),
    "find_question": ("..core.questions", "find_question"),
    "flat_note": (".dataset", "flat_note"),
    "fold": (".finding", "fold"),
    "inferred": (".reasoning", "inferred"),
    "job_for": (".querying", "job_for"),
    "labels": (".finding", "labels"),
    "load": (".loading", "load"),
    "published_dataset": (".dataset", "published_dataset"),
    "published_graphs": (".dataset", "published_graphs"),
    "query": (".querying", "query"),
    "reason": (".reasoning", "reason"),
    "remote_answer": (".remote", "remote_answer"),
    "remote_graphs": (".remote", "remote_graphs"),
    "reason_in_store": (".remote_reasoning", "reason_in_store"),
    "resolve": (".inspection", "resolve"),
    "screen_job": (".querying", "screen_job"),
    "stats": (".inspection", "stats"),
    "undefined_terms": (".querying", "undefined_terms"),
    "validate": (".validation", "validate"),
    "validate_remote": (".remote_validation", "validate_remote"),
    "vocabulary": (".views", "vocabulary"),
    "why": (".inspection", "why"),
    "write_output": (".exporting", "write_output"),
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _WHERE[name]
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value  # the next use finds it at once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "EXPORT_FORMATS",
    "FIND_MAX_TEXT",
    "GRAPH_CHOICES",
    "INFERENCE_CHOICES",
    "Claim",
    "Disagreement",
    "Fact",
    "Found",
    "Job",
    "KnowledgeGraph",
    "Labels",
    "Limits",
    "Link",
    "Match",
    "Name",
    "RdfView",
    "Source",
    "Stats",
    "StoreClosure",
    "Support",
    "Term",
    "Why",
    "all_questions",
    "answer",
    "answer_each",
    "bounded",
    "check_output",
    "closure_text",
    "dataset_quads",
    "entail_types",
    "export",
    "export_graphs",
    "find",
    "find_question",
    "flat_note",
    "fold",
    "inferred",
    "job_for",
    "labels",
    "load",
    "published_dataset",
    "published_graphs",
    "query",
    "reason",
    "reason_in_store",
    "remote_answer",
    "resolve",
    "remote_graphs",
    "screen_job",
    "stats",
    "undefined_terms",
    "validate",
    "validate_remote",
    "vocabulary",
    "why",
    "write_output",
]
