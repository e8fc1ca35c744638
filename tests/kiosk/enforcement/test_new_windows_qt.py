"""No new windows and no downloads: what a page asks for, the policy decides, the record keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.platform.qt import QWebEnginePage
from policies.windows import WINDOW_KINDS, decide_new_window
from tests.support.server import ReportServer


def test_every_kind_of_window_qt_can_ask_for_is_decided() -> None:
    assert {m.name for m in QWebEnginePage.WebWindowType} == WINDOW_KINDS
    for kind in WINDOW_KINDS:
        assert decide_new_window(kind, "block").open_in_place is False
        assert decide_new_window(kind, "same_window").open_in_place is True
    assert decide_new_window("SomeFutureWindow", "same_window").open_in_place is False


@pytest.fixture
def kiosk_with(
    make_kiosk: Callable[..., KioskApp],
) -> Callable[[str, dict[str, Any]], KioskApp]:
    def make(url: str, policy: dict[str, Any]) -> KioskApp:
        return make_kiosk(url, KioskConfig.model_validate({"policy": policy}))

    return make


def loaded(server: ReportServer, run: str) -> list[str]:
    return [r["page"] + (f":{r['via']}" if r.get("via") else "") for r in server.reports_of(run)]


@pytest.mark.parametrize("how", ["window.open", "target=_blank"])
@pytest.mark.parametrize("policy", ["same_window", "block"])
def test_a_new_window_opens_in_the_exam_window_or_not_at_all(
    kiosk_with: Callable[[str, dict[str, Any]], KioskApp],
    qtbot: QtBot,
    server: ReportServer,
    run_id: str,
    how: str,
    policy: str,
) -> None:
    app = kiosk_with(server.url(f"popups.html?run={run_id}"), {"new_window": policy})
    qtbot.waitUntil(lambda: loaded(server, run_id) == ["popups"], timeout=20_000)
    script = (
        f"window.open('second.html?run={run_id}&via=open')"
        if how == "window.open"
        else "document.getElementById('blank').click()"
    )
    # The link carries no run id: give it one so its report reaches this test.
    app.window.page.runJavaScript(
        f"document.getElementById('blank').href = 'second.html?run={run_id}&via=blank';" + script
    )
    qtbot.waitUntil(lambda: len(app.record.decisions()) == 1, timeout=10_000)
    _, name, decision, detail = app.record.decisions()[0]
    assert name == "new_window"
    assert detail["kind"] in WINDOW_KINDS
    if policy == "same_window":
        assert decision == "opened in the exam window"
        via = "open" if how == "window.open" else "blank"
        qtbot.waitUntil(lambda: loaded(server, run_id) == ["popups", f"second:{via}"])
        # The page's own report can arrive before the engine tells Qt the URL changed.
        qtbot.waitUntil(lambda: "second.html" in app.window.page.url().toString())
    else:
        assert decision == "refused"
        assert "popups.html" in app.window.page.url().toString()
        # The witness: a later navigation of the exam page itself loads. Had the refused
        # window loaded anything, its report would have come first.
        app.window.page.runJavaScript(f"location.href = 'second.html?run={run_id}&via=after'")
        qtbot.waitUntil(lambda: len(loaded(server, run_id)) == 2, timeout=10_000)
        assert loaded(server, run_id) == ["popups", "second:after"]
    visible = [w for w in app.qapp.topLevelWidgets() if w.isVisible()]
    assert visible == [app.window]  # no other window, whatever the policy


@pytest.mark.parametrize("allowed", [False, True])
def test_downloads_are_refused_unless_policy_allows_them(
    kiosk_with: Callable[[str, dict[str, Any]], KioskApp],
    qtbot: QtBot,
    server: ReportServer,
    run_id: str,
    allowed: bool,
) -> None:
    app = kiosk_with(server.url(f"popups.html?run={run_id}"), {"downloads": allowed})
    qtbot.waitUntil(lambda: loaded(server, run_id) == ["popups"], timeout=20_000)
    app.window.page.runJavaScript("document.getElementById('download').click()")
    qtbot.waitUntil(lambda: len(app.record.decisions()) == 1, timeout=10_000)
    _, name, decision, detail = app.record.decisions()[0]
    assert (name, decision) == ("download", "allowed" if allowed else "refused")
    assert detail["file"] == "answers.txt"
