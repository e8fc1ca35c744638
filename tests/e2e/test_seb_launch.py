"""Launched from a SEB configuration, as an LMS launches Safe Exam Browser: the real kiosk
program against a local server that plays Moodle's part and admits the quiz only when each
request carries the right Config Key hash for its URL."""

from __future__ import annotations

import base64
import hashlib
import json
import plistlib
import signal
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import KioskProcess
from tests.support.seb import encrypted
from tests.support.web import Answer, serving
from tests.support.xdo import wait_active, xdotool

Start = Callable[..., KioskProcess]
QUIZ = "/mod/quiz/view.php?id=7"
PASSWORD = "kiosk-fixture"
QUIT = "teacher-says-done"


class StandIn:
    """The quiz's view.php: what it admitted and refused."""

    def __init__(self) -> None:
        self.admitted: list[str] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()
        self.key = ""
        self.base = ""

    def quiz(self, path: str, headers: dict[str, str]) -> Answer:
        url = self.base + path
        expected = hashlib.sha256((url + self.key).encode()).hexdigest()
        with self.lock:
            if headers.get("X-SafeExamBrowser-ConfigKeyHash") != expected:
                self.refused.append(path)
                return Answer(b"<h1>This quiz requires Safe Exam Browser</h1>", 403)
            self.admitted.append(path)
        page = b"<!doctype html><title>quiz</title><h1>Question 1</h1>"
        return Answer(page, 200, {"Content-Type": "text/html"})


def configuration(base: str) -> tuple[bytes, str]:
    """A .seb as Moodle serves it, and its Config Key computed here, independently: with these
    keys (all lower-case first letters, no two alike but for case) SEB-JSON is plain sorted
    compact JSON."""
    settings = {
        "startURL": base + QUIZ,
        "sendBrowserExamKey": True,
        "allowQuit": True,
        "quitURL": base + "/done",
        "browserWindowAllowReload": False,
    }
    text = json.dumps(dict(sorted(settings.items())), separators=(",", ":"))
    return plistlib.dumps(settings), hashlib.sha256(text.encode()).hexdigest()


def run_through(kiosk: Start, tmp_path: Path, data: bytes, stand_in: StandIn, host: str,
                password: list[str] | None = None) -> KioskProcess:  # fmt: skip
    path = tmp_path / "exam.seb"
    path.write_bytes(data)
    proc = kiosk(str(path))
    title = "kiosk: the exam's settings password"
    for i, typed in enumerate(password or []):
        wait_active(title if i == 0 else f"{title} (wrong; {3 - i} tries left)", timeout=30)
        xdotool("type", "--delay", "20", typed)
        xdotool("key", "Return")
    return proc


