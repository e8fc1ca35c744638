"""The bridge in a real QWebEngineView: the injected API, every event's detail, call order.

These drive a real KioskApp (window, profile, bridge, session, record) inside pytest-qt's
QApplication; the exam pages run in the real Chromium and report to a real local server.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from detectors.sources import CameraSource
from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.platform.qt import QUrl
from kiosk.session.lifecycle import State
from tests.support.server import ReportServer, event_names, events

Factory = Callable[..., KioskApp]
# Another origin on the same test server (a different host name): allowed by the URL filter
# for the tests that prove the API does not follow the page there.
ALLOW_LOCALHOST = KioskConfig.model_validate(
    {"policy": {"url_filter": [{"expression": "localhost", "action": "allow"}]}}
)
Waiter = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def wait(qtbot: QtBot, server: ReportServer) -> Waiter:
    """Waits for reports while Qt's loop runs (the page lives in this process)."""

    def waiter(run: str, predicate: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        qtbot.waitUntil(lambda: predicate(server.reports_of(run)), timeout=20_000)
        return server.reports_of(run)

    return waiter


def done(reports: list[dict[str, Any]]) -> bool:
    return any(r["type"] == "steps-done" for r in reports)


def results(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["step"]: r for r in reports if r["type"] == "result"}


def test_api_is_injected_before_page_scripts_and_nothing_privileged_leaks(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    make_kiosk(server.exam_url(run_id, ""))
    info = wait(run_id, lambda r: any(x["type"] == "info" for x in r))[0]
    assert info["first"] == {
        "autoproctor": "function",
        "qt": "undefined",
        "qwebchannel": "undefined",
    }


def test_full_lifecycle_reaches_page_listeners_in_order_with_documented_details(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    options = {"trackingOptions": {"tabSwitch": True, "forceDesktop": True}, "testDuration": 45}
    app = make_kiosk(server.exam_url(run_id, "setup,start,stop", options))
    reports = wait(run_id, done)
    assert event_names(reports) == [
        "apSuccessEvent:2001",
        "apSetupComplete",
        "apSetupCompleted",
        "apMonitoringStarted",
        "apMonitoringStopped",
    ]
    assert all(r["isCustom"] for r in events(reports))
    got = {r["name"]: r["detail"] for r in events(reports)}
    success = got["apSuccessEvent"]
    assert success["successCode"] == 2001
    assert success["message"] == "Browser and permission check completed and permission granted"
    assert isinstance(success["timestamp"], int)
    assert success["checks"]["browser"] == "passed"
    assert success["checks"]["camera"] == "not requested"
    assert success["checks"]["microphone"] == "not requested"
    assert got["apSetupComplete"] == got["apSetupCompleted"]
    assert got["apSetupComplete"]["testDuration"] == 45
    assert success["checks"]["lockdown"].startswith("not locked down")  # windowed here
    assert success["checks"]["screenCapture"] == "not requested"
    assert success["checks"]["monitors"] == 1
    stopped = got["apMonitoringStopped"]
    assert 0 <= stopped["trustScore"] <= 100
    assert isinstance(stopped["violations"], list)

    res = results(reports)
    assert res["setup"]["ok"] and res["start"]["ok"] and res["stop"]["ok"]
    assert res["stop"]["value"]["trustScore"] == stopped["trustScore"]
    assert res["stop"]["value"]["violations"] == stopped["violations"]
    assert app.session.state is State.STOPPED

    db = sqlite3.connect(app.record.path)
    rows = db.execute("SELECT name, dispatched FROM events ORDER BY seq").fetchall()
    assert [name for name, _ in rows] == [
        "apSuccessEvent",
        "apSetupComplete",
        "apMonitoringStarted",
        "apMonitoringStopped",
    ]
    assert all(dispatched is not None for _, dispatched in rows)
    ids = json.loads(db.execute("SELECT value FROM meta WHERE key='ids'").fetchone()[0])
    assert ids == {"clientId": "client-1", "testAttemptId": "attempt-1"}
    lines = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [x["event"] for x in lines] == [
        "apSuccessEvent",
        "apSetupComplete",
        "apSetupCompleted",
        "apMonitoringStarted",
        "apMonitoringStopped",
    ]
    assert all(isinstance(x["t"], float) for x in lines)
    assert lines[-1]["detail"] == stopped


@pytest.mark.parametrize(
    ("steps", "failing", "code", "words"),
    [
        ("start", "start", "INVALID_STATE", "before setup"),
        ("stop", "stop", "INVALID_STATE", "before start"),
        ("setup,setup", "setup", "INVALID_STATE", "already completed"),
        ("setup,start,start", "start", "INVALID_STATE", "already running"),
        ("setup,start,stop,stop", "stop", "INVALID_STATE", "ended"),
    ],
)
def test_calls_out_of_order_are_rejected_clearly(
    wait: Waiter,
    make_kiosk: Factory,
    server: ReportServer,
    run_id: str,
    steps: str,
    failing: str,
    code: str,
    words: str,
) -> None:
    make_kiosk(server.exam_url(run_id, steps))
    reports = wait(run_id, done)
    outcomes = [r for r in reports if r["type"] == "result"]
    last = outcomes[-1]
    assert last["step"] == failing
    assert not last["ok"]
    assert last["code"] == code
    assert words in last["message"]
    assert last["errName"] == "AutoProctorError"
    assert all(r["ok"] for r in outcomes[:-1])


def test_unknown_and_mistyped_options_are_rejected_and_setup_can_be_retried(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    app = make_kiosk(server.exam_url(run_id, "setup", {"trackingOptions": {"tabSwich": True}}))
    reports = wait(run_id, done)
    res = results(reports)["setup"]
    assert not res["ok"]
    assert res["code"] == "INVALID_OPTION"
    assert "tabSwich" in res["message"]
    assert events(reports) == []
    assert app.session.state is State.IDLE

    second = run_id + "-typed"
    app.window.view.load(
        QUrl(server.exam_url(second, "setup", {"trackingOptions": {"audio": "yes"}}))
    )
    res = results(wait(second, done))["setup"]
    assert res["code"] == "INVALID_OPTION"
    assert "audio" in res["message"]


def test_failing_setup_step_fires_its_error_event_and_rejects_with_the_code(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    config = KioskConfig.model_validate({"engine": {"minimum_chromium": 9999}})
    app = make_kiosk(server.exam_url(run_id, "setup"), config=config)
    reports = wait(run_id, done)
    assert event_names(reports) == ["apErrorEvent:4001"]
    detail = events(reports)[0]["detail"]
    assert detail["minimumChromium"] == 9999
    res = results(reports)["setup"]
    assert (res["ok"], res["code"]) == (False, 4001)
    assert app.session.state is State.IDLE


def test_constructor_rejects_unknown_keys(
    wait: Waiter, make_kiosk: Factory, qtbot: QtBot, server: ReportServer, run_id: str
) -> None:
    app = make_kiosk(server.exam_url(run_id, ""))
    wait(run_id, done)
    box: list[Any] = []
    app.window.page.runJavaScript(
        "(() => { try { new AutoProctor({clientID: 'x'}); return 'built'; }"
        " catch (e) { return e.name + ': ' + e.message; } })()",
        0,
        box.append,
    )
    qtbot.waitUntil(lambda: bool(box))
    assert box[0].startswith("TypeError: AutoProctor: unknown option 'clientID'")


def test_subframes_and_other_origins_get_no_api(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    make_kiosk(server.url(f"frames.html?run={run_id}"), config=ALLOW_LOCALHOST)
    reports = wait(run_id, lambda r: sum(x["type"] == "frame" for x in r) == 2)
    top = next(r for r in reports if r["type"] == "top")
    assert top["autoproctor"] == "function"
    frames = {r["seen"]["origin"]: r["seen"] for r in reports if r["type"] == "frame"}
    assert set(frames) == {f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"}
    for seen in frames.values():
        assert seen["autoproctor"] == "undefined"
        assert seen["qt"] == "undefined"


def test_top_frame_of_another_origin_gets_no_api(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    app = make_kiosk(server.exam_url(run_id, ""), config=ALLOW_LOCALHOST)
    wait(run_id, done)
    other = run_id + "-other"
    elsewhere = server.exam_url(other, "setup").replace("127.0.0.1", "localhost")
    with qtbot.waitSignal(app.window.page.loadFinished, timeout=10_000):
        app.window.page.runJavaScript(f"location.href = {json.dumps(elsewhere)}")
    info = wait(other, lambda r: any(x["type"] == "info" for x in r))
    assert info[0]["first"]["autoproctor"] == "undefined"


def test_a_malformed_bridge_request_is_answered_and_the_kiosk_keeps_working(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str, qtbot: QtBot
) -> None:
    app = make_kiosk(server.exam_url(run_id, ""))
    wait(run_id, done)
    box: list[Any] = []
    app.window.page.runJavaScript(
        """
        window.__answers = [];
        window.addEventListener('__kioskResponse', (e) => window.__answers.push(e.detail));
        window.dispatchEvent(new CustomEvent('__kioskRequest',
            {detail: {id: 'x1', method: 'setup', args: '{not json'}}));
        window.dispatchEvent(new CustomEvent('__kioskRequest',
            {detail: {id: 'x2', method: 'grantEverything', args: 'null'}}));
        """
    )

    def answers() -> bool:
        box.clear()
        app.window.page.runJavaScript("JSON.stringify(window.__answers || [])", 0, box.append)
        qtbot.waitUntil(lambda: bool(box))
        return len(json.loads(box[0])) == 2

    qtbot.waitUntil(answers, timeout=10_000)
    got = {a["id"]: a for a in json.loads(box[0])}
    assert got["x1"]["ok"] is False and got["x1"]["payload"]["code"] == "BAD_REQUEST"
    assert got["x2"]["ok"] is False and got["x2"]["payload"]["code"] == "UNKNOWN_METHOD"
    assert app.session.state is State.IDLE


def test_autostart_runs_setup_and_start_for_a_page_that_knows_nothing(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    app = make_kiosk(server.url(f"plain.html?run={run_id}"), autostart=True)
    reports = wait(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    assert event_names(reports)[:3] == [
        "apSuccessEvent:2001",
        "apSetupComplete",
        "apSetupCompleted",
    ]
    assert app.session.state is State.MONITORING
    assert app.record.meta()["ids"] == {"autostart": True}


def test_show_cam_preview_puts_the_live_camera_in_a_corner(
    wait: Waiter,
    make_kiosk: Factory,
    qtbot: QtBot,
    tmp_path: Path,
    server: ReportServer,
    run_id: str,
) -> None:
    from kiosk.ui.camera_preview import CameraPreview
    from tests.support.faces import one_person, write_video

    clip = tmp_path / "clip.mp4"
    write_video(clip, [(one_person(), 2.0)])
    config = KioskConfig.model_validate({"proctoring": {"ask_consent": False}})
    url = server.exam_url(run_id, "setup", {"trackingOptions": {"showCamPreview": True}})
    app = make_kiosk(url, config, camera=CameraSource("file", path=clip))
    reports = wait(run_id, done)
    assert event_names(reports)[:3] == [
        "apSuccessEvent:2001",
        "apSuccessEvent:2002",
        "apSuccessEvent:2003",
    ]
    assert events(reports)[1]["detail"]["camPreview"] is True
    preview = app.window.findChild(CameraPreview, "kiosk-camera-preview")
    assert preview is not None and preview.isVisible()
    qtbot.waitUntil(lambda: preview.pixmap() is not None and not preview.pixmap().isNull())
    corner = preview.geometry()
    assert corner.right() < app.window.width() and corner.bottom() < app.window.height()
    assert corner.left() > app.window.width() / 2 and corner.top() > app.window.height() / 2


def test_an_internationalised_exam_host_gets_the_api(
    wait: Waiter, make_kiosk: Factory, server: ReportServer, run_id: str
) -> None:
    # Chromium resolves *.localhost to this computer itself; the page's location.origin is
    # punycode (http://xn--bcher-kva.localhost:PORT) while the exam URL was given in Unicode.
    url = server.exam_url(run_id, "setup").replace("127.0.0.1", "bücher.localhost")
    make_kiosk(url)
    reports = wait(run_id, done)
    info = next(r for r in reports if r["type"] == "info")
    assert info["first"]["autoproctor"] == "function"
    assert results(reports)["setup"]["ok"] is True
