"""``kiosk seb inspect``: files and links, keys, the password, and every failure a clear line."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from kiosk.launch.seb.containers import MAX_BYTES, SebFileError
from kiosk.launch.seb.fetch import fetch
from kiosk.launch.seb_inspect import inspect, read_source, terminal_password
from kiosk.platform.errors import UsageError
from tests.support.blocking import refusal_within
from tests.support.paths import SEB_FILES
from tests.support.process import run_cli
from tests.support.web import Answer, serving

SIMPLE = "9e5b8d83ef8be09976c5826625e59334c47f7c70b063a675c0f143474dcf435a"
MAC = "4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292"
SEB_TYPE = {"Content-Type": "application/seb"}
HTML = {"Content-Type": "text/html"}


def no_password(left: int) -> str | None:
    return None


def test_a_file_is_inspected_with_its_keys_and_every_key_accounted_for() -> None:
    found = inspect(str(SEB_FILES / "simpleunencrypted.seb"), no_password)
    summary = found.as_json()
    assert summary["config_key"] == SIMPLE and len(summary["browser_exam_key"]) == 64
    assert summary["start_url"] == "https://safeexambrowser.org/start"
    assert set(summary["applied"]) | set(summary["unsupported"]) >= set(found.settings)
    text = found.as_text()
    assert f"Config Key: {SIMPLE}" in text and "unsupported (11):" in text


def test_a_link_is_fetched_and_read_whatever_its_container() -> None:
    plnd = (SEB_FILES / "plnd-simple.seb").read_bytes()
    routes = {
        "/quiz/config.php?cmid=7": Answer(plnd, 200, SEB_TYPE),
        "/plain.seb": Answer((SEB_FILES / "simpleunencrypted.seb").read_bytes()),
        "/redirect": Answer(b"", 302, {"Location": "/plain.seb"}),
    }  # fmt: skip
    with serving(routes) as host:
        for path in ("/quiz/config.php?cmid=7", "/plain.seb", "/redirect"):
            found = inspect(f"seb://{host}{path}", no_password)
            assert found.config_key == SIMPLE
        assert found.source == f"http://{host}/plain.seb"  # where the answer came from


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Answer(b"<html>Log in</html>", 200, HTML), "answers with a web page"),
        (Answer(b"<html>Log in</html>", 401, HTML), "401 text/html"),
        (Answer(b"", 302, {"Location": "file:///etc/passwd"}), "redirects to 'file:///etc/passwd'"),
        (Answer(b"", 302, {"Location": "ftp://x/"}), "redirects to 'ftp://x/', not to http"),
    ],
)
def test_a_link_that_serves_no_configuration_is_one_clear_line(answer: Answer, words: str) -> None:
    with serving({"/x": answer}) as host, pytest.raises(SebFileError, match=words):
        inspect(f"seb://{host}/x", no_password)


def test_an_unreachable_link_is_one_clear_line() -> None:
    with pytest.raises(SebFileError, match="cannot be fetched"):
        fetch("http://127.0.0.1:9/config.seb", timeout=5)


def test_a_web_page_answer_is_kept_for_the_kiosk_to_show() -> None:
    with serving(
        {"/login": Answer(b"<html>login</html>", 401, {"Content-Type": "text/html"})}
    ) as h:
        page = fetch(f"http://{h}/login")
    assert (page.status, page.content_type, page.is_configuration) == (401, "text/html", False)


def test_the_password_comes_from_a_pipe_once_or_from_the_terminal() -> None:
    ask, tries = terminal_password(io.StringIO("kiosk-fixture\n"))
    assert tries == 1 and ask(1) == "kiosk-fixture" and ask(1) is None
    found = inspect(str(SEB_FILES / "password-kiosk-fixture.seb"), *terminal_password(
        io.StringIO("kiosk-fixture\n")))  # fmt: skip
    assert found.config_key == SIMPLE


def test_a_missing_file_or_a_kiosk_link_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        read_source(str(tmp_path / "gone.seb"))
    with pytest.raises(UsageError, match="carries no configuration"):
        read_source("kiosk://exam.example.org/")
    with pytest.raises(UsageError, match=r"~nosuchuser/x\.seb: no such user's home folder"):
        read_source("~nosuchuser/x.seb")  # was a RuntimeError traceback


def test_the_command_prints_the_keys_and_takes_the_password_from_standard_input() -> None:
    done = run_cli("seb", "inspect", str(SEB_FILES / "unencrypted_mac_001.seb"), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (
        summary["config_key"] == "4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292"
    )
    assert {"browser_exam_key", "applied", "unsupported"} <= set(summary)
    secret = str(SEB_FILES / "password-kiosk-fixture.seb")
    done = run_cli("seb", "inspect", secret, stdin="kiosk-fixture\n")
    assert done.returncode == 0 and f"Config Key: {SIMPLE}" in done.stdout
    done = run_cli("seb", "inspect", secret, stdin="not it\n")
    assert done.returncode == 2
    assert done.stderr.strip() == "kiosk: error: the settings password is wrong"
    done = run_cli("seb", "inspect", str(SEB_FILES / "JSON_unencrypted_mac_001.txt"))
    assert done.returncode == 2 and "not a Safe Exam Browser configuration" in done.stderr


def test_a_fifo_a_device_or_a_huge_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "exam.seb"
    os.mkfifo(fifo)
    assert "it is a FIFO, not a regular file" in refusal_within(
        2, lambda: read_source(str(fifo)), fifo
    )
    assert "it is a device" in refusal_within(2, lambda: read_source("/dev/zero"))
    huge = tmp_path / "huge.seb"
    huge.write_bytes(b"<" * (MAX_BYTES + 1))
    assert "larger than 8 MB" in refusal_within(2, lambda: read_source(str(huge)))
