"""What ``--help`` says beyond a command's own description: the forms its arguments take and
an example or two of its use, per command. ``cli`` adds them to each command's help (and the
reference, docs/cli.md, shows them); a test parses every example with the commands' own
parser, so an example names no option or argument that a command does not take."""

from __future__ import annotations

#: Per command, each argument (as ``--help`` shows it) and the forms it takes.
ARGUMENTS: dict[str, dict[str, str]] = {
    "query": {
        "NAME": "a competency question by name or number (cq04-planned-investment, cq04, 4: "
        "see `zonekg questions`), or the path of an .rq file. Or give SPARQL text with "
        "--text, or every question with --all.",
    },
    "why": {
        "ENTITY": "an entity of the graph as a CURIE with one of the project's prefixes "
        "(zone:chengdu, organization:ndrc, place:qilong), as a full IRI, with or without "
        "<> (https://w3id.org/zonekg/id/zone/chengdu), or as a name (chengdu, 成都): "
        "one exact match is explained, several are listed.",
    },
    "find": {
        "TEXT": "part of a name in any language (mitsubishi, 三菱, ＭＨＩ), "
        "case and width folded; up to 200 characters.",
    },
    "diff": {
        "OLD": "an RDF file (Turtle, TriG, N-Triples, N-Quads…): the graph before.",
        "NEW": "an RDF file: the graph after (default: the project's graph as it is now, or "
        "--data's).",
    },
    "release": {"FOLDER": "the folder to write the bundle into (made if missing)."},
    "diagram": {"KIND": "ontology (the classes and properties) or zone (the zone's entities)."},
    "fmt": {"FILES": "Turtle/TriG files (default: the project's data files)."},
}

#: Per command, examples: (the command line, what it does).
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "validate": [
        ("zonekg validate", "check the project's data against its shapes"),
        ("zonekg validate --inference owlrl --format json", "after reasoning, as JSON"),
    ],
    "reason": [
        ("zonekg reason -o build/inferred.ttl", "write the inferred triples"),
        (
            "zonekg reason --endpoint http://127.0.0.1:7878/query "
            "--update-endpoint http://127.0.0.1:7878/update",
            "make the closure inside an Oxigraph server, after zonekg push",
        ),
    ],
    "run": [("zonekg run -o build/inferred.ttl", "validate, reason and answer every question")],
    "questions": [("zonekg questions", "list the questions with their names")],
    "query": [
        ("zonekg query cq04", "answer competency question cq04"),
        ("zonekg query --all --format csv", "every question, as SPARQL CSV results"),
        (
            "zonekg query --text 'SELECT ?x WHERE { ?x a zk:Company }'",
            "run SPARQL text (the project's prefixes need no PREFIX line)",
        ),
    ],
    "why": [
        ("zonekg why zone:chengdu", "who says what about the zone"),
        ("zonekg why organization:ndrc", "the same for an organisation"),
    ],
    "find": [
        ("zonekg find mitsubishi", "entities whose names hold 'mitsubishi', best first"),
        ("zonekg find 成都 --limit 5", "the first five matches of a Chinese name"),
    ],
    "stats": [("zonekg stats", "triples per file, entities per class and per source")],
    "fmt": [
        ("zonekg fmt --check", "list the data files not in the sorted form"),
        ("zonekg fmt data/agreements.trig", "rewrite one file in that form"),
    ],
    "export": [
        ("zonekg export -o build/zonekg.trig", "the published dataset as TriG"),
        ("zonekg export --format jsonld --reason", "JSON-LD with the inferred triples"),
        ("zonekg export --table projects -o build/projects.csv", "a CSV table for a spreadsheet"),
    ],
    "diff": [("zonekg diff build/old.trig", "what changed from a saved copy to the data now")],
    "release": [("zonekg release build/release", "write every format and the description")],
    "diagram": [("zonekg diagram zone -o build/zone.svg", "draw the zone as SVG")],
    "generate": [
        ("zonekg generate --triples 100000 -o build/synthetic", "synthetic data for benchmarks")
    ],
    "push": [
        (
            "zonekg push --endpoint http://127.0.0.1:7878/store",
            "put the graphs into an Oxigraph server on this machine",
        )
    ],
    "serve": [
        ("zonekg serve", "serve on http://127.0.0.1:8000/ (Ctrl-C stops)"),
        ("zonekg serve --port 8080 --workers 4", "another port, more query workers"),
    ],
}


def epilog(name: str) -> str:
    """The part of command *name*'s help after its options: argument forms and examples,
    each block kept as written (click's ``\\b``)."""
    blocks = [f"{arg}: {text}" for arg, text in ARGUMENTS.get(name, {}).items()]
    examples = EXAMPLES.get(name, [])
    if examples:
        lines = ["\b", "Examples:"]
        lines += [f"  {line}\n      {what}" for line, what in examples]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
