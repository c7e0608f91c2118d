"""Case 7: a 700-byte query with 28 chained BIND(CONCAT(?x, ?x)) returned a 268 MB body;
--max-rows did not bound bytes and the server had no memory cap (894 MB peak).

The worker refuses a result larger than --max-bytes before it writes the body (and
checks the body too), so the server never receives it; the server process caps its
own address space (--max-memory).
"""

from __future__ import annotations

import pytest
from safety_support import run_python

from zonekg.web.workers import DEFAULT_MAX_BYTES, execute

OURS = ["https://w3id.org/zonekg/graph/ontology/zonekg.ttl"]


def _doubling(times: int) -> str:
    binds = ['BIND("0123456789abcdef" AS ?x0)']
    binds += [f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times)]
    return f"SELECT ?x{times} WHERE {{ " + " ".join(binds) + " }"


def _job(query: str, max_bytes: int | None = None) -> dict:
    job = {"query": query, "default": [], "named": [], "graphs": OURS, "accept": None}
    if max_bytes is not None:
        job["max_bytes"] = max_bytes
    return job


def test_one_huge_row_is_refused_by_bytes_not_rows(kgs, engine):
    reply = execute(kgs[engine], _job(_doubling(21), max_bytes=1_000_000), 10_000)
    assert reply.status == 422
    assert b"bytes" in reply.body
    assert len(reply.body) < 10_000


def test_a_result_within_the_cap_is_answered(kgs, engine):
    reply = execute(kgs[engine], _job(_doubling(4), max_bytes=1_000_000), 10_000)
    assert reply.status == 200


def test_the_default_cap_is_there_without_the_option(kgs):
    assert DEFAULT_MAX_BYTES <= 64 * 1024 * 1024
    reply = execute(kgs["oxigraph"], _job(_doubling(21)), 10_000)  # 32 MB > 16 MiB
    assert reply.status == 422


@pytest.mark.parametrize("flag", ["--max-bytes", "--max-memory"])
def test_serve_refuses_a_bad_cap(flag):
    from safety_support import run_cli

    done = run_cli("serve", flag, "0", "--port", "1")
    assert done.returncode == 2, done.stdout + done.stderr


def test_the_server_caps_its_own_memory():
    code = (
        "from zonekg.web.app import cap_own_memory\n"
        "cap_own_memory(512)\n"
        "try:\n"
        "    block = bytearray(1024 * 1024 * 1024)\n"
        "    print('allocated')\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    done = run_python(code)
    assert done.stdout.strip() == "refused", done.stdout + done.stderr
