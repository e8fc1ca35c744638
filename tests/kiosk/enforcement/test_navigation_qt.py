"""Navigation: only what the URL filter allows loads, in any frame; the exam never leaves."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from PyQt6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.platform.qt import QObject, QUrl, QWebEnginePage, pyqtSlot
from tests.support.server import ReportServer

Make = Callable[..., KioskApp]


@pytest.fixture
def make(make_kiosk: Make) -> Make:
    def build(url: str, rules: list[dict[str, Any]] | None = None) -> KioskApp:
        config = KioskConfig.model_validate({"policy": {"url_filter": rules or []}})
        return make_kiosk(url, config)

    return build


def of_type(server: ReportServer, run: str, kind: str) -> list[dict[str, Any]]:
    return [r for r in server.reports_of(run) if r["type"] == kind]


def refused(app: KioskApp) -> list[tuple[str, dict[str, Any]]]:
    return [
        (policy, d) for _, policy, decision, d in app.record.decisions() if decision == "refused"
    ]


def top_refusals(app: KioskApp) -> list[dict[str, Any]]:
    return [d for p, d in refused(app) if p == "navigation" and d["frame"] == "top frame"]


def test_every_navigation_type_qt_knows_reaches_the_filter() -> None:
    """acceptNavigationRequest decides by URL and frame, whatever the type: a new type in a
    future Qt is decided the same way, and this list shows it was looked at."""
    assert {m.name for m in QWebEnginePage.NavigationType} == {
        "NavigationTypeLinkClicked",
        "NavigationTypeTyped",
        "NavigationTypeFormSubmitted",
        "NavigationTypeBackForward",
        "NavigationTypeReload",
        "NavigationTypeRedirect",
        "NavigationTypeOther",
    }


OUT_OF_THE_EXAM = [
    "http://localhost:{port}/second.html",
    "file:///etc/passwd",
    "data:text/html,<h1>not the exam</h1>",
    "view-source:http://127.0.0.1:{port}/outside.html",
]


@pytest.mark.expect_log(r"kiosk.bridge: bridge hello from .* ignored: not the exam origin")
@pytest.mark.parametrize("target", OUT_OF_THE_EXAM)
def test_the_kiosk_refuses_to_load_anything_outside_the_exam(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str, target: str
) -> None:
    """A navigation the browser itself starts (typed, a launcher): the URL filter decides."""
    app = make(server.url(f"outside.html?run={run_id}"))
    qtbot.waitUntil(lambda: bool(of_type(server, run_id, "loaded")), timeout=20_000)
    exam = app.window.page.url().toString()
    app.window.view.load(QUrl(target.format(port=server.port)))
    qtbot.waitUntil(lambda: bool(top_refusals(app)), timeout=10_000)
    assert top_refusals(app)[0]["rule"] in ("no rule matched", "scheme refused")
    qtbot.waitUntil(lambda: app.window.page.url().toString() == exam)
    assert app.window.notice.isVisible()
    assert "outside this exam" in app.window.notice.text()


@pytest.mark.parametrize("target", OUT_OF_THE_EXAM[:1])
def test_a_page_script_cannot_take_the_exam_elsewhere(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str, target: str
) -> None:
    """The page's own location change to another origin: the URL filter refuses it and the
    exam page stays. (Chromium itself refuses renderer-initiated file:, data: and view-source:
    top-level navigations before the kiosk is asked; driving those from a page script, many
    kiosks into one test process, has crashed QtWebEngine, so the suite does not.)"""
    app = make(server.url(f"outside.html?run={run_id}"))
    qtbot.waitUntil(lambda: bool(of_type(server, run_id, "loaded")), timeout=20_000)
    exam = app.window.page.url().toString()
    url = target.format(port=server.port)
    with qtbot.assertNotEmitted(app.window.page.loadStarted, wait=1500):
        app.window.page.runJavaScript(f"location.href = {json.dumps(url)}")
    assert app.window.page.url().toString() == exam
    if url.startswith("http"):  # the engine let it through to the kiosk, which refused it
        assert [d["url"] for d in top_refusals(app)] == [url]


@pytest.mark.expect_log(r"kiosk.app: the exam page did not load")
def test_foreign_subframes_images_and_forms_do_not_load(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    app = make(server.url(f"outside.html?run={run_id}"))
    qtbot.waitUntil(
        lambda: bool(of_type(server, run_id, "image") and of_type(server, run_id, "own-image")),
        timeout=20_000,
    )
    assert of_type(server, run_id, "own-image")[0]["loaded"] is True
    assert of_type(server, run_id, "image")[0]["loaded"] is False
    app.window.page.runJavaScript("submitForeign()")
    qtbot.waitUntil(lambda: bool(top_refusals(app)), timeout=10_000)
    urls = [d["url"] for _, d in refused(app)]
    assert any("localhost" in u and "pixel.png" in u for u in urls)
    assert any("localhost" in u and "via=iframe" in u for u in urls)
    assert of_type(server, run_id, "loaded") == [{"type": "loaded", "page": "outside"}]
    foreign_posts = [r for r in server.reports_of(run_id) if r.get("type") is None]
    assert foreign_posts == []  # the form never reached the foreign origin


def test_an_allow_rule_opens_the_way(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    app = make(
        server.url(f"outside.html?run={run_id}"),
        [{"expression": f"localhost/{path}", "action": "allow"}
         for path in ("second.html", "pixel.png", "report.js", "report")],
    )  # fmt: skip
    qtbot.waitUntil(lambda: bool(of_type(server, run_id, "image")), timeout=20_000)
    assert of_type(server, run_id, "image")[0]["loaded"] is True
    qtbot.waitUntil(
        lambda: any(r.get("via") == "iframe" for r in of_type(server, run_id, "loaded"))
    )
    assert not any("pixel.png" in d["url"] for _, d in refused(app))


def test_a_block_rule_beats_the_exam_origin(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    app = make(
        server.url(f"outside.html?run={run_id}"),
        [{"expression": "127.0.0.1/second.html", "action": "block"}],
    )
    qtbot.waitUntil(lambda: bool(of_type(server, run_id, "loaded")), timeout=20_000)
    app.window.page.runJavaScript(f"location.href = 'second.html?run={run_id}&via=link'")
    qtbot.waitUntil(lambda: bool(top_refusals(app)), timeout=10_000)
    assert "outside.html" in app.window.page.url().toString()


@pytest.mark.expect_log(r"kiosk.app: the exam page did not load")
def test_events_still_reach_the_page_after_a_refused_navigation(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    """A refused link keeps the current document: the bridge must keep delivering to it."""
    steps = "setup,gotohttp://localhost:{port}/second.html,sleep500,start,stop"
    app = make(server.exam_url(run_id, steps.format(port=server.port)))
    qtbot.waitUntil(
        lambda: any(r["type"] == "steps-done" for r in server.reports_of(run_id)),
        timeout=20_000,
    )
    assert top_refusals(app)
    names = [r["name"] for r in server.reports_of(run_id) if r["type"] == "event"]
    assert names[-2:] == ["apMonitoringStarted", "apMonitoringStopped"]
    assert app.bridge.pending == 0


class _Desktop(QObject):
    """Stands where the desktop's handler for a scheme would be: what reaches it would have
    left the kiosk for another application."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @pyqtSlot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


