"""The exam's web origin, spelled as window.location.origin spells it."""

from __future__ import annotations

import pytest

from bridge.origin import origin_of

# -- origins --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://exam.example.org/quiz?x=1#y", "http://exam.example.org"),
        ("http://exam.example.org:80/", "http://exam.example.org"),
        ("https://exam.example.org:443/", "https://exam.example.org"),
        ("https://exam.example.org:8443/", "https://exam.example.org:8443"),
        ("http://exam.example.org:443/", "http://exam.example.org:443"),
        ("https://exam.example.org:80/", "https://exam.example.org:80"),
        ("HTTPS://Exam.Example.ORG/", "https://exam.example.org"),
        ("http://user:pw@exam.example.org:8080/", "http://exam.example.org:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("http://[::1]/", "http://[::1]"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        # An internationalised host: location.origin spells it in punycode, so must we.
        ("https://Bücher.example/quiz", "https://xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example:8443/", "https://xn--bcher-kva.example:8443"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "about:blank",
        "data:text/html,x",
        "javascript:alert(1)",
        "ftp://exam.example.org/",
        "http://",
        "",
        "http://exam.example.org:99999/",
    ],
)
def test_origin_of_non_http_is_null(url: str) -> None:
    assert origin_of(url) == "null"
