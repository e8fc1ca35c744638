"""Focus taken away and given back under a real window manager: one 5005, then one 5006."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.paths import REPO
from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names
from tests.support.xdo import xdotool

Start = Callable[..., KioskProcess]


def focus_events(reports: list[dict]) -> list[str]:
    return [n for n in event_names(reports) if n.endswith((":5005", ":5006"))]


def settle(server: ReportServer, run: str, expected: list[str]) -> list[dict]:
    """Waits for ``expected`` focus events and checks that nothing else came. A duplicate
    that comes later is caught by what follows in the test: the next switch (whose event it
    would precede) or, at the end, the stop, after which the record is final."""
    server.wait_for(run, lambda r: len(focus_events(r)) >= len(expected))
    reports = server.reports_of(run)
    assert focus_events(reports) == expected
    return reports


def test_focus_lost_and_regained_fires_exactly_one_5005_then_one_5006(
    kiosk: Start, server: ReportServer, run_id: str, display: object, tmp_path: Path
) -> None:
    # Detection alone: the kiosk neither takes focus back nor restores fullscreen here, so the
    # test decides when focus returns (enforcement has its own tests, in test_escapes).
    config = tmp_path / "observe-only.toml"
    config.write_text("[policy]\ntake_focus_back = false\n")
    options = {"trackingOptions": {"forceFullScreen": False}}
    proc = kiosk(server.exam_url(run_id, "setup,start", options), "--config", str(config))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    kiosk_window = xdotool("search", "--sync", "--onlyvisible", "--name", "^kiosk$").split()[0]
    deadline = time.monotonic() + 10
    while xdotool("getactivewindow") != kiosk_window:
        assert time.monotonic() < deadline, "the kiosk window never became active"
        time.sleep(0.05)
    assert focus_events(server.reports_of(run_id)) == []

    intruder = subprocess.Popen(
        [sys.executable, "tests/support/intruder.py"], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert intruder.stdout is not None and intruder.stdout.readline().strip() == "shown"
        reports = settle(server, run_id, ["apEvidenceEvent:5005"])
        lost = next(r for r in reports if r.get("detail", {}).get("evidenceCode") == 5005)
        # Whichever sees it first: Qt (focus moved) or the X server watcher (a window on top,
        # and the window manager's active window, when one poll sees both).
        assert lost["detail"]["cause"] in (
            "another window was activated",
            "another program's window is drawn over the exam: intruder",
            "another program's window is drawn over the exam: intruder; "
            "the window manager made another window active",
        )

        xdotool("windowactivate", "--sync", kiosk_window)
        reports = settle(server, run_id, ["apEvidenceEvent:5005", "apEvidenceEvent:5006"])
        back = next(r for r in reports if r.get("detail", {}).get("evidenceCode") == 5006)
        assert back["detail"]["awaySeconds"] > 0

        xdotool("windowminimize", "--sync", kiosk_window)
        lost_again = ["apEvidenceEvent:5005", "apEvidenceEvent:5006", "apEvidenceEvent:5005"]
        reports = settle(server, run_id, lost_again)
        minimised = [r for r in reports if r.get("detail", {}).get("evidenceCode") == 5005][-1]
        assert minimised["detail"]["cause"] in (
            "the kiosk window was minimised",
            "the exam window was unmapped",  # the X server watcher saw the iconified window
        )
        xdotool("windowactivate", "--sync", kiosk_window)
        settle(server, run_id, ["apEvidenceEvent:5005", "apEvidenceEvent:5006"] * 2)
    finally:
        intruder.terminate()
        intruder.wait(10)
        if intruder.stdout is not None:
            intruder.stdout.close()

    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    recorded, _ = proc.record()
    assert [e["code"] for e in recorded if e["code"] in (5005, 5006)] == [5005, 5006, 5005, 5006]
    stopped = recorded[-1]["detail"]
    assert [v["evidenceCode"] for v in stopped["violations"]] == [5005, 5005]
    assert stopped["penalties"]["5005"] > 0


def test_a_managed_policy_keeps_fullscreen_when_the_page_turns_it_off(
    kiosk: Start, server: ReportServer, run_id: str, display: object, tmp_path: Path
) -> None:
    config = tmp_path / "managed.toml"
    config.write_text("[policy]\nforce_fullscreen = true\ntake_focus_back = false\n")
    options = {"trackingOptions": {"forceFullScreen": False}}
    proc = kiosk(server.exam_url(run_id, "setup,start", options), "--config", str(config))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    kiosk_window = xdotool("search", "--sync", "--onlyvisible", "--name", "^kiosk$").split()[0]
    xdotool("windowminimize", kiosk_window)
    settle(server, run_id, ["apEvidenceEvent:5005", "apEvidenceEvent:5006"])
    assert any(d[:2] == ("fullscreen", "restored") for d in proc.decisions())
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    recorded, _ = proc.record()
    assert [e["code"] for e in recorded if e["code"] in (5005, 5006)] == [5005, 5006]
