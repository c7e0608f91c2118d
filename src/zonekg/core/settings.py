"""Settings as values, and the one module below the command line that reads the environment.

``Limits`` holds every limit of bounded work (time, memory, the sizes of what is read) as
one frozen value. The layers below the API receive it, or the numbers in it, and never
read the environment: the command line makes one from its options (each with its
environment variable), ``Limits.from_env()`` from the variables alone (the default of
the Python API), and the server one per request. Two calls can run under two limits.

The other variables zonekg reads are read here too, each by a function of its own, so
that this module is the list of them: where the project's files are (``ZONEKG_HOME``)
and derived results go (``ZONEKG_CACHE``, ``XDG_CACHE_HOME``), which files may be
opened (``ZONEKG_ALLOW``), a remote store's credentials (``ZONEKG_USER``,
``ZONEKG_PASSWORD``, ``NETRC``) and a reproducible release date (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from .errors import InvalidValue, LimitError, Setting, ZonekgError


@dataclass(frozen=True)
class Limit:
    """What one field of ``Limits`` is: its environment variable, default and unit."""

    name: str  # the field of Limits, the API's word for it
    env: str
    default: float
    unit: str
    bounds: str  # what it bounds, in a few words (the command line's help)
    whole: bool = False  # a count: a whole number

    @property
    def setting(self) -> Setting:
        return Setting(self.name, within="Limits")

    def how_to_raise(self, now: float) -> str:
        """The hint of an error at this limit (naming ``self.setting``)."""
        return f"raise it with {self.setting} or {self.env}=<{self.unit}> (now {now:g})"


LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit(
            "timeout",
            "ZONEKG_TIMEOUT",
            120,
            "seconds",
            "Time limit in seconds of a command's work (a query, validation, reasoning, …).",
        ),
        Limit("memory_mb", "ZONEKG_MEMORY_MB", 4096, "MB", "Memory limit in MB of that work."),
        Limit(
            "max_triples",
            "ZONEKG_MAX_TRIPLES",
            20_000_000,
            "triples",
            "Most triples a closure may reach.",
            whole=True,
        ),
        Limit("max_input_mb", "ZONEKG_MAX_INPUT_MB", 1024, "MB", "Largest input file in MB."),
        Limit(
            "max_line",
            "ZONEKG_MAX_LINE",
            100_000,
            "characters",
            "Longest line of an input file, in characters.",
            whole=True,
        ),
        Limit(
            "max_depth",
            "ZONEKG_MAX_DEPTH",
            32,
            "levels",
            "Deepest bracket nesting of an input file, a query or a JSON document.",
            whole=True,
        ),
        # Operators chained at one nesting level of a query (a path's steps, UNION, &&, +,
        # ...): parsers build a tree level per link, and Oxigraph plans a 300-step path for
        # 13 s.
        Limit(
            "max_chain",
            "ZONEKG_MAX_CHAIN",
            256,
            "operators",
            "Most operators chained at one level of a query (path steps, UNION, &&, …).",
            whole=True,
        ),
        Limit(
            "max_terms",
            "ZONEKG_MAX_TERMS",
            100_000,
            "terms",
            "Most terms (tokens) in a query.",
            whole=True,
        ),
        Limit(
            "max_reply_mb",
            "ZONEKG_MAX_REPLY_MB",
            256,
            "MB",
            "Largest reply body read from a remote endpoint, in MB.",
        ),
        Limit(
            "threads",
            "ZONEKG_THREADS",
            4,
            "threads",
            "Most threads of that work (never more than the CPUs it may run on).",
            whole=True,
        ),
    )
}


@dataclass(frozen=True)
class Limits:
    """Every limit of bounded work, as one value (``LIMITS`` describes each field).

    >>> Limits().timeout, Limits(timeout=5).timeout
    (120, 5)
    """

    timeout: float = LIMITS["timeout"].default
    memory_mb: float = LIMITS["memory_mb"].default
    max_triples: int = int(LIMITS["max_triples"].default)
    max_input_mb: float = LIMITS["max_input_mb"].default
    max_line: int = int(LIMITS["max_line"].default)
    max_depth: int = int(LIMITS["max_depth"].default)
    max_chain: int = int(LIMITS["max_chain"].default)
    max_terms: int = int(LIMITS["max_terms"].default)
    max_reply_mb: float = LIMITS["max_reply_mb"].default
    threads: int = int(LIMITS["threads"].default)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            limit = LIMITS[field.name]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or value <= 0 or (limit.whole and value != int(value)):
                kind = "whole number" if limit.whole else "number"
                raise InvalidValue(
                    field.name, value, f"a positive {kind} of {limit.unit}", within="Limits"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each replaced by its variable where it is set (``ZONEKG_TIMEOUT``…)."""
        environ = os.environ if environ is None else environ
        given = {}
        for limit in LIMITS.values():
            raw = environ.get(limit.env, "").strip()
            if raw:
                given[limit.name] = parse(limit, raw, f"${limit.env}")
        return cls(**given)

    @property
    def usable_threads(self) -> int:
        """``threads``, but no more than the CPUs this process may run on (a thread more
        than the CPUs only waits for one)."""
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cpus = os.cpu_count() or 1
        return max(1, min(self.threads, cpus))

    def replace(self, **changes: float) -> Limits:
        """A copy with *changes* (None leaves a field as it is)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def exceeded(
        self, name: str, message: str, advice: str = "", kind: type = LimitError, **where
    ) -> ZonekgError:
        """The error (a LimitError, or *kind*) for work stopped at the limit *name*:
        *message*, and a hint that gives *advice* (if any) and says how to raise the limit."""
        return exceeded(name, getattr(self, name), message, advice, kind, **where)


def exceeded(
    name: str, now: float, message: str, advice: str = "", kind: type = LimitError, **where
) -> ZonekgError:
    """The error (a LimitError, or *kind*) for work stopped at the limit *name*, set to
    *now*: *message*, and a hint that gives *advice* (if any) and says how to raise it."""
    limit = LIMITS[name]
    raising = limit.how_to_raise(now)
    if issubclass(kind, LimitError):
        where["limit"] = name
    return kind(
        message,
        hint=f"{advice}, or {raising}" if advice else raising,
        settings=(limit.setting,),
        **where,
    )


#: The limits when none are given: the defaults, never the environment.
DEFAULT_LIMITS = Limits()


def parse(limit: Limit, raw: str, source: str) -> float:
    """The number *raw* for *limit*, read from *source* (a variable, an option)."""
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0 or (limit.whole and value != int(value)):
        kind = "whole number" if limit.whole else "number"
        raise ZonekgError(
            f"{source}={raw!r} is not a positive {kind}",
            hint=f"set {limit.env} to a {kind} of {limit.unit}, or unset it "
            f"(default {limit.default:g})",
        )
    return int(value) if limit.whole else value


# --- the other variables -------------------------------------------------------------------

HOME_ENV = "ZONEKG_HOME"
CACHE_ENV = "ZONEKG_CACHE"
ALLOW_ENV = "ZONEKG_ALLOW"
USER_ENV = "ZONEKG_USER"
PASSWORD_ENV = "ZONEKG_PASSWORD"
STORE_CACHE_ENV = "ZONEKG_CACHE_STORES_MB"
#: The megabytes of loaded stores the cache folder keeps by default (the oldest go first): a
#: million generated triples take 1.25 GB (the load 0.49 GB, with every derived graph 0.76).
STORE_CACHE_DEFAULT_MB = 2048
FILE_CACHE_ENV = "ZONEKG_CACHE_FILES_MB"
#: The megabytes of other results the cache folder keeps by default (closures, checked
#: files' verdicts, remembered digests, framed JSON-LD; the least recently used go first): the
#: closure of a million generated triples takes 80 MB.
FILE_CACHE_DEFAULT_MB = 1024
STORE_BUILD_ENV = "ZONEKG_CACHE_STORES_BUILD"
#: Who builds a kept store: a process of its own after the command has read the inputs
#: (``background``, the default: the command itself works in memory, as fast as with no
#: cache), or the command itself before it works (``now``: the next command finds it).
STORE_BUILDS = ("background", "now")
#: A test's hook: a path the store cache creates, then pauses, just before it commits an
#: entry (so that a test can kill the run there). Unset in every real run.
STORE_PAUSE_ENV = "ZONEKG_TEST_PAUSE_STORE_BUILD"


def styles_forced() -> bool:
    """Whether the environment asks for a terminal's styles on a pipe or file too: rich's
    rules (``TTY_COMPATIBLE=1``; ``FORCE_COLOR`` set and not empty, unless
    ``TTY_COMPATIBLE=0``), as rich draws the text for people on a terminal."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    return os.environ.get("FORCE_COLOR", "") != ""


