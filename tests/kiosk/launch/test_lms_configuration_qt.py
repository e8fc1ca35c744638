"""The configuration an LMS serves after its login page ends the run with that very file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.launch.lms_configuration import CONFIGURATION_FILE
from kiosk.launch.seb.fetch import named_as_configuration
from tests.support.paths import SEB_FILES
from tests.support.web import Answer, serving

Make = Callable[..., KioskApp]
SEB = (SEB_FILES / "plnd-simple.seb").read_bytes()
PAGE = Answer(b"<!doctype html><title>Log in</title><p>Log in", 200, {"Content-Type": "text/html"})
AS_FILE = {"Content-Type": "application/seb", "Content-Disposition": "attachment; filename=c.seb"}


@pytest.fixture
def lms() -> Iterator[tuple[str, dict[str, Any]]]:
    routes: dict[str, Any] = {
        "/login": PAGE,
        "/config.php": Answer(SEB, 200, AS_FILE),
        "/notes.pdf": Answer(
            b"%PDF-1.4",
            200,
            {"Content-Type": "application/pdf", "Content-Disposition": "attachment"},
        ),
        # the connection ends long before the promised length: the download fails
        "/cut.php": Answer(SEB[:40], 200, {**AS_FILE, "Content-Length": str(len(SEB))}),
    }
    with serving(routes) as host:
        yield f"http://{host}", routes


def decisions(app: KioskApp, policy: str) -> list[tuple[str, dict[str, Any]]]:
    return [(d, detail) for _, p, d, detail in app.record.decisions() if p == policy]


def go(app: KioskApp, url: str) -> None:
    app.window.page.runJavaScript(f"location.href = {json.dumps(url)}")


def opened(make_kiosk: Make, qtbot: QtBot, base: str) -> KioskApp:
    app = make_kiosk(f"{base}/login", awaiting_configuration=True)
    qtbot.waitUntil(lambda: app.window.page.title() == "Log in", timeout=20_000)
    return app


def test_the_configuration_download_ends_the_run_with_that_file(
    make_kiosk: Make, qtbot: QtBot, lms: tuple[str, dict[str, Any]]
) -> None:
    """As after Moodle's login, which sends the browser back to config.php."""
    base, _ = lms
    app = opened(make_kiosk, qtbot, base)
    go(app, f"{base}/config.php")
    qtbot.waitUntil(lambda: app.next_target is not None, timeout=10_000)
    assert app.next_target == str(app.folder / CONFIGURATION_FILE)
    assert Path(app.next_target).read_bytes() == SEB  # the very file the LMS served
    assert [d for d, _ in decisions(app, "download")] == [
        "the exam's configuration, from the LMS", "the exam's configuration arrived"]  # fmt: skip
    quits = decisions(app, "quit")
    assert quits and quits[0][0] == "allowed" and quits[0][1]["source"] == "reconfigure"


def test_a_seb_link_on_the_lms_page_is_followed_in_the_kiosk(
    make_kiosk: Make, qtbot: QtBot, lms: tuple[str, dict[str, Any]]
) -> None:
    """Moodle's "Launch Safe Exam Browser" button is a seb(s):// link: inside the kiosk it is
    fetched as http(s), with the login's cookies, instead of leaving for the desktop."""
    base, _ = lms
    app = opened(make_kiosk, qtbot, base)
    go(app, base.replace("http://", "seb://") + "/config.php")
    qtbot.waitUntil(lambda: app.next_target is not None, timeout=10_000)
    followed = decisions(app, "navigation")
    assert followed == [("configuration link followed", {"url": f"{base}/config.php"})]
    assert Path(app.next_target).read_bytes() == SEB


def test_other_downloads_meet_the_policy_and_a_failed_one_can_be_tried_again(
    make_kiosk: Make, qtbot: QtBot, lms: tuple[str, dict[str, Any]]
) -> None:
    base, _ = lms
    app = opened(make_kiosk, qtbot, base)
    go(app, f"{base}/notes.pdf")
    qtbot.waitUntil(lambda: bool(decisions(app, "download")), timeout=10_000)
    assert decisions(app, "download")[0][0] == "refused"  # downloads are off by default
    go(app, f"{base}/cut.php")
    qtbot.waitUntil(lambda: "could not be downloaded" in app.window.notice.text(), timeout=20_000)
    assert app.next_target is None
    tried = [d for d, _ in decisions(app, "download")][-2:]
    assert tried == [
        "the exam's configuration, from the LMS",
        "the exam's configuration did not arrive",
    ]
    go(app, f"{base}/config.php")  # the student tries again
    qtbot.waitUntil(lambda: app.next_target is not None, timeout=10_000)
    assert Path(app.next_target).read_bytes() == SEB


def test_a_seb_link_on_an_exam_page_is_refused(
    make_kiosk: Make, qtbot: QtBot, lms: tuple[str, dict[str, Any]]
) -> None:
    """Not waiting for a configuration (the exam is running): the URL filter decides, and a
    configuration download is only a download."""
    base, _ = lms
    app = make_kiosk(f"{base}/login")
    qtbot.waitUntil(lambda: app.window.page.title() == "Log in", timeout=20_000)
    go(app, base.replace("http://", "seb://") + "/config.php")
    go(app, f"{base}/config.php")
    qtbot.waitUntil(lambda: bool(decisions(app, "download")), timeout=10_000)
    assert decisions(app, "navigation")[0][1]["rule"] == "scheme refused"
    assert decisions(app, "download")[0][0] == "refused"
    assert app.next_target is None


@pytest.mark.parametrize(
    ("mime", "name", "taken"),
    [
        ("application/seb", "config.php", True),
        ("application/x-seb", "", True),
        ("application/octet-stream", "Exam.SEB", True),
        ("application/pdf", "notes.pdf", False),
        ("text/html", "seb.html", False),
    ],
)
def test_what_counts_as_a_configuration(mime: str, name: str, taken: bool) -> None:
    assert named_as_configuration(mime, name) is taken