APPLICATION_LINKS = ["mailto:teacher@example.org", "x-kiosk-test-app://open", "tel:+100"]


def test_links_to_other_applications_are_refused_and_recorded(
    make: Make, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    """Clicked or scripted, a link the engine would hand to the desktop (which opens a mail
    client, a dialer, any installed app over the exam) is refused, and the attempt is on the
    record; the exam page stays, and its load is not mistaken for a failure."""
    desktop = _Desktop()
    for link in APPLICATION_LINKS:
        QDesktopServices.setUrlHandler(link.partition(":")[0], desktop, "open")
    try:
        app = make(server.url(f"outside.html?run={run_id}"))
        qtbot.waitUntil(lambda: bool(of_type(server, run_id, "loaded")), timeout=20_000)
        exam = app.window.page.url().toString()
        for link in APPLICATION_LINKS:
            app.window.page.runJavaScript(f"location.href = {json.dumps(link)}")
        click = "const a = document.createElement('a'); a.href = 'mailto:x@y.z'; a.click();"
        app.window.page.runJavaScript(click)
        # the witness: a later http refusal proves every earlier navigation was decided
        app.window.page.runJavaScript(
            f"setTimeout(() => location.href = 'http://localhost:{server.port}/late', 200)"
        )
        qtbot.waitUntil(lambda: any("/late" in d["url"] for d in top_refusals(app)), timeout=10_000)
    finally:
        for link in APPLICATION_LINKS:
            QDesktopServices.unsetUrlHandler(link.partition(":")[0])
    urls = [d["url"] for d in top_refusals(app)]
    assert {*APPLICATION_LINKS, "mailto:x@y.z"} <= set(urls)
    assert all(d["rule"] == "scheme refused" for d in top_refusals(app) if "/late" not in d["url"])
    assert desktop.opened == []
    assert app.window.page.url().toString() == exam
