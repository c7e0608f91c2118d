"""Apache Jena's `riot` as Debian packages it (`libapache-jena-java`, installed by `make
tools`), for the tests that check what other systems read of our files.

Debian ships Jena's jars but no `riot` script, so riot runs as ``java -cp JARS
riotcmd.riot``, with the jars of the package and of the packages it depends on (as dpkg
lists them). Two things of the packaging are worked around here, without changing what
reads the files:

- the SLF4J package ships every logging binding; more than one on the class path makes
  SLF4J stop the JVM, so only ``slf4j-simple`` (messages to stderr) is kept;
- Debian's jena-core moves Xerces' classes to ``xerces.*`` but leaves their message files
  under ``org/apache/jena/ext/xerces/``, so the XSD datatypes fail to initialise ("internal
  error") before riot reads anything. A copy of those message files, taken from the same
  jar, is put where the classes look for them, in a folder on the class path.

Jena 4.5's JSON-LD 1.1 reader (Titanium) needs a Jakarta JSON Processing implementation,
which Debian does not package (only the API), so it fails on every document; its JSON-LD
1.0 reader (jsonld-java, ``--syntax=jsonld10``) is the one that works there, and the one
the tests use.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

PACKAGE = "libapache-jena-java"
JAR_FOLDER = Path("/usr/share/java")
_XERCES_MESSAGES = "org/apache/jena/ext/xerces/"


def installed() -> bool:
    return (JAR_FOLDER / "jena-cmds.jar").is_file() and shutil.which("java") is not None


@cache
def _package_jars() -> tuple[str, ...]:
    depends = subprocess.run(
        ["dpkg-query", "-W", "-f=${Depends}", PACKAGE], capture_output=True, text=True, check=True
    ).stdout
    packages = [PACKAGE] + [re.split(r"[\s(]", d.strip())[0] for d in depends.split(",")]
    jars = set()
    for package in packages:
        listed = subprocess.run(
            ["dpkg-query", "-L", package], capture_output=True, text=True, check=True
        ).stdout.split()
        for path in listed:
            # the unversioned names (jena-arq.jar), which Debian links to the versioned ones
            if re.fullmatch(r"/usr/share/java/[^/]+\.jar", path) and not re.search(
                r"-\d[\d.]*\.jar$", path
            ):
                jars.add(path)
    logging = {p for p in jars if "slf4j" in Path(p).name or "log4j" in Path(p).name}
    jars -= logging
    jars |= {str(JAR_FOLDER / "slf4j-api.jar"), str(JAR_FOLDER / "slf4j-simple.jar")}
    return tuple(sorted(jars))


def _xerces_messages(folder: Path) -> Path:
    """The Xerces message files of jena-core, where its relocated classes look for them."""
    target = folder / "jena-resources"
    if not target.is_dir():
        with zipfile.ZipFile(JAR_FOLDER / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(_XERCES_MESSAGES) and name.endswith(".properties"):
                    path = target / "xerces" / name[len(_XERCES_MESSAGES) :]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(jar.read(name))
    return target


def riot(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``riot ARGS`` (Debian's Jena); *folder* is a scratch folder for the class path."""
    classpath = ":".join([str(_xerces_messages(folder)), *_package_jars()])
    return subprocess.run(
        ["java", "-cp", classpath, "riotcmd.riot", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
