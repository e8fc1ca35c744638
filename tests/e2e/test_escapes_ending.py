"""Ending the exam badly, from outside: the kiosk's X connection killed, the kiosk killed.

Neither can be prevented: any X client may kill another's connection (XKillClient, what
``xdotool windowkill`` does), and the student's own account may SIGKILL the kiosk. What must
hold is that the kiosk records it: the X kill closes the record with its cause before the kiosk
exits with the documented code 4; after a SIGKILL, no process of the web engine survives the
kiosk, and the next start closes the unfinished session as ended abnormally and says so.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names
from tests.support.tally import ESCAPES
from tests.support.xdo import window_named, xdotool

Start = Callable[..., KioskProcess]

DISPLAY_LOST = 4  # the exit code the README documents for a lost display connection
ENDED_ABNORMALLY = "kioskEndedAbnormally"  # the catalogue's kiosk extension event


def started(reports: list[dict[str, Any]]) -> bool:
    return "apMonitoringStarted" in event_names(reports)


def read_record(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    db = sqlite3.connect(folder / "record.sqlite3")
    try:
        rows = db.execute("SELECT seq, t, name, detail FROM events ORDER BY seq").fetchall()
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    finally:
        db.close()
    return [{"seq": s, "t": t, "name": n, "detail": json.loads(d)} for s, t, n, d in rows], meta


# -- the X connection ---------------------------------------------------------------------------


def test_killing_the_kiosks_x_connection_closes_the_record_with_the_cause(
    kiosk: Start, server: ReportServer, run_id: str, display: object
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    server.wait_for(run_id, started)
    xdotool("windowkill", window_named("^kiosk$"))
    code = proc.wait(15)
    recorded, meta = proc.record()
    last = recorded[-1]
    closed = "closed_at" in meta and last["name"] == "apMonitoringStopped"
    ESCAPES.record("kill the kiosk's X connection (xdotool windowkill)", not closed)
    assert closed, (recorded, meta, proc.stderr())
    assert code == DISPLAY_LOST, proc.stderr()
    cause = last["detail"]["stoppedBy"]
    assert "X connection" in cause and "killed" in cause, cause
    assert meta["closed_at"] == last["t"]
    assert meta["trust_score"] == last["detail"]["trustScore"]
    lines = [x for x in proc.stderr().splitlines() if x.startswith("kiosk: ")]
    assert len(lines) == 1 and "display connection was lost" in lines[0], proc.stderr()
