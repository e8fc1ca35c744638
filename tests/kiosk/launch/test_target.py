"""The command line's TARGET: what the kiosk accepts to open, and the clear error otherwise."""

from __future__ import annotations

import pytest

from kiosk.launch.target import check_target
from kiosk.platform.errors import UsageError

# -- the exam URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://x",
        "https://exam.example.org/quiz?id=3#q1",
        "HTTPS://Exam.Example.org",
        "http://127.0.0.1:8080/",
        "http://[::1]:8443/exam",
        "https://exam.example.org:443",
    ],
)
def test_check_target_accepts_http_and_https(url: str) -> None:
    assert check_target(url) == url


def test_check_target_strips_surrounding_whitespace() -> None:
    assert check_target("  https://exam.example.org/  ") == "https://exam.example.org/"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "file is not supported"),
        ("javascript:alert(1)", "javascript is not supported"),
        ("ftp://exam.example.org/", "ftp is not supported"),
        ("data:text/html,<p>x</p>", "data is not supported"),
        ("exam.example.org", "no scheme is not supported"),
        ("http://", "the URL has no host"),
        ("https:///path", "the URL has no host"),
        ("http://exam example.org/", "cannot contain spaces"),
        ("http://exam.example.org/a b", "cannot contain spaces"),
        ("http://exam.example.org:99999/", "the port is not a number"),
        ("http://exam.example.org:port/", "the port is not a number"),
    ],
)
def test_check_target_rejects(url: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_target(url)
    assert words in str(caught.value)
    assert repr(url) in str(caught.value)
    assert caught.value.exit_code == 2
