"""An exception inside a Qt callback is logged and answered safely; the process lives on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from detectors.window_state import FocusChange
from kiosk.app import KioskApp
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QObject, pyqtSignal
from tests.support.server import ReportServer


class _Emitter(QObject):
    fired = pyqtSignal()


@pytest.mark.expect_log(r"kiosk.failsafe: .*decide_something failed; answered safely")
def test_a_failing_slot_is_logged_and_returns_the_safe_default(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    answers: list[object] = []

    @fail_safe("deny")
    def decide_something() -> str:
        raise RuntimeError("boom")

    emitter = _Emitter()
    emitter.fired.connect(lambda: answers.append(decide_something()))
    with caplog.at_level(logging.ERROR, logger="kiosk.failsafe"):
        emitter.fired.emit()
    assert answers == ["deny"]
    assert "decide_something failed" in caplog.text and "boom" in caplog.text


@pytest.mark.expect_log(
    r"kiosk.bridge: setup\(\) failed inside the kiosk", r"kiosk.failsafe: KioskApp._observed failed"
)
def test_a_fault_inside_the_session_reaches_the_page_as_an_error_not_a_crash(
    make_kiosk: Callable[..., KioskApp],
    qtbot: QtBot,
    server: ReportServer,
    run_id: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_kiosk(server.url(f"exam.html?run={run_id}&steps=setup,setup"), show=False)
    calls = {"n": 0}
    real_setup = app.session.setup

    def flaky(*args: object) -> dict[str, object]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("injected fault")
        return real_setup(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(app.session, "setup", flaky)
    with caplog.at_level(logging.ERROR):
        app.show()
        qtbot.waitUntil(
            lambda: any(r["type"] == "steps-done" for r in server.reports_of(run_id)),
            timeout=20_000,
        )
    results = [r for r in server.reports_of(run_id) if r["type"] == "result"]
    assert (results[0]["ok"], results[0]["code"]) == (False, 4005)
    assert "injected fault" in results[0]["message"]
    assert results[1]["ok"] is True  # the kiosk kept working: the retry succeeded
    assert "setup() failed inside the kiosk" in caplog.text

    # A detector observation whose handling raises is logged, not fatal.
    monkeypatch.setattr(app.session, "observe", lambda *_: (_ for _ in ()).throw(ValueError("bad")))
    app.bus.publish(FocusChange(t=time.time(), focused=False, cause="test"))
    assert "_observed failed" in caplog.text
