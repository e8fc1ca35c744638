"""The real kiosk and its --event-log: refused at once when it is no file, and a disk that fills
up during the exam stops the log, once, while the exam and its record go on."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import one_error_line
from tests.support.process import KioskProcess, run_cli
from tests.support.server import ReportServer, event_names
from tests.support.tmpfs import PAGE, almost_full, small_tmpfs

Start = Callable[..., KioskProcess]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A real two-page tmpfs, unmounted after the test."""
    with small_tmpfs(tmp_path / "disk") as where:
        yield where


@pytest.mark.parametrize("kind", ["fifo", "/dev/full"])
def test_a_log_that_is_no_file_is_refused_before_any_session_exists(
    kind: str, tmp_path: Path, server: ReportServer, run_id: str
) -> None:
    """A FIFO nobody reads hung the kiosk after it had made an empty session record;
    /dev/full ran the exam with every write failing and ended in a traceback."""
    path = tmp_path / "events.jsonl" if kind == "fifo" else Path(kind)
    if kind == "fifo":
        os.mkfifo(path)
    data = tmp_path / "data"
    began = time.monotonic()
    done = run_cli(
        "run", server.exam_url(run_id, "setup,start"), "--data-dir", str(data),
        "--event-log", str(path), timeout=20,
    )  # fmt: skip
    assert time.monotonic() - began < 5
    assert done.returncode == 2, done.stderr
    line = one_error_line(done.stderr)
    assert f"--event-log {path}: cannot write it: it is a " in line and "not a regular file" in line
    assert not (data / "sessions").exists()


def test_a_disk_that_fills_up_mid_exam_is_recorded_once_and_the_exam_goes_on(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str
) -> None:
    # room for 2001 (its checks: about 700 bytes) and not for what follows
    with small_tmpfs(tmp_path / "disk") as disk:
        _run_until_the_disk_is_full(
            almost_full(disk, "events.jsonl", room=900), kiosk, server, run_id
        )


def _run_until_the_disk_is_full(
    path: Path, kiosk: Start, server: ReportServer, run_id: str
) -> None:
    """A line or two of this run fit in the room left."""
    before = path.read_bytes()
    proc = kiosk(server.exam_url(run_id, "setup,start"), "--event-log", str(path))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    proc.signal(signal.SIGTERM)
    assert proc.wait(15) == 0, proc.stderr()
    recorded, meta = proc.record()
    names = [e["name"] for e in recorded]
    assert names[-1] == "apMonitoringStopped" and "closed_at" in meta  # nothing lost there
    assert all(e["dispatched"] is not None for e in recorded)
    stopped = [d for d in proc.decisions() if d[0] == "event_log"]
    assert stopped == [
        ("event_log", "stopped writing", {"path": str(path), "error": "No space left on device"})
    ]
    text = path.read_bytes()
    assert text.startswith(before) and len(text) <= PAGE and text.endswith(b"\n")
    ours = [json.loads(line)["event"] for line in text[len(before) :].splitlines()]
    assert ours and ours == names[: len(ours)] and len(ours) < len(names), ours
    assert "the event log" in proc.stderr() and "No space left on device" in proc.stderr()
