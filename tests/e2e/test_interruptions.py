"""Time itself, end to end: a kiosk stopped (SIGSTOP) for 5 s and continued is, for the page and
the record, an exam interrupted for 5 s (5101)."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from collections.abc import Callable

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names, events

Start = Callable[..., KioskProcess]


def test_a_kiosk_stopped_for_5_s_records_a_5_s_interruption(
    kiosk: Start, server: ReportServer, run_id: str
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    proc.signal(signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        time.sleep(5)
    finally:
        proc.signal(signal.SIGCONT)
    held = time.monotonic() - stopped
    got = server.wait_for(run_id, lambda r: "apEvidenceEvent:5101" in event_names(r))
    told = next(e["detail"] for e in events(got) if e["detail"].get("evidenceCode") == 5101)
    assert held - 0.1 <= told["seconds"] <= held + 0.5, (held, told)
    assert told["suspended"] == 0.0 and told["message"].startswith("The exam was interrupted")
    db = sqlite3.connect(proc.session_folder() / "record.sqlite3")
    try:
        recorded = [
            json.loads(d) for (d,) in db.execute("SELECT detail FROM events WHERE code = 5101")
        ]
    finally:
        db.close()
    assert recorded == [told]  # once, in the record as the page has it
    proc.signal(signal.SIGTERM)
    assert proc.wait(20) == 0, proc.stderr()
