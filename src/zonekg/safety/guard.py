"""Offline by construction: one audit hook that refuses network and stray file access.

rdflib, pyshacl and owlrl fetch whatever a document or a query points at
(``SERVICE <http://...>``, ``FROM <file:///...>``, a JSON-LD ``@context`` URL,
``owl:imports``), and no setting of theirs turns all of it off. Instead of
chasing each feature, :func:`install` adds a :func:`sys.addaudithook` hook that
sees every ``open`` and every socket ``connect``/``getaddrinfo``/``sendto`` in
the process, whichever library makes it, and refuses:

* a socket connection to any address that was not allowed (the user names an
  address on the command line, or the program calls :func:`allow_address`);
* opening a file outside the project's folders, the paths allowed (the paths
  the user named on the command line, ``$ZONEKG_ALLOW``), the Python
  installation (virtualenv, stdlib, site-packages) and the temporary folder.

Audit hooks cannot be removed once added, so only entry points (``cli.main``
and the server) install it; library users and tests in-process stay unguarded
unless they opt in.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import sys
import sysconfig
import tempfile
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..core import paths
from ..core.errors import GuardError

#: Extra folders or files that may be opened (os.pathsep-separated).
ALLOW_ENV = "ZONEKG_ALLOW"

#: System files the runtime itself opens: devices (randomness, /dev/null for
#: workers) and the media-type tables mimetypes reads (the server's static files).
_SYSTEM_FILES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/tty", *mimetypes.knownfiles)


class _State:
    installed = False
    roots: list[str] = []  # folders: anything under them may be opened
    files: set[str] = set()  # single files (and their write_atomic temp files)
    addresses: set[tuple[str, int | None]] = set()
    cache: dict[str, bool] = {}


def installed() -> bool:
    return _State.installed


def install(argv: Iterable[str] = ()) -> None:
    """Install the hook (once per process); *argv* tokens that name paths or URLs are allowed."""
    allow_arguments(argv)
    for entry in os.environ.get(ALLOW_ENV, "").split(os.pathsep):
        if entry:
            allow_path(entry)
    if _State.installed:
        return
    for root in _default_roots():
        _add_root(root)
    _State.installed = True
    sys.addaudithook(_hook)


def allow_path(path: str | os.PathLike) -> None:
    """Allow opening *path*: all under it if a folder, else the file and its temp siblings."""
    resolved = os.path.realpath(os.fspath(path))
    if os.path.isdir(resolved):
        _add_root(resolved)
    else:
        _State.files.add(resolved)
        # write_atomic locks the folder and writes a temp file there first
        _State.files.add(os.path.dirname(resolved))
    _State.cache.clear()


def allow_address(host: str, port: int | None = None) -> None:
    """Allow connections to *host* (on *port*, or any port when None)."""
    _State.addresses.add((_normal_host(host), port))


def allow_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.hostname:
        allow_address(parts.hostname, parts.port)


def allow_arguments(argv: Iterable[str]) -> None:
    """Allow the paths and URLs the user named on the command line.

    Every token may name a file (an output may not exist yet), so each is
    allowed as a path; ``--opt=value`` is split at ``=``; http(s) URLs allow
    their host and port.
    """
    for token in argv:
        for value in (token, token.partition("=")[2]):
            if not value or value.startswith("-") or "\0" in value:
                continue
            if "://" in value:
                if value.split("://", 1)[0] in ("http", "https"):
                    allow_url(value)
                continue
            allow_path(value)


def _default_roots() -> list[str]:
    roots = [str(paths.ROOT), str(paths.cache_folder()), tempfile.gettempdir(), *_SYSTEM_FILES]
    # the package's own code: in an editable install it is on no path below, and with
    # $ZONEKG_HOME elsewhere it is not under paths.ROOT either
    roots.append(str(paths.PACKAGE))
    roots += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    roots += [p for p in sysconfig.get_paths().values()]
    # not the working folder that `python -m` puts first: only what the user names there
    here = os.path.realpath(os.getcwd())
    roots += [p for p in sys.path if p and os.path.isdir(p) and os.path.realpath(p) != here]
    return roots


def _add_root(root: str) -> None:
    real = os.path.realpath(root)
    for candidate in {root.rstrip(os.sep) or os.sep, real}:
        if candidate not in _State.roots:
            _State.roots.append(candidate)
    _State.cache.clear()


def _path_allowed(path: str) -> bool:
    known = _State.cache.get(path)
    if known is not None:
        return known
    real = os.path.realpath(path)
    allowed = real in _State.files or _is_temp_sibling(real)
    if not allowed:
        for root in _State.roots:
            if real == root or real.startswith(root + os.sep) or root == os.sep:
                allowed = True
                break
    _State.cache[path] = allowed
    return allowed


def _is_temp_sibling(real: str) -> bool:
    """A temporary file or staging folder beside an allowed target (``.{name}.*``)."""
    for allowed in _State.files:
        folder, name = os.path.split(allowed)
        if real.startswith(os.path.join(folder, f".{name}.")):
            return True
    return False


def _normal_host(host: str) -> str:
    host = host.strip("[]").lower()
    if host == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def _address_allowed(host, port) -> bool:
    if host is None:
        return False
    host = _normal_host(host.decode() if isinstance(host, bytes) else str(host))
    try:
        port = int(port) if port not in (None, "") else None
    except (TypeError, ValueError):
        port = None
    return (host, port) in _State.addresses or (host, None) in _State.addresses


def _hook(event: str, args: tuple) -> None:
    if event == "open":
        path = args[0]
        if isinstance(path, int) or path is None:
            return
        path = os.fsdecode(path)
        if not _path_allowed(os.path.abspath(path)):
            raise GuardError(
                f"refused to open {path}: it is outside the project's folders "
                "and the paths named on the command line",
                hint=f"name the file on the command line, or add its folder to ${ALLOW_ENV}",
            )
    elif event in ("socket.connect", "socket.sendto"):
        address = args[1]
        host, port = (address[0], address[1]) if isinstance(address, tuple) else (address, None)
        if not _address_allowed(host, port):
            _refuse_network(host, port)
    elif event == "socket.getaddrinfo" and not _address_allowed(args[0], args[1]):
        _refuse_network(args[0], args[1])


def _refuse_network(host, port) -> None:
    where = f"{host}:{port}" if port not in (None, "") else str(host)
    raise GuardError(
        f"refused network access to {where}: zonekg works offline",
        hint="nothing is fetched unless you name the address on the command line",
    )
