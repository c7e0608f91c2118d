"""Synthetic data shaped like the real graph, for benchmarks and scale tests.

The real data is the template: copy 0 is the project's data as it is, and each
further copy renames every instance it describes (``{kind}/{slug}`` becomes
``{kind}/{slug}-z{n}``) so that every zone gets its own areas, proposals,
agreement sets, projects, organisations, amounts, source documents and the
passages quoted from them. A copy's documents do not hold their full text
(zk:fullText) again: they keep the template's local copy (zk:localCopy), whose
text copy 0 holds, as the documents of a real graph that quote one file share
one holder of its text (held in every copy, the quotes' check in Virtuoso, which
tests a quote against every holder, grew with the square of the data). Resources
linked to outside identifiers with skos:exactMatch (countries, province, city)
are shared, as in a real graph that grows: copying them would make every copy
the same as every other.
Monetary values vary with the seed; everything else that the shapes check
(quotes occurring in their document, counts, areas) is kept as in the template,
so the output conforms. The output is N-Quads in ``.nq`` files, one per topic
file of the template, each statement in the graph of its (copied) source
document, written at about a million lines a second. Like a release bundle, the folder
is built beside its place, sealed (``SHA256SUMS`` and the marker, ``safety.targets.mark``)
and swapped in whole: a later run replaces it only if nothing in it was added or changed.

Violations: ``violations=K`` breaks K distinct resources, cycling through
kinds whose shape and focus node are known (see VIOLATION_KINDS). A statement
that several sources make is broken in every source graph that states it (else
the merge would still hold the original), and the violation is announced once.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InvalidValue, ZonekgError
from ..core.namespaces import ID, ZK
from ..core.settings import DEFAULT_LIMITS, Limits

INSTANCE = re.compile(f"^<({re.escape(ID)}[a-z]+/[A-Za-z0-9._-]+)>$")
EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
VALUE_PROPERTIES = ("http://schema.org/value", "http://schema.org/minValue")
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
FULL_TEXT = f"<{ZK}fullText>"

#: kind -> (template subject, predicate, what the broken copy says instead; None drops it)
VIOLATION_KINDS: dict[str, tuple[str, str, str | None]] = {
    "negative-amount": (
        ID + "amount/cooperation-agreements-article",
        "http://schema.org/value",
        f'"-1000000000"^^<{DECIMAL}>',
    ),
    "missing-declared-count": (
        ID + "collection/agreements-rmb-2-billion-class",
        "https://w3id.org/zonekg/def#declaredCount",
        None,
    ),
    "quote-not-in-text": (
        ID + "passage/article-trans-sector",
        "http://www.w3.org/ns/oa#exact",
        '"words that the article does not contain"',
    ),
}


@dataclass
class Generated:
    files: list[Path]
    triples: int
    copies: int
    violations: list[tuple[str, str]]  # (kind, focus IRI)


@dataclass
class _Template:
    file: str
    lines: list[tuple[str, str, str, str]]  # N-Quads terms; instance IRIs as "{}" formats


def _templates(data: Sequence[Path] | None, limits: Limits) -> tuple[list[_Template], int]:
    import pyoxigraph as ox

    from ..inputs import read_file
    from ..inputs.files import data_files

    parsed = []
    for file in data_files(data):
        checked = read_file(file, limits=limits)
        quads = list(checked.parse())
        parsed.append((file, checked.graph, quads))
    shared = {
        str(q.subject) for _, _, quads in parsed for q in quads if q.predicate.value == EXACT_MATCH
    }
    templates = []
    for file, default, quads in parsed:
        lines = set()
        for q in quads:
            graph = (
                f"<{default}>" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
            )
            terms = (str(q.subject), str(q.predicate), str(q.object), graph)
            lines.add(tuple(_term(t, shared) for t in terms))
        templates.append(_Template(Path(file).stem + ".nq", sorted(lines)))
    return templates, sum(len(t.lines) for t in templates)


def _term(text: str, shared: set[str]) -> str:
    match = INSTANCE.match(text)
    if match and text not in shared:
        return "<" + match.group(1).replace("{", "{{").replace("}", "}}") + "{suffix}>"
    if text.startswith("_:"):
        return text + "{suffix}"
    return text.replace("{", "{{").replace("}", "}}")


def generate(
    triples: int,
    out: Path,
    seed: int = 0,
    violations: int = 0,
    data: Sequence[Path] | None = None,
    progress: Callable[[str, int], None] = lambda _s, _n: None,
    limits: Limits = DEFAULT_LIMITS,
) -> Generated:
    """Write at least *triples* data triples (whole zone copies) into folder *out*."""
    from ..safety import targets

    if triples < 1:
        raise InvalidValue("triples", triples, "at least 1")
    if violations < 0:
        raise InvalidValue("violations", violations, "0 or more")
    templates, per_copy = _templates(data, limits)
    copies = max(1, -(-triples // per_copy))
    if violations > copies * len(VIOLATION_KINDS):
        raise ZonekgError(
            f"{violations} violations do not fit in {copies} zone copies",
            hint=f"ask for at most {copies * len(VIOLATION_KINDS)}, or for more triples",
        )
    rng = random.Random(seed)
    # Which copies break what: spread over the copies, deterministic for the seed.
    slots = [(c, k) for c in range(copies) for k in VIOLATION_KINDS]
    broken = dict.fromkeys(rng.sample(slots, violations)) if violations else {}
    factors = [rng.uniform(0.25, 4.0) for _ in range(copies)]
    out = targets.check_folder(Path(out), "generate", inputs=data or ())
    # Written in a staging folder beside *out*, sealed (SHA256SUMS and the marker), then
    # swapped in: a killed run leaves the old folder, and the next run may replace it.
    out.parent.mkdir(parents=True, exist_ok=True)
    targets.recover_folder(out)
    staging = Path(tempfile.mkdtemp(prefix=targets.staging_name(out), dir=out.parent))
    try:
        made_files, total, made = _write_copies(
            templates, copies, broken, factors, staging, progress
        )
        targets.mark(staging, "generate")
        os.chmod(staging, 0o755)
        targets.replace_folder(staging, out, "generate")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Generated([out / name for name in made_files], total, copies, sorted(set(made)))


def _write_copies(templates, copies, broken, factors, folder: Path, progress):
    """The copies, one N-Quads file per template in *folder*: (file names, lines, violations)."""
    from ..safety.atomic import write_atomic

    written: list[str] = []
    total = 0
    done = 0
    made: list[tuple[str, str]] = []
    for template in templates:
        chunks: list[str] = []
        for copy in range(copies):
            suffix = "" if copy == 0 else f"-z{copy}"
            for s, p, o, g in template.lines:
                if copy and p == FULL_TEXT:
                    continue
                subject = s.format(suffix=suffix)
                obj = o.format(suffix=suffix)
                graph = g.format(suffix=suffix)
                if p[1:-1] in VALUE_PROPERTIES and copy:
                    obj = _scaled(obj, factors[copy])
                for kind in VIOLATION_KINDS:
                    if (copy, kind) not in broken:
                        continue
                    focus, predicate, replacement = VIOLATION_KINDS[kind]
                    if s.format(suffix="") == f"<{focus}>" and p == f"<{predicate}>":
                        made.append((kind, subject[1:-1]))
                        obj = replacement
                        break
                if obj is None:
                    continue
                chunks.append(f"{subject} {p} {obj} {graph} .\n")
            progress("generate", len(chunks) - done)
            done = len(chunks)
        write_atomic(folder / template.file, "".join(chunks))
        written.append(template.file)
        total += len(chunks)
        done = 0
    return written, total, made


def _scaled(literal: str, factor: float) -> str:
    match = re.match(r'^"([0-9.]+)"\^\^<([^>]+)>$', literal)
    if not match:
        return literal
    value = round(float(match.group(1)) * factor, -3)
    return f'"{value:.1f}"^^<{match.group(2)}>'
