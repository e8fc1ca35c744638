"""One kiosk per user: a second launch hands its exam to the running kiosk and exits 5.

The kiosks here share one runtime folder, as two launches by the same user do (the suite's
other kiosks each get their own: tests/support/process.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.process import KioskProcess, run_cli
from tests.support.server import ReportServer, event_names

Start = Callable[..., KioskProcess]


def second_launch(runtime: Path, target: str) -> subprocess.CompletedProcess[str]:
    return run_cli("run", target, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=30)


def started(reports: list[dict]) -> bool:
    return "apMonitoringStarted" in event_names(reports)


@pytest.fixture
def runtime(tmp_path: Path) -> Path:
    """The user's runtime folder both launches share."""
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    return folder


def ends_cleanly(proc: KioskProcess, server: ReportServer, run: str) -> None:
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert event_names(server.reports_of(run))[-1] == "apMonitoringStopped"


def test_during_monitoring_the_running_kiosk_refuses_another_exam(
    kiosk: Start, server: ReportServer, run_id: str, runtime: Path
) -> None:
    first = kiosk(server.exam_url(run_id, "setup,start"), runtime=runtime)
    server.wait_for(run_id, started)
    other = run_id + "-other"
    began = time.monotonic()
    done = second_launch(runtime, server.exam_url(other, "setup,start"))
    assert done.returncode == 5, done.stderr
    assert done.stderr.strip() == (
        "kiosk: a kiosk is already running: it refused it: an exam is being monitored: "
        "finish it first"
    )
    assert time.monotonic() - began < 10
    refused = [d for d in first.decisions() if d[:2] == ("instance", "switch refused")]
    assert len(refused) == 1 and other in refused[0][2]["target"]
    assert first.proc.poll() is None and server.reports_of(other) == []  # the exam goes on
    ends_cleanly(first, server, run_id)


def test_before_monitoring_the_running_kiosk_opens_the_new_exam(
    kiosk: Start, server: ReportServer, run_id: str, runtime: Path
) -> None:
    first = kiosk(server.exam_url(run_id, ""), runtime=runtime)  # a page that has not set up
    server.wait_for(run_id, lambda r: any(x["type"] == "info" for x in r))
    other = run_id + "-other"
    done = second_launch(runtime, server.exam_url(other, "setup,start"))
    assert done.returncode == 5, done.stderr
    assert done.stderr.strip() == (
        "kiosk: a kiosk is already running: it opens it: the exam there ends and this one opens"
    )
    server.wait_for(other, started)  # in the first kiosk's process: it is the only one
    assert first.proc.poll() is None
    ends_cleanly(first, server, other)


def test_a_killed_kiosk_leaves_no_instance_behind(
    kiosk: Start, server: ReportServer, run_id: str, runtime: Path
) -> None:
    first = kiosk(server.exam_url(run_id, ""), runtime=runtime, name="first")
    server.wait_for(run_id, lambda r: any(x["type"] == "info" for x in r))
    assert (runtime / "kiosk" / "instance").exists()
    first.kill()
    again = run_id + "-again"
    second = kiosk(server.exam_url(again, "setup,start"), runtime=runtime, name="second")
    server.wait_for(again, started)  # a kiosk of its own: the dead one's socket was stale
    ends_cleanly(second, server, again)
