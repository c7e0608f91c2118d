"""Issue 19, point 5: a cold ``zonekg query`` imports only what it needs.

The command group imports a command's module when the command runs (``cli.LAZY``), and
``zonekg.api`` imports a name's module on first use; the time it saves is measured in
benchmarks, not here. Here: the lazy map names every command of every module, and a
question asked from the command line leaves rdflib, pySHACL, owlrl and the other
commands' modules unimported.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

from zonekg import api, cli

MODULES = ("graph", "ask", "publish", "serving")


def test_the_lazy_map_names_every_command_of_every_module():
    found = {}
    for module in MODULES:
        for command in importlib.import_module(f"zonekg.cli.{module}").COMMANDS:
            found[command.name] = module
    assert found, "the commands"
    assert found == cli.LAZY
    assert sorted(cli.cli.commands) == sorted(found)


def test_every_public_api_name_resolves():
    assert api.__all__
    for name in api.__all__:
        assert getattr(api, name) is not None, name


def test_a_question_from_the_command_line_imports_only_what_it_needs():
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        "from zonekg.cli import main\n"
        "sys.argv = ['zonekg', 'query', 'cq01', '--format', 'csv']\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("what,name,area,unit,source")
    imported = set(json.loads(run.stderr.strip().splitlines()[-1]))
    assert "zonekg.cli.ask" in imported
    unwanted = {"rdflib", "pyshacl", "owlrl", "zonekg.cli.publish", "zonekg.cli.serving"}
    unwanted |= {"zonekg.cli.graph", "zonekg.web", "zonekg.publish", "zonekg.api.exporting"}
    assert not unwanted & imported, sorted(unwanted & imported)
