"""Case 15: `/id/place/x%0a<forged line>` forged a line in the request log.

web/app.py RequestLog escapes control, bidi and line-separator characters (core/terminal.printable,
the one function every writer to a terminal or a log uses).
"""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from zonekg.core.terminal import printable
from zonekg.web.app import RequestLog


@pytest.mark.parametrize("raw", ["\n", "\r", "\x1b[31m", "\u2028", "\u202e", "\x00", "\x85"])
def test_printable_escapes_what_could_forge_or_reorder_a_line(raw):
    shown = printable(f"x{raw}GET /admin 200")
    assert raw not in shown
    assert shown.startswith("x\\")


def test_plain_text_is_left_alone():
    assert printable("/id/place/chengdu?q=成都") == "/id/place/chengdu?q=成都"


def test_a_forged_line_stays_on_its_own_line(caplog):
    app = Starlette(routes=[Route("/id/{kind}/{slug}", lambda r: PlainTextResponse("x"))])
    client = TestClient(RequestLog(app))
    with caplog.at_level(logging.INFO, logger="zonekg.serve"):
        client.get("/id/place/x%0a2026-01-01 zonekg.serve GET /forged 200")
    lines = [r.getMessage() for r in caplog.records if r.name == "zonekg.serve"]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\\x0a" in lines[0]
