"""The command line's TARGET: what the kiosk accepts to open, and the clear error otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.launch.target import Target, check_target, parse_target
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


# -- links and files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "kind", "url"),
    [
        ("seb://moodle.example.org/mod/quiz/config.php?cmid=7", "seb",
         "http://moodle.example.org/mod/quiz/config.php?cmid=7"),
        ("sebs://moodle.example.org/x.seb", "seb", "https://moodle.example.org/x.seb"),
        ("kiosk://exam.example.org:8080/quiz", "kiosk", "http://exam.example.org:8080/quiz"),
        ("KIOSKS://exam.example.org/quiz", "kiosk", "https://exam.example.org/quiz"),
    ],
)  # fmt: skip
def test_a_link_stands_for_an_http_url(link: str, kind: str, url: str) -> None:
    target = parse_target(link)
    assert (target.kind, target.url) == (kind, url)


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("sebs://teacher:secret@moodle.example.org/x", "carries credentials"),
        ("sebs://@moodle.example.org/x", "carries credentials"),
        ("kiosk://exam.example.org/a\nb", "spaces or control characters"),
        ("kiosk://exam.example.org/a b", "spaces or control characters"),
        ("kiosk://exam.example.org/\x00", "spaces or control characters"),
        ("kiosks://" + "a" * 100_000, "characters long"),
        ("kiosk:javascript:alert(1)", "has no host"),
        ("seb:file:///etc/passwd", "has no host"),
        ("kiosk:///etc/passwd", "the URL has no host"),
        ("sebs://moodle.example.org:70000/", "the port is not a number"),
    ],
)
def test_a_hostile_link_is_one_clear_line(link: str, words: str) -> None:
    with pytest.raises(UsageError, match=words) as caught:
        parse_target(link)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_a_seb_file_is_a_target_and_a_missing_one_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "exam.seb"
    path.write_bytes(b"<?xml")
    assert parse_target(str(path)) == Target("file", path=path.resolve())
    assert parse_target(path.as_uri()) == Target("file", path=path.resolve())
    with pytest.raises(UsageError, match="file is not supported"):
        parse_target("file:///etc/passwd")
    with pytest.raises(UsageError, match="no such configuration file"):
        parse_target(str(tmp_path / "gone.seb"))


def test_anything_else_says_what_a_target_may_be() -> None:
    with pytest.raises(UsageError, match=r"seb://, sebs://, kiosk:// or kiosks:// link"):
        parse_target("ftp://exam.example.org/")