def wait_admitted(stand_in: StandIn, proc: KioskProcess, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not stand_in.admitted:
        assert proc.proc.poll() is None, proc.stderr()
        assert time.monotonic() < deadline, (stand_in.refused, proc.stderr()[-2000:])
        time.sleep(0.05)


def test_moodle_admits_the_quiz_the_kiosk_opens_from_its_seb_file(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    stand_in = StandIn()
    with serving({QUIZ: stand_in.quiz}) as host:
        stand_in.base = f"http://{host}"
        data, stand_in.key = configuration(stand_in.base)
        proc = run_through(kiosk, tmp_path, data, stand_in, host)
        wait_admitted(stand_in, proc)
        proc.signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert stand_in.refused == []
    _, meta = proc.record()
    assert meta["seb"]["config_key"] == stand_in.key
    assert meta["url"] == stand_in.base + QUIZ
    assert "browserWindowAllowReload" in meta["seb"]["applied"]


def test_an_encrypted_configuration_asks_for_its_password_and_moodle_admits_the_quiz(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    stand_in = StandIn()
    with serving({QUIZ: stand_in.quiz}) as host:
        stand_in.base = f"http://{host}"
        plain, stand_in.key = configuration(stand_in.base)
        data = encrypted(plain, PASSWORD)
        proc = run_through(kiosk, tmp_path, data, stand_in, host, ["not it", PASSWORD])
        wait_admitted(stand_in, proc)
        proc.signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert stand_in.refused == []
    _, meta = proc.record()
    assert meta["seb"]["config_key"] == stand_in.key  # the key of the decrypted settings


def test_cancelling_the_password_dialog_ends_with_one_clear_line(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    data = encrypted(plistlib.dumps({"startURL": "http://127.0.0.1:9/quiz"}), PASSWORD)
    proc = run_through(kiosk, tmp_path, data, StandIn(), "")
    wait_active("kiosk: the exam's settings password", timeout=30)
    xdotool("key", "Escape")
    assert proc.wait(15) == 2
    assert proc.stderr().strip().splitlines()[-1] == (
        "kiosk: error: the settings password was not given: nothing started"
    )


def test_the_url_filter_and_the_quit_url_of_the_configuration_are_enforced(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    """The quiz tries a page its filter blocks, then reaches the quit URL: the kiosk refuses
    the one and quits at the other, by itself."""
    page = (
        b"<!doctype html><title>quiz</title><script>"
        b"setTimeout(() => location.href = '/forum', 300);"
        b"setTimeout(() => location.href = '/done', 1500);</script>"
    )
    routes = {
        QUIZ: Answer(page, 200, {"Content-Type": "text/html"}),
        "/forum": Answer(b"<h1>forum</h1>", 200, {"Content-Type": "text/html"}),
        "/done": Answer(b"<h1>done</h1>", 200, {"Content-Type": "text/html"}),
    }
    with serving(routes) as host:
        base = f"http://{host}"
        settings = {
            "startURL": base + QUIZ,
            "quitURL": base + "/done",
            "URLFilterEnable": True,
            "URLFilterRules": [
                {"action": 0, "active": True, "expression": f"{host}/forum", "regex": False},
                {"action": 1, "active": True, "expression": host, "regex": False},
            ],
        }
        proc = run_through(kiosk, tmp_path, plistlib.dumps(settings), StandIn(), host)
        assert proc.wait(30) == 0, proc.stderr()[-2000:]
    decisions = proc.decisions()
    refused = [d for d in decisions if d[:2] == ("navigation", "refused")]
    assert refused and refused[0][2]["url"] == base + "/forum"
    assert refused[0][2]["rule"] == f"{host}/forum"
    quit_ = [d for d in decisions if d[0] == "quit"]
    assert quit_ and quit_[0][1] == "allowed" and quit_[0][2]["source"] == "quit_url"


def wait_monitoring(proc: KioskProcess, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while "apMonitoringStarted" not in [e["name"] for e in proc.record()[0]]:
        assert proc.proc.poll() is None, proc.stderr()
        assert time.monotonic() < deadline, proc.stderr()[-2000:]
        time.sleep(0.05)
    wait_active("kiosk")


def quit_decisions(proc: KioskProcess, count: int) -> list[Any]:
    import time

    deadline = time.monotonic() + 10
    while len(found := [d for d in proc.decisions() if d[0] == "quit"]) < count:
        assert time.monotonic() < deadline, proc.decisions()
        time.sleep(0.05)
    return found


def test_the_quit_password_of_the_configuration_guards_the_running_quiz(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    """The quiz runs as an exam from its first page (Moodle's page calls no proctoring API):
    Alt+F4 asks for the .seb's quit password; a wrong one keeps the quiz, the right one ends
    it cleanly."""
    page = Answer(b"<!doctype html><title>quiz</title><h1>Q1</h1>", 200,
                  {"Content-Type": "text/html"})  # fmt: skip
    with serving({QUIZ: page}) as host:
        settings = {"startURL": f"http://{host}{QUIZ}", "allowQuit": True,
                    "hashedQuitPassword": hashlib.sha256(QUIT.encode()).hexdigest()}  # fmt: skip
        proc = run_through(kiosk, tmp_path, plistlib.dumps(settings), StandIn(), host)
        wait_monitoring(proc)
        xdotool("key", "alt+F4")
        wait_active("kiosk: quit")
        xdotool("type", "--delay", "20", "guess")
        xdotool("key", "Return")
        assert quit_decisions(proc, 1)[0][1] == "refused: wrong quit password"
        assert proc.proc.poll() is None
        wait_active("kiosk")
        xdotool("key", "alt+F4")
        wait_active("kiosk: quit")
        xdotool("type", "--delay", "20", QUIT)
        xdotool("key", "Return")
        assert proc.wait(15) == 0, proc.stderr()[-2000:]
    assert quit_decisions(proc, 2)[1][1] == "allowed: quit password given"
    assert [e["name"] for e in proc.record()[0]][-1] == "apMonitoringStopped"


def test_a_configuration_that_forbids_quitting_keeps_the_quiz_open(
    kiosk: Start, tmp_path: Path, display: object
) -> None:
    page = Answer(b"<!doctype html><title>quiz</title><h1>Q1</h1>", 200,
                  {"Content-Type": "text/html"})  # fmt: skip
    with serving({QUIZ: page}) as host:
        settings = {"startURL": f"http://{host}{QUIZ}", "allowQuit": False,
                    "hashedQuitPassword": hashlib.sha256(b"ignored").hexdigest()}  # fmt: skip
        proc = run_through(kiosk, tmp_path, plistlib.dumps(settings), StandIn(), host)
        wait_monitoring(proc)
        xdotool("key", "alt+F4")
        refused = quit_decisions(proc, 1)[0]
        assert refused[1] == "refused" and refused[2]["source"] == "window"  # no dialog at all
        assert proc.proc.poll() is None
        proc.signal(signal.SIGTERM)  # the administrator's way out
        assert proc.wait(15) == 0


CONFIG = "/mod/quiz/accessrule/seb/config.php?cmid=7"
LOGIN = "/login/index.php"


def meta(session: Path) -> dict[str, Any]:
    db = sqlite3.connect(session / "record.sqlite3")
    try:
        return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    finally:
        db.close()


def decisions(session: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(session / "record.sqlite3")
    try:
        return list(db.execute("SELECT policy, decision FROM decisions ORDER BY rowid"))
    finally:
        db.close()


@pytest.mark.parametrize("back", ["redirect", "seb link"])
def test_a_seb_link_behind_the_lms_login_opens_the_login_then_the_quiz(
    kiosk: Start, display: object, back: str
) -> None:
    """As Moodle's "Launch Safe Exam Browser" link for a student not logged in: config.php
    sends the kiosk to the login page; after the login the LMS serves the configuration (by
    its redirect back to config.php, or a seb:// link on its page), and the quiz opens with
    the keys of that configuration."""
    stand_in = StandIn()
    served: dict[str, bytes] = {}

    def config(path: str, headers: dict[str, str]) -> Answer:
        if "MoodleSession=in" not in headers.get("Cookie", ""):
            return Answer(b"", 303, {"Location": LOGIN})
        kind = {"Content-Type": "application/seb",
                "Content-Disposition": 'attachment; filename="config.seb"'}  # fmt: skip
        return Answer(served["seb"], 200, kind)

    routes: dict[str, Any] = {CONFIG: config, QUIZ: stand_in.quiz}
    with serving(routes) as host:
        stand_in.base = f"http://{host}"
        served["seb"], stand_in.key = configuration(stand_in.base)
        there = f"{stand_in.base}{CONFIG}" if back == "redirect" else f"seb://{host}{CONFIG}"
        login = (  # the student logs in; the page sets the session cookie and goes on
            "<!doctype html><title>Log in</title><script>"
            "document.cookie = 'MoodleSession=in; path=/';"
            f"setTimeout(() => location.href = {json.dumps(there)}, 200);</script>"
        )
        routes[LOGIN] = Answer(login.encode(), 200, {"Content-Type": "text/html"})
        proc = kiosk(f"seb://{host}{CONFIG}")
        wait_admitted(stand_in, proc)
        proc.signal(signal.SIGTERM)
        assert proc.wait(15) == 0, proc.stderr()
    assert stand_in.refused == []
    # the login's run, then the exam's (two runs within a second: ordered by their records)
    first, second = sorted(
        (proc.data_dir / "sessions").glob("*/"), key=lambda f: meta(f)["launched_at"]
    )
    assert (first / "lms-configuration.seb").read_bytes() == served["seb"]
    assert ("quit", "allowed") in decisions(first)
    assert "seb" not in meta(first)
    assert meta(second)["seb"]["config_key"] == stand_in.key
    assert meta(second)["url"] == stand_in.base + QUIZ


def test_a_seb_link_behind_http_authentication_asks_the_login_in_the_kiosk(
    kiosk: Start, display: object
) -> None:
    """A configuration behind the web server's own login (a 401): the kiosk asks for it in its
    own dialog, typed here with xdotool, and the quiz opens from the file served after it."""
    stand_in = StandIn()
    served: dict[str, bytes] = {}
    good = "Basic " + base64.b64encode(b"student:s3cret").decode()

    def config(path: str, headers: dict[str, str]) -> Answer:
        if headers.get("Authorization") != good:
            return Answer(b"<h1>401</h1>", 401, {"WWW-Authenticate": 'Basic realm="LMS"',
                                                 "Content-Type": "text/html"})  # fmt: skip
        return Answer(served["seb"], 200, {"Content-Type": "application/seb"})

    with serving({CONFIG: config, QUIZ: stand_in.quiz}) as host:
        stand_in.base = f"http://{host}"
        served["seb"], stand_in.key = configuration(stand_in.base)
        proc = kiosk(f"seb://{host}{CONFIG}")
        wait_active(f"kiosk: log in to {host}", timeout=30)
        xdotool("type", "--delay", "20", "student")
        xdotool("key", "Tab")
        xdotool("type", "--delay", "20", "s3cret")
        xdotool("key", "Return")
        wait_admitted(stand_in, proc)
        proc.signal(signal.SIGTERM)
        assert proc.wait(15) == 0, proc.stderr()
    first, _ = sorted((proc.data_dir / "sessions").glob("*/"), key=lambda f: meta(f)["launched_at"])
    assert ("authentication", "credentials given") in decisions(first)
