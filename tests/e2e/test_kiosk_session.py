"""The kiosk login session: on a bare X server (no window manager, no desktop), started the way
a display manager starts the session entry, the kiosk opens the managed policy's exam."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from kiosk.platform.x11.xvfb import VirtualDisplay
from tests.support.managed_etc import run_kiosk_managed
from tests.support.server import ReportServer, event_names


def test_the_session_runs_the_policys_exam_locked_down_on_a_bare_x_server(
    tmp_path: Path, server: ReportServer, run_id: str
) -> None:
    url = server.exam_url(run_id, "setup,start,sleep500,stop,close")
    bare = VirtualDisplay(window_manager=False).start()
    try:
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        env = {**os.environ, "DISPLAY": bare.display, "XDG_RUNTIME_DIR": str(runtime),
               "XDG_DATA_HOME": str(tmp_path / "data")}  # fmt: skip
        done = run_kiosk_managed(
            tmp_path, {"policy.toml": f'[session]\nstart_url = "{url}"\n'}, "session", env=env
        )
    finally:
        bare.stop()
    assert done.returncode == 0, done.stderr
    assert event_names(server.reports_of(run_id)) == [
        "apSuccessEvent:2001", "apSetupComplete", "apSetupCompleted", "apMonitoringStarted",
        "apMonitoringStopped",
    ]  # fmt: skip
    (record,) = (tmp_path / "data" / "kiosk" / "sessions").glob("*/record.sqlite3")
    db = sqlite3.connect(record)
    decided = [(p, d, json.loads(x)) for p, d, x in db.execute(
        "SELECT policy, decision, detail FROM decisions ORDER BY seq")]  # fmt: skip
    db.close()
    assert ("keyboard", "grabbed", {}) in decided  # locked down with no window manager at all


def test_without_a_start_url_the_session_says_where_to_set_it(tmp_path: Path) -> None:
    done = run_kiosk_managed(tmp_path, {"policy.toml": "[policy]\nallow_zoom = false\n"}, "session")
    assert done.returncode == 2
    assert done.stderr.strip() == ("kiosk: error: the kiosk session opens session.start_url, "
                                   "which /etc/kiosk/policy.toml does not set")  # fmt: skip
