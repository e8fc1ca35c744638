"""The computer around the exam, end to end: real programs that go by a prohibited name (this
computer's own ``sleep``, copied under that name, as a renamed binary would be), a kiosk that
finds them at setup and during the exam, and ends them where the policy says."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names, events

Start = Callable[..., KioskProcess]


def config(tmp_path: Path, text: str) -> tuple[str, str]:
    path = tmp_path / "computer.toml"
    path.write_text(text)
    return "--config", str(path)


def setup_result(server: ReportServer, run_id: str) -> dict[str, Any]:
    reports = server.wait_for(run_id, lambda r: any(x.get("step") == "setup" for x in r))
    return next(r for r in reports if r.get("step") == "setup")


def evidence(server: ReportServer, run_id: str, code: int) -> dict[str, Any]:
    got = server.wait_for(run_id, lambda r: f"apEvidenceEvent:{code}" in event_names(r), 30)
    return next(e["detail"] for e in events(got) if e["detail"].get("evidenceCode") == code)


def test_a_prohibited_program_running_before_setup_fails_it_naming_what_to_close(
    kiosk: Start, server: ReportServer, run_id: str, program: Any
) -> None:
    recorder = program("obs")
    proc = kiosk(server.exam_url(run_id, "setup"))
    result = setup_result(server, run_id)
    assert (result["ok"], result["code"]) == (False, 4103), result
    error = next(e["detail"] for e in events(server.reports_of(run_id))
                 if e["detail"].get("errorCode") == 4103)  # fmt: skip
    assert f"obs (pid {recorder.pid}, screen recorder)" in error["cause"], error
    assert error["message"] == "Close the programs that are not allowed during the exam"
    assert recorder.poll() is None  # setup names it; the student closes it
    proc.kill()


@pytest.mark.parametrize("end", [True, False], ids=["ended", "evidence-only"])
def test_one_started_during_the_exam_is_evidence_and_ended_where_the_policy_says(
    kiosk: Start, server: ReportServer, run_id: str, program: Any, tmp_path: Path, end: bool
) -> None:
    settings = config(tmp_path, f"[computer]\nend_prohibited_processes = {str(end).lower()}\n")
    proc = kiosk(server.exam_url(run_id, "setup,start"), *settings)
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    messenger = program("discord")
    told = evidence(server, run_id, 5105)
    assert (told["name"], told["pid"], told["category"]) == (
        "discord", messenger.pid, "messenger or meeting"
    )  # fmt: skip
    assert told["running"] == "during the exam"
    assert told["message"] == "A program that is not allowed is running during the exam"
    if end:
        assert told["ended"] == "ended"
        assert messenger.wait(10) == -15  # asked to end (SIGTERM), and it did
    else:
        assert "ended" not in told
        assert messenger.poll() is None
    proc.kill()


def test_a_remote_control_program_started_during_the_exam_is_a_remote_session(
    kiosk: Start, server: ReportServer, run_id: str, program: Any
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    vnc = program("x11vnc")
    told = evidence(server, run_id, 5104)
    assert (told["name"], told["pid"], told["category"]) == ("x11vnc", vnc.pid, "remote control")
    assert "apEvidenceEvent:5105" not in event_names(server.reports_of(run_id))
    proc.kill()


def test_an_xrdp_session_fails_setup_as_a_remote_session(
    kiosk: Start, server: ReportServer, run_id: str
) -> None:
    import os

    proc = kiosk(server.exam_url(run_id, "setup"), env={**os.environ, "XRDP_SESSION": "1"})
    result = setup_result(server, run_id)
    assert (result["ok"], result["code"]) == (False, 4102), result
    error = next(e["detail"] for e in events(server.reports_of(run_id))
                 if e["detail"].get("errorCode") == 4102)  # fmt: skip
    assert "XRDP_SESSION=1: an xrdp session" in error["cause"]
    proc.kill()


def test_a_client_connected_to_the_display_during_the_exam_is_named(
    kiosk: Start, server: ReportServer, run_id: str
) -> None:
    """xdotool holds its X connection for as long as it sleeps: any X client may read the
    screen and type, and the X server says who it is."""
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    started = server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    checks = next(e["detail"]["checks"] for e in events(started)
                  if e["detail"].get("successCode") == 2001)  # fmt: skip
    helpers = checks["displayClients"]["helpers"]
    assert "openbox (window manager)" in helpers and any("(the kiosk)" in h for h in helpers)
    with subprocess.Popen(["xdotool", "sleep", "30"]) as client:
        try:
            told = evidence(server, run_id, 5106)
        finally:
            client.kill()
    assert (told["name"], told["pid"]) == ("xdotool", client.pid)
    assert told["message"] == "Another program connected to the exam's display"
    assert told["client"].startswith("0x")
    proc.kill()
