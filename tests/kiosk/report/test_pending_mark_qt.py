"""The "reports pending" mark: shown while the LRS refuses what is owed, gone once it caught up,
and nothing else of reporting reaches the student."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config.settings import KioskConfig, ReportSettings
from kiosk.report.outbox import Outbox
from tests.support.lrs_proxy import FaultyDoor
from tests.support.lrs_server import PASSWORD, USER, Ralph
from tests.support.server import ReportServer, event_names


@pytest.mark.expect_log(
    r"kiosk.report: statements are sent unsigned",
    r"kiosk.report: reports are owed: the LRS answered 503",
)
def test_the_mark_shows_while_the_lrs_refuses_and_goes_once_it_caught_up(
    make_kiosk: Any, server: ReportServer, run_id: str, ralph: Ralph, qtbot: QtBot, tmp_path: Path
) -> None:
    secret = tmp_path / "lrs.secret"
    secret.write_text(PASSWORD)
    os.chmod(secret, 0o600)
    door = FaultyDoor(ralph.url)
    door.failures += [(503, None), (503, None)]  # about 1 s, then 2 s of backing off
    try:
        report = ReportSettings(lrs=door.url, username=USER, password_file=secret)
        app = make_kiosk(server.exam_url(run_id, "setup,start"), KioskConfig(report=report))
        mark = app.window.pending_mark
        assert not mark.isVisible()
        started = lambda: "apMonitoringStarted" in event_names(server.reports_of(run_id))  # noqa: E731
        qtbot.waitUntil(started, timeout=20_000)
        qtbot.waitUntil(mark.isVisible, timeout=20_000)
        assert mark.text() == "reports pending" and mark.owed > 0
        right = app.window.width() - mark.geometry().right()
        assert mark.geometry().top() < 20 and right < 20  # a corner, out of the exam's way
        qtbot.waitUntil(lambda: not mark.isVisible(), timeout=20_000)
        with Outbox(app.folder) as box:
            assert box.standing().reported > 0
    finally:
        door.close()
    assert door.seen[:2] == ["POST 503", "POST 503"] and "POST 200" in door.seen
