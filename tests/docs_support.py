"""The README and the manual (docs/*.md): their pages, fenced blocks, links and headings.

A fenced block's info string says what the tests do with it (tests/test_readme.py):

- ``python``: doctest (``>>>`` lines, with their expected output), run from the checkout;
- ``console``: commands after ``$ ``, each run from the checkout, its output (stdout and
  stderr together) compared with the lines below it by doctest's rules (``...`` stands for
  anything, runs of blanks are equal); a last line ``[N]`` is the exit status it must
  have, 0 when there is none. The commands are ``zonekg`` (this checkout's), ``make``
  targets whose recipe is a ``zonekg`` command, and ``curl`` against a ``zonekg serve``
  the test starts (``http://127.0.0.1:8000`` in the page stands for it);
- ``sh``: shown, not run (installing, starting servers, other programs); each ``zonekg``
  command in it is parsed by the command line (its options and choices must exist) and
  each ``make`` target must be one of the Makefile's;
- ``sparql``: run over the project's graph, and must answer;
- ``trig``: an excerpt of the data: every quad of it must be in ``data/*.trig``;
- ``text``: a picture or an excerpt of output, not run.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: docs pages that are not manual pages with examples: generated, or a picture of the code
NOT_MANUAL = {"cli.md": "generated from the commands", "architecture.md": "the layer picture"}
KINDS = ("python", "console", "sh", "sparql", "trig", "text")
RUN_KINDS = ("python", "console", "sparql", "trig")
#: where the pages' curl commands send their requests: the server the test starts
PAGE_SERVER = "http://127.0.0.1:8000"
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def manual_pages() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md") if p.name not in NOT_MANUAL)


def all_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    kind: str
    text: str

    @property
    def where(self) -> str:
        return f"{name(self.page)}:{self.line}"


FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a page, in order."""
    found, lines = [], page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, kind = opening.groups()
        body, j = [], i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        found.append(Block(page, i + 1, kind, "\n".join(body) + "\n"))
        i = j + 1
    return found


def prose(page: Path) -> str:
    """The page without its fenced blocks (and their lines kept blank, so lines still count)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    inside = None
    for i, line in enumerate(lines):
        fence = FENCE.match(line)
        if inside is None and fence:
            inside = fence.group(2)
            lines[i] = ""
        elif inside is not None:
            if line.strip().startswith(inside):
                inside = None
            lines[i] = ""
    return "\n".join(lines)


# --- console blocks ------------------------------------------------------------------------


@dataclass
class Command:
    block: Block
    words: list[str]  # as the shell would split them, continuation lines joined
    want: str  # the output expected
    status: int  # the exit status expected

    @property
    def shown(self) -> str:
        return f"{self.block.where}: $ {shlex.join(self.words)}"


STATUS = re.compile(r"^\[(\d+)\]$")


def commands(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block with the output that follows each."""
    found: list[Command] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        assert lines[i].startswith("$ "), f"{block.where}: output before any `$ ` command"
        text = lines[i][2:]
        while text.endswith("\\") or not _complete(text):
            i += 1
            assert i < len(lines), f"{block.where}: a command that does not end"
            # a backslash joins lines, as in the shell; inside quotes the newline is kept
            text = text[:-1] + lines[i].lstrip() if text.endswith("\\") else text + "\n" + lines[i]
        i += 1
        output = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        status = 0
        if output and (last := STATUS.match(output[-1].strip())):
            status, output = int(last.group(1)), output[:-1]
        want = "\n".join(output).strip("\n")
        found.append(Command(block, shlex.split(text), want + "\n" if want else "", status))
    return found


def _complete(text: str) -> bool:
    """Whether a command line closes all its quotes."""
    try:
        shlex.split(text)
    except ValueError:
        return False
    return True


ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$", re.S)


def split_assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    env = {}
    while words and (match := ASSIGNMENT.match(words[0])):
        env[match.group(1)] = match.group(2)
        words = words[1:]
    return env, words


def zonekg() -> list[str]:
    return [sys.executable, "-m", "zonekg.cli"]


def make_recipe(target: str) -> list[str]:
    """The zonekg command a make target runs (its recipe must be one ``$(BIN)/zonekg`` line)."""
    recipe = makefile_targets()[target]
    assert len(recipe) == 1 and recipe[0].startswith("$(BIN)/zonekg "), (target, recipe)
    return shlex.split(recipe[0])[1:]


