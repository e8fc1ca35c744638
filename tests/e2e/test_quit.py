"""A running exam is not left by closing its window, only by the quit password or quit URL."""

from __future__ import annotations

import hashlib
import signal
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names
from tests.support.xdo import wait_active, xdotool

Start = Callable[..., KioskProcess]
PASSWORD = "teacher-says-done"


def wait_decisions(proc: KioskProcess, count: int, timeout: float = 10) -> list:
    deadline = time.monotonic() + timeout
    while len(found := [d for d in proc.decisions() if d[0] == "quit"]) < count:
        assert time.monotonic() < deadline, f"quit decisions: {proc.decisions()}"
        time.sleep(0.05)
    return found


def start_exam(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, cfg: str = ""
) -> KioskProcess:
    config = tmp_path / "kiosk.toml"
    config.write_text(cfg)
    proc = kiosk(server.exam_url(run_id, "setup,start"), "--config", str(config))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    wait_active("kiosk")
    return proc


def test_alt_f4_and_window_close_are_refused_during_the_exam(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, display: object
) -> None:
    proc = start_exam(kiosk, server, run_id, tmp_path)
    xdotool("key", "alt+F4")
    refused = wait_decisions(proc, 1)
    assert refused[0][1] == "refused" and refused[0][2]["source"] == "window"
    assert proc.proc.poll() is None, "the kiosk quit on Alt+F4"
    assert "apMonitoringStopped" not in event_names(server.reports_of(run_id))
    proc.signal(signal.SIGTERM)  # the administrator's way out still works
    assert proc.wait(10) == 0
    assert event_names(server.reports_of(run_id))[-1] == "apMonitoringStopped"


def test_the_quit_password_lets_the_student_out_and_a_wrong_one_does_not(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, display: object
) -> None:
    stored = hashlib.sha256(PASSWORD.encode()).hexdigest()
    proc = start_exam(
        kiosk, server, run_id, tmp_path, f'[policy]\nquit_password_hash = "{stored}"\n'
    )
    xdotool("key", "alt+F4")
    wait_active("kiosk: quit")
    xdotool("type", "--delay", "20", "guess")
    xdotool("key", "Return")
    assert wait_decisions(proc, 1)[0][1] == "refused: wrong quit password"
    assert proc.proc.poll() is None
    wait_active("kiosk")
    xdotool("key", "alt+F4")
    wait_active("kiosk: quit")
    xdotool("type", "--delay", "20", PASSWORD)
    xdotool("key", "Return")
    assert proc.wait(15) == 0
    assert wait_decisions(proc, 2)[1][1] == "allowed: quit password given"
    assert event_names(server.reports_of(run_id))[-1] == "apMonitoringStopped"


def test_reaching_the_quit_url_stops_the_session_and_quits(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[policy]\nquit_url = "{server.url("second.html")}"\n')
    steps = "setup,start,sleep200,close,sleep500,gotosecond.html"
    proc = kiosk(server.exam_url(run_id, steps), "--config", str(config))
    assert proc.wait(30) == 0, proc.stderr()
    quits = [(d[1], d[2]["source"]) for d in proc.decisions() if d[0] == "quit"]
    # window.close() during the exam was refused; the quit URL then ended it.
    assert quits == [("refused", "page"), ("allowed", "quit_url")]
    recorded, meta = proc.record()
    assert recorded[-1]["name"] == "apMonitoringStopped"
    assert "quit URL" in recorded[-1]["detail"]["stoppedBy"]
    assert meta["closed_at"] == recorded[-1]["t"]
