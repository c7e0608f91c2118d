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
at a SPARQL endpoint), ``views`` (rdflib views, the vocabulary). This module holds only
the public names.
"""

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
    job_for,
    query,
    screen_job,
    undefined_terms,
)
from .reasoning import closure_text, inferred, reason
from .remote import remote_answer, remote_graphs
from .remote_reasoning import StoreClosure, reason_in_store
from .validation import INFERENCE_CHOICES, validate
from .views import RdfView, Term, vocabulary

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
    "vocabulary",
    "why",
    "write_output",
]