def home() -> str:
    """``$ZONEKG_HOME``: a folder laid out as a checkout to take the project's files from
    ("" when unset)."""
    return os.environ.get(HOME_ENV, "")


def cache() -> str:
    """``$ZONEKG_CACHE``: where derived results are kept ("" when unset)."""
    return os.environ.get(CACHE_ENV, "")


def store_cache_mb() -> float:
    """``$ZONEKG_CACHE_STORES_MB``: how many megabytes of loaded stores the cache keeps
    (0 keeps none: every command loads in memory, and no store is built)."""
    return _megabytes(STORE_CACHE_ENV, STORE_CACHE_DEFAULT_MB)


def file_cache_mb() -> float:
    """``$ZONEKG_CACHE_FILES_MB``: how many megabytes of results other than loaded stores
    the cache keeps (0: each is removed again by the next command that keeps one)."""
    return _megabytes(FILE_CACHE_ENV, FILE_CACHE_DEFAULT_MB)


def _megabytes(env: str, default: float) -> float:
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0 or value != value or value == float("inf"):
        raise ZonekgError(
            f"${env}={raw!r} is not a number of megabytes",
            hint=f"set it to 0 or more (default {default:g}), or unset it",
        )
    return value


def store_build() -> str:
    """``$ZONEKG_CACHE_STORES_BUILD``: who builds a kept store (one of ``STORE_BUILDS``)."""
    raw = os.environ.get(STORE_BUILD_ENV, "").strip() or STORE_BUILDS[0]
    if raw not in STORE_BUILDS:
        raise ZonekgError(
            f"${STORE_BUILD_ENV}={raw!r} is not one of {', '.join(STORE_BUILDS)}",
            hint=f"set it to one of them, or unset it (default {STORE_BUILDS[0]})",
        )
    return raw


def store_pause() -> str:
    """``$ZONEKG_TEST_PAUSE_STORE_BUILD`` (tests only; "" when unset)."""
    return os.environ.get(STORE_PAUSE_ENV, "")


def xdg_cache_home() -> str:
    """``$XDG_CACHE_HOME``: the user's cache folder ("" when unset)."""
    return os.environ.get("XDG_CACHE_HOME", "")


def allowed_paths() -> list[str]:
    """``$ZONEKG_ALLOW``: further files and folders that may be opened."""
    return [entry for entry in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if entry]


def credentials() -> tuple[str, str] | None:
    """``$ZONEKG_USER`` and ``$ZONEKG_PASSWORD``, when both are set."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    return (user, password) if user and password is not None else None


def netrc_file() -> str:
    """The netrc file that may hold a store's credentials: ``$NETRC``, else ~/.netrc."""
    return os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")


def source_date_epoch() -> str:
    """``$SOURCE_DATE_EPOCH``: the date of a reproducible build ("" when unset)."""
    return os.environ.get("SOURCE_DATE_EPOCH", "")
