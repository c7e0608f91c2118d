"""Case 6: `<javascript:alert(document.domain)>` in the data, or bound by a query on
/query, became a live href; there was no Content-Security-Policy.

Pages link only http(s) IRIs (web/pages.py Site.href); every response carries a CSP
that allows only this server's own scripts (web/app.py SecurityHeaders).
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from zonekg.web.app import CONTENT_SECURITY_POLICY, SecurityHeaders, results_table
from zonekg.web.pages import Site, linkable

EVIL = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "http://example.org/\njavascript:x",
    "urn:x-foo:bar",
]


@pytest.mark.parametrize("iri", EVIL)
def test_only_http_iris_are_linkable(iri):
    assert not linkable(iri)


def test_http_iris_stay_links():
    assert linkable("https://www.wikidata.org/entity/Q148")
    assert linkable("http://example.org/x")


@pytest.mark.parametrize("iri", EVIL)
def test_query_results_on_the_page_never_link_a_script(kg, iri):
    site = Site.build(kg, "http://127.0.0.1:8000/")
    data = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "uri", "value": iri}}]},
    }
    cell = results_table(data, site)["rows"][0][0]
    assert not cell.get("href")


def test_pages_of_the_data_never_link_a_script(kg):
    from rdflib import URIRef

    from zonekg.web.pages import Pages, Settings

    site = Site.build(kg, "http://127.0.0.1:8000/")
    pages = Pages(site, Settings())
    shown = pages.value(URIRef("javascript:alert(document.domain)"), "en")
    assert shown["href"] == ""
    html = pages.render("error.html", status=404, title="x", message="<script>").body
    assert b"<script>" not in html.replace(b'<script src="/static', b"")


def test_every_response_carries_a_content_security_policy():
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("hi"))])
    client = TestClient(SecurityHeaders(app))
    response = client.get("/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
