"""The release bundle: every format, a DCAT + VoID description, docs, pictures, checksums.

The bundle is built in a temporary folder beside the target and only then
moved into place, so a failed release never leaves a half-written bundle and
never touches a good one that is already there.

The version comes from one place, the package metadata (pyproject.toml); the
ontology's owl:versionInfo must agree, and a test checks it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from .. import api
from ..api import KnowledgeGraph
from ..core import paths, settings
from ..core.errors import ZonekgError
from ..core.formats import FORMATS, canonical_nquads, serialize, with_header
from ..safety import targets
from ..safety.atomic import write_atomic
from . import catalog
from .catalog import CATALOG, DATASET, DEFAULT_ENDPOINT, PUBLISHER_NAME, SERVICE

__all__ = ["CATALOG", "DATASET", "DEFAULT_ENDPOINT", "PUBLISHER_NAME", "SERVICE", "build"]

NAME = "zonekg"
SUMS = targets.SUMS
DESCRIPTION_FILE = "dataset.ttl"


def version() -> str:
    """The package version (from pyproject.toml, through the installed metadata)."""
    try:
        return metadata.version("zonekg")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = paths.ROOT / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def issued_date() -> dt.date:
    """Today (UTC), or SOURCE_DATE_EPOCH's day for a reproducible build."""
    epoch = settings.source_date_epoch()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except ValueError:
            raise ZonekgError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds",
                hint="unset it or give seconds since 1970-01-01",
            ) from None
    return dt.datetime.now(dt.UTC).date()


def ontology_version(kg: KnowledgeGraph) -> str | None:
    ontology = kg.rdf.ontology
    node = next(ontology.subjects(RDF.type, OWL.Ontology), None)
    value = ontology.value(node, OWL.versionInfo) if node is not None else None
    return None if value is None else str(value)


def describe(
    kg: KnowledgeGraph,
    files: dict[str, int],
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | None = None,
    sums: dict[str, str] | None = None,
    zonekg_endpoint: bool = True,
) -> Graph:
    """The release's DCAT-AP description (``catalog.describe``) for the files it writes:
    *files* maps their paths to sizes, *sums* to SHA-256 digests; *zonekg_endpoint* says the
    endpoint is a ``zonekg serve`` (not another store the user named)."""
    return catalog.describe(
        kg,
        files,
        endpoint,
        issued or issued_date(),
        version(),
        sums,
        local_endpoint=endpoint == DEFAULT_ENDPOINT,
        endpoint_description=zonekg_endpoint,
    )


def endpoint_for(base_url: str | None, endpoint: str | None) -> str:
    """The SPARQL endpoint a release names: *endpoint*, else *base_url* + /sparql (where
    ``zonekg serve`` answers), else the local default."""
    if endpoint:
        return endpoint
    if base_url:
        return base_url.rstrip("/") + "/sparql"
    return DEFAULT_ENDPOINT


