"""A site's HTTP login (a 401) is asked in the kiosk's own dialog; cancelling shows its 401."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.platform.qt import QApplication, QTimer
from kiosk.ui.login_dialog import TITLE, LoginDialog
from tests.support.web import Answer, serving

Make = Callable[..., KioskApp]
GOOD = "Basic " + base64.b64encode(b"student:s3cret").decode()


def protected(path: str, headers: dict[str, str]) -> Answer:
    if headers.get("Authorization") == GOOD:
        return Answer(b"<title>inside</title>in", 200, {"Content-Type": "text/html"})
    ask = {"WWW-Authenticate": 'Basic realm="School LMS"', "Content-Type": "text/html"}
    return Answer(b"<title>401</title>no", 401, ask)


@pytest.fixture
def site() -> Iterator[str]:
    with serving({"/quiz": protected}) as host:
        yield host


Answer_ = Callable[[list[str], Callable[[LoginDialog], None]], None]


@pytest.fixture
def answer_dialog() -> Iterator[Answer_]:
    """Answers every login dialog once it is up (it runs a loop of its own), until the test
    ends."""
    live = [True]

    def start(seen: list[str], fill: Callable[[LoginDialog], None]) -> None:
        def look() -> None:
            if not live[0]:
                return
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, LoginDialog) and dialog.isVisible():
                seen.append(dialog.windowTitle())
                fill(dialog)
            QTimer.singleShot(20, look)

        QTimer.singleShot(20, look)

    yield start
    live[0] = False


def decided(app: KioskApp) -> list[tuple[str, dict[str, Any]]]:
    return [(d, x) for _, p, d, x in app.record.decisions() if p == "authentication"]


def test_the_login_typed_into_the_kiosk_s_dialog_opens_the_site(
    make_kiosk: Make, qtbot: QtBot, site: str, answer_dialog: Answer_
) -> None:
    seen: list[str] = []

    def fill(dialog: LoginDialog) -> None:
        dialog.user.setText("student")
        dialog.password.setText("s3cret")
        dialog.accept()

    answer_dialog(seen, fill)
    app = make_kiosk(f"http://{site}/quiz")
    qtbot.waitUntil(lambda: app.window.page.title() == "inside", timeout=20_000)
    assert seen == [f"{TITLE} {site}"]
    assert decided(app) == [("credentials given", {
        "url": f"http://{site}/quiz", "realm": "School LMS", "user": "student"})]  # fmt: skip


@pytest.mark.expect_log(r"kiosk.app: the exam page did not load: .*/quiz")
def test_cancelling_the_login_shows_the_site_s_own_answer(
    make_kiosk: Make, qtbot: QtBot, site: str, answer_dialog: Answer_
) -> None:
    seen: list[str] = []
    answer_dialog(seen, lambda dialog: dialog.reject())
    app = make_kiosk(f"http://{site}/quiz")
    qtbot.waitUntil(lambda: bool(decided(app)), timeout=20_000)
    assert decided(app)[0][0] == "cancelled"
    qtbot.waitUntil(lambda: app.window.page.title() == "401", timeout=10_000)
    assert seen == [f"{TITLE} {site}"]
