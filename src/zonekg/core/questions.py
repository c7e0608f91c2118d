"""Competency questions: ``queries/cqNN-slug.rq`` files and their expected answers.

Each file starts with ``# Key: value`` comment lines (Question, Inference, Source)
and has a hand-worked ``cqNN-slug.expected.csv`` beside it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import QueryError

_HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class CompetencyQuestion:
    name: str
    path: Path
    question: str
    inference: str
    source: str

    @property
    def number(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".expected.csv")

    @property
    def needs_reasoning(self) -> bool:
        return self.inference == "owlrl"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_question(path: Path) -> CompetencyQuestion:
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), match.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    return CompetencyQuestion(
        name=path.stem,
        path=path,
        question=header.get("question", ""),
        inference=header.get("inference", "none").split()[0].lower(),
        source=header.get("source", ""),
    )


def questions(folder: Path | None = None) -> list[CompetencyQuestion]:
    folder = (
        Path(folder)
        if folder
        else paths.require(paths.QUERIES, "the folder of competency questions")
    )
    return [read_question(p) for p in sorted(folder.glob("cq[0-9][0-9]*.rq"))]


def find_question(name: str, folder: Path | None = None) -> CompetencyQuestion:
    """A question by number (``cq03``, ``3``), full name, or path to an .rq file."""
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return read_question(path)
    if path.suffix == ".rq":
        raise QueryError("no such query file", hint="check the path", file=path)
    known = questions(folder)
    key = name.lower()
    if key.isdigit():
        key = f"cq{int(key):02d}"
    for question in known:
        if key in (question.name, question.number):
            return question
    if not known:
        raise QueryError(
            f"unknown query {name!r}: no competency questions in {folder or paths.where()}",
            hint=paths.missing_hint() if folder is None else "name a folder of cqNN-*.rq files",
        )
    names = ", ".join(q.name for q in known)
    raise QueryError(
        f"unknown query {name!r}",
        hint=f"use one of: {names} (or a path to an .rq file, or --text)",
    )


def known_question(name: str, folder: Path | None = None) -> CompetencyQuestion:
    """A question of the project's own by number or name only (never a path)."""
    if "/" in name or "\\" in name or name.endswith(".rq"):
        raise QueryError(f"unknown question {name!r}", hint="give a question name such as cq04")
    return find_question(name, folder)


def expected_rows(question: CompetencyQuestion) -> list[dict[str, str]]:
    with question.expected_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