def build(
    kg: KnowledgeGraph,
    target: Path,
    endpoint: str = DEFAULT_ENDPOINT,
    issued: dt.date | None = None,
    diagrams: bool = True,
    zonekg_endpoint: bool = True,
    pages: dict[str, str] | None = None,
) -> dict[str, int]:
    """Write the bundle to *target*; return its files (relative path -> bytes).

    *zonekg_endpoint*: the endpoint is a ``zonekg serve`` (the description then names its
    service description too), not another store the user named. *pages*: static HTML pages
    to include ({path in the bundle: HTML}, e.g. ``web.zones.static_pages``)."""
    onto = ontology_version(kg)
    if onto != version():
        raise ZonekgError(
            f"the ontology's owl:versionInfo ({onto}) is not the package version ({version()})",
            hint="set the same version in pyproject.toml and ontology/zonekg.ttl",
            file=paths.ONTOLOGY,
        )
    target = targets.check_folder(
        Path(target), "release", inputs=[*kg.ontology_files, *kg.data_files]
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    targets.recover_folder(target)  # staging folders of killed runs; an old bundle put back
    staging = Path(tempfile.mkdtemp(prefix=targets.staging_name(target), dir=target.parent))
    try:
        files = _write_bundle(kg, staging, endpoint, issued, diagrams, zonekg_endpoint, pages)
        os.chmod(staging, 0o755)
        targets.replace_folder(staging, target, "release")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


def _write_bundle(
    kg, folder: Path, endpoint, issued, diagrams, zonekg_endpoint=True, pages=None
) -> dict[str, int]:
    from ..core import jsonld
    from .docs import write_docs

    written: dict[str, int] = {}

    def put(name: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        write_atomic(folder / name, data)
        written[name] = len(data)

    # TriG and N-Quads hold the published dataset (api.dataset_quads): what the questions
    # read in any SPARQL store; the flat formats the asserted graphs merged, under a header
    # that says so and names the file to take instead.
    asserted = list(kg.quads(kg.asserted_graphs))
    dataset = api.dataset_quads(kg)
    for fmt in FORMATS.values():
        text = serialize(dataset if fmt.keeps_graphs else asserted, fmt)
        put(NAME + fmt.suffix, with_header(text, fmt, api.flat_note(fmt)))
    put(f"{NAME}.canonical.nq", canonical_nquads(dataset))
    put(f"{NAME}-inferred.ttl", api.closure_text(kg))
    put("ontology/zonekg.ttl", kg.rdf.ontology.serialize(format="turtle"))
    put("context.jsonld", jsonld.context_text())
    graph = kg.rdf.asserted()
    put("jsonld/zone-chengdu.jsonld", jsonld.dumps(jsonld.framed(graph, jsonld.zone_frame())))
    for term, doc in _class_documents(kg, graph).items():
        put(f"jsonld/{term}.jsonld", jsonld.dumps(doc))
    for cq in api.all_questions():
        put(f"queries/{cq.path.name}", cq.text)
    written[_relative(write_docs(kg.rdf, folder / "docs"), folder)] = 0
    for name, html in sorted((pages or {}).items()):
        put(name, html)
    if diagrams:
        from .diagram import has_zone, write_diagram

        # data about other things than the zone has no zone diagram
        for kind in ("ontology", "zone") if has_zone(kg.rdf) else ("ontology",):
            for suffix in (".svg", ".png"):
                path = write_diagram(kg.rdf, kind, folder / "diagrams" / f"{kind}{suffix}")
                written[_relative(path, folder)] = 0
    for name in written:
        written[name] = (folder / name).stat().st_size
    sums = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in written
        if (folder / name).is_file()
    }
    description = describe(kg, written, endpoint, issued, sums, zonekg_endpoint)
    put(DESCRIPTION_FILE, description.serialize(format="turtle"))
    # SHA256SUMS of every file, and the marker tied to it: a later release may replace
    # this folder, as long as nothing in it has been added or changed
    targets.mark(folder, "release")
    written[SUMS] = (folder / SUMS).stat().st_size
    return written


def verify(folder: Path) -> list[str]:
    """The files whose checksum in SHA256SUMS does not match (empty when all do)."""
    bad = []
    for line in (Path(folder) / SUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = Path(folder) / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name)
    return bad


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


#: The bytes the kept class documents may take, per byte of the graph's N-Triples (each
#: document nests what its instances link to: 21 MB for the project's 0.9 MB).
_DOCUMENT_BYTES_PER_BYTE = 200


def _class_documents(kg: KnowledgeGraph, graph: Graph) -> dict[str, dict]:
    """``jsonld.class_documents`` of *graph*, kept in the cache folder under the digest of
    all that makes them (the graph's triples, the context, pyld and the framing code): pyld
    frames the project's graph 35 times, about 15 s on a quiet machine, and a release of an
    unchanged graph (or a test of one) frames it once. A kept entry is read only if its
    size, SHA-256 and count match its manifest; one that does not is discarded, with a
    note. Two runs that miss at once frame once: the second waits on the first's lock,
    then reads."""
    from ..core import jsonld
    from ..safety import cache
    from ..safety.atomic import file_lock

    raw = graph.serialize(format="nt", encoding="utf-8")
    lines = sorted({line for line in raw.decode("utf-8").splitlines() if line.strip()})
    digest = hashlib.sha256(f"pyld {metadata.version('pyld')}\0".encode())
    for part in (jsonld.CONTEXT_FILE.read_bytes(), Path(jsonld.__file__).read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    for line in lines:
        digest.update(f"{line}\n".encode())
    key = digest.hexdigest()
    root = paths.cache_folder()
    path = root / f"jsonld-{key[:32]}.json"
    cap = _DOCUMENT_BYTES_PER_BYTE * len(raw)
    docs = _kept_documents(kg, root, path, key, cap)
    if docs is not None:
        return docs
    with contextlib.ExitStack() as alone:
        with contextlib.suppress(OSError):  # as cache.write: a cache not writable is skipped
            root.mkdir(parents=True, exist_ok=True)
            alone.enter_context(file_lock(root / f".{path.stem}.lock"))
        docs = _kept_documents(kg, root, path, key, cap)
        if docs is None:
            docs = jsonld.class_documents(graph)
            data = json.dumps(docs, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            cache.write(root, path, key, data, len(docs))
    return docs


def _kept_documents(
    kg: KnowledgeGraph, root: Path, path: Path, key: str, cap: int
) -> dict[str, dict] | None:
    from ..core.errors import Note
    from ..safety import cache

    try:
        entry = cache.read(root, path, key, cap)
        if entry is None:
            return None
        try:
            docs = json.loads(entry.data.decode("utf-8"))
        except (ValueError, RecursionError):
            raise cache.Damaged("it is not JSON") from None
        if not isinstance(docs, dict) or len(docs) != entry.count:
            raise cache.Damaged(f"it does not hold the {entry.count} documents it should")
        return docs
    except cache.Damaged as damage:
        cache.discard(root, path)
        kg.notes.append(Note(f"the kept JSON-LD documents {path} were not used: {damage}"))
        return None
