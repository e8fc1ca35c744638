"""The command line's TARGET: what the kiosk accepts to open, and the clear error otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.launch.target import MAX_URL, Target, check_target, parse_target
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
        ("http://[::1/exam", "the host is not a valid name or address"),
        ("http://[::1]x/exam", "the host is not a valid name or address"),
        ("https://[not-ipv6]/exam", "the host is not a valid name or address"),
        ("http://exam.example.org\\evil/", "the host is not a valid name or address"),
        ("http://%65xam.example.org/", "the host is not a valid name or address"),
        ("http://student:pw@exam.example.org/", "carries credentials"),
        ("http://student@exam.example.org/", "carries credentials"),
        ("https://@exam.example.org/", "carries credentials"),
        ("http://exam.example.org/\x00", "spaces or control characters"),
        ("http://exam.example.org/\x7f", "spaces or control characters"),
        ("http://exam.example.org/\u202e", "spaces or control characters"),
        ("http://exam.example.org/?q=" + "a" * 100_000, "characters long"),
    ],
)
def test_check_target_rejects(url: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_target(url)
    assert words in str(caught.value)
    message = str(caught.value)
    if "@" in url:  # what sits before the @ is never shown: it may be a password
        assert "student" not in message and ":pw" not in message
    elif len(url) <= MAX_URL:  # a longer one is not shown at all: it could hold anything
        assert repr(url) in message
    assert "\n" not in message and len(message) < 300
    assert caught.value.exit_code == 2


def test_a_url_of_exactly_the_limit_passes() -> None:
    base = "https://exam.example.org/?q="
    url = base + "a" * (MAX_URL - len(base))
    assert check_target(url) == url
    with pytest.raises(UsageError, match="characters long"):
        check_target(url + "a")


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
        ("kiosk://[::1/exam", "the host is not a valid name or address"),
        ("sebs://[::1/x.seb", "the host is not a valid name or address"),
        ("file://[::1/exam.seb", "not a valid file:// URL"),
        ("/" + "x" * 5000 + ".seb", "no such configuration file"),
        ("~nosuchuser/exam.seb", "no such user's home folder"),  # was a RuntimeError
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
    os.mkfifo(tmp_path / "fifo.seb")
    (tmp_path / "folder.seb").mkdir()
    for odd in ("fifo.seb", "folder.seb"):
        with pytest.raises(UsageError, match="not a regular file"):
            parse_target(str(tmp_path / odd))


def test_anything_else_says_what_a_target_may_be() -> None:
    with pytest.raises(UsageError, match=r"seb://, sebs://, kiosk:// or kiosks:// link"):
        parse_target("ftp://exam.example.org/")
