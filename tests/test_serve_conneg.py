"""Content and language negotiation: q-values, wildcards, specificity, ties, bad input."""

from __future__ import annotations

import pytest

from zonekg.web.conneg import negotiate, negotiate_language, parse_accept

RESULTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.5", "application/sparql-results+xml"),
        # a wildcard gives every type it matches the same q; the exact range wins
        ("text/*;q=0.3, application/sparql-results+json;q=0.2", "text/csv"),
        ("text/*;q=0.1, application/sparql-results+json;q=0.2", "application/sparql-results+json"),
        # the most specific range sets the quality, even when it is lower
        ("text/*, text/csv;q=0.1", "text/tab-separated-values"),
        ("text/*;q=0, text/csv", "text/csv"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        # ties go to the server's order, not the order in the header
        ("text/tab-separated-values, text/csv", "text/csv"),
        ("text/tab-separated-values;q=0.5, text/csv;q=0.5", "text/csv"),
        ("application/*", "application/sparql-results+json"),
        # q=0 rules a type out
        ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        # parameters other than q do not stop a match; accept-extensions after q are ignored
        ('text/csv;charset=utf-8;q=0.8;level="x", text/tab-separated-values;q=0.7', "text/csv"),
        # malformed ranges and bad q-values are skipped, the rest still counts
        ("garbage, text/csv;q=0.4", "text/csv"),
        ("text/csv;q=2, text/tab-separated-values;q=0.3", "text/tab-separated-values"),
        ("text/csv;q=abc, */*;q=0.2", "application/sparql-results+json"),
        ("*/csv, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept, RESULTS) == expected


@pytest.mark.parametrize(
    "accept",
    ["image/png", "text/html;q=1, */*;q=0", "text/*;q=0, application/*;q=0"],
)
def test_negotiate_nothing_acceptable(accept):
    assert negotiate(accept, RESULTS) is None


def test_entirely_malformed_header_means_anything():
    assert negotiate(";;;, /, foo", RESULTS) == RESULTS[0]


def test_parse_accept_keeps_q_and_params():
    ranges = parse_accept("text/html;level=1;q=0.7, */*;q=0.1")
    assert [(r.type, r.subtype, r.q, r.params) for r in ranges] == [
        ("text", "html", 0.7, (("level", "1"),)),
        ("*", "*", 0.1, ()),
    ]
    assert ranges[0].specificity > ranges[1].specificity


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("ja", "ja"),
        ("ja;q=0.4, en;q=0.6", "en"),
        ("fr, de;q=0.9", None),
        ("fr, ja-JP;q=0.5", "ja"),
        ("*", "en"),
        ("zh;q=0, ja;q=0.1", "ja"),
        ("en;q=oops, ja;q=0.2", "ja"),
    ],
)
def test_negotiate_language(header, expected):
    assert negotiate_language(header, ["en", "zh", "ja"]) == expected