def makefile_targets() -> dict[str, list[str]]:
    """Each target of the Makefile with its recipe lines."""
    targets: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        rule = re.match(r"^([\w./$()-]+(?:\s+[\w./$()-]+)*)\s*:(?!=)", line)
        if rule and not line.startswith("\t"):
            current = rule.group(1).split()
            for target in current:
                targets.setdefault(target, [])
        elif line.startswith("\t") and current:
            for target in current:
                targets[target].append(line.strip())
        elif not line.strip().startswith("#"):
            current = None if not line.strip() else current
    return targets


def run(command: Command, server: Callable[[], str]) -> tuple[str, int]:
    """Run a console command from the checkout; its output (stdout and stderr) and status."""
    assignments, words = split_assignments(command.words)
    program, args = words[0], words[1:]
    if program == "zonekg":
        argv = [*zonekg(), *args]
    elif program == "make":
        assert len(args) == 1, command.shown
        argv = [*zonekg(), *make_recipe(args[0])]
    elif program == "curl":
        origin = server()
        argv = ["curl", *(a.replace(PAGE_SERVER, origin) for a in args)]
        assert any(a.startswith(origin) for a in argv), f"{command.shown}: not to the server"
    else:
        raise AssertionError(f"{command.shown}: a console block runs zonekg, make or curl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZONEKG_")}
    done = subprocess.run(
        argv,
        cwd=ROOT,
        env={**env, **assignments},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    output = done.stdout
    if program == "curl":
        output = output.replace(server(), PAGE_SERVER)
    return output, done.returncode


def check(command: Command, output: str, status: int) -> str | None:
    """What is wrong with a command's output and status, or None."""
    problems = []
    if status != command.status:
        problems.append(f"exit status {status}, the page says {command.status}")
    # a `...` line first or last stands for any lines there, none included
    want = re.sub(r"\A\.\.\.\n", "...", command.want)
    want = re.sub(r"\n\.\.\.\n?\Z", "...\n", want)
    if not CHECKER.check_output(want, output, FLAGS):
        example = doctest.Example("", want)
        problems.append(CHECKER.output_difference(example, output, FLAGS))
    return "\n".join([command.shown, *problems]) if problems else None


# --- sh blocks -----------------------------------------------------------------------------


def shell_commands(block: Block) -> Iterator[list[str]]:
    """The simple commands of a sh block (comments dropped, continued lines joined, split at
    ``;``, ``&``, ``|`` and ``&&``)."""
    pending = ""
    for line in block.text.splitlines():
        pending += re.sub(r"(^|\s)#.*$", "", line)  # a comment: # at the start of a word
        if pending.endswith("\\"):
            pending = pending[:-1]
        elif not _complete(pending):
            pending += "\n"
        else:
            yield from _simple_commands(pending)
            pending = ""
    assert not pending.strip(), f"{block.where}: a command that does not end"


def _simple_commands(text: str) -> Iterator[list[str]]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    for word in lexer:
        if set(word) <= set(";&|"):
            if words:
                yield words
            words = []
        else:
            words.append(word)
    if words:
        yield words


def parse_zonekg(args: list[str]) -> None:
    """Parse a zonekg command line as the CLI would, without running it (click raises on an
    unknown command, option or choice)."""
    from zonekg.cli import cli

    with cli.make_context("zonekg", list(args)) as ctx:
        words = [*ctx._protected_args, *ctx.args]
        name, command, rest = cli.resolve_command(ctx, words)
        assert command is not None, args
        command.make_context(name, rest, parent=ctx)


# --- links and headings --------------------------------------------------------------------

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"`[^`\n]*`")


def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every inline link and image outside code."""
    found = []
    for number, line in enumerate(prose(page).splitlines(), 1):
        found += [(number, m.group(1)) for m in LINK.finditer(CODE.sub("", line))]
    return found


def headings(page: Path) -> list[tuple[int, str]]:
    """(level, text) of each ATX heading outside code."""
    found = []
    for line in prose(page).splitlines():
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, links reduced to their text,
    punctuation but hyphens and underscores dropped, spaces made hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, text in headings(page):
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


# --- the Python API page -------------------------------------------------------------------

API_PAGE = DOCS / "python-api.md"
API_SECTION = "Public names"


def documented_api_names() -> list[str]:
    """The names the Python API page documents: the `api.NAME` at the start of each item of
    its "Public names" section (a name, or a call such as `api.load(...)`)."""
    text = prose(API_PAGE)
    section = re.search(rf"^## {API_SECTION}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, f"{name(API_PAGE)} has no '## {API_SECTION}' section"
    return re.findall(r"^- `api\.(\w+)", section.group(1), re.M)
