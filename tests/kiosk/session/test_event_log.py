"""The --event-log file: only a regular file, never blocking, and a full disk stops it once."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.platform.errors import UsageError
from kiosk.session.event_log import EventLog, check_log
from tests.support.blocking import refusal_within
from tests.support.tmpfs import PAGE, almost_full, small_tmpfs


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A real two-page tmpfs, unmounted after the test."""
    with small_tmpfs(tmp_path / "disk") as where:
        yield where


def test_a_fifo_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "events.jsonl"
    os.mkfifo(fifo)
    message = refusal_within(2, lambda: EventLog(fifo), fifo)
    assert message == f"--event-log {fifo}: cannot write it: it is a FIFO, not a regular file"
    assert "it is a FIFO" in refusal_within(2, lambda: check_log(fifo), fifo)


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null", "/dev/tty"])
def test_a_device_is_refused(device: str) -> None:
    message = refusal_within(2, lambda: EventLog(Path(device)))
    assert message == f"--event-log {device}: cannot write it: it is a device, not a regular file"


def test_a_folder_or_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="it is a folder, not a regular file"):
        check_log(tmp_path)
    (tmp_path / "events.jsonl").symlink_to("/dev/full")
    with pytest.raises(UsageError, match="it is a device, not a regular file"):
        check_log(tmp_path / "events.jsonl")


def test_checking_a_new_log_makes_it_private_and_appends_to_an_old_one(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    check_log(path)
    assert path.read_bytes() == b"" and (path.stat().st_mode & 0o777) == 0o600
    path.write_text('{"t":0,"event":"earlier","detail":{}}\n')
    log = EventLog(path)
    log.write(1.0, "apMonitoringStarted", {"timestamp": 1000})
    log.close()
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == [
        "earlier",
        "apMonitoringStarted",
    ]


def test_a_disk_that_fills_up_stops_the_log_once_and_keeps_it_whole_lines(disk: Path) -> None:
    """The filler takes one page of the disk, the log's page has 150 bytes left."""
    path = almost_full(disk, "events.jsonl", room=150)
    failures: list[str] = []
    log = EventLog(path, failures.append)
    detail = {"timestamp": 1000, "pad": "x" * 40}  # each line ~90 bytes
    log.write(1.0, "first", detail)  # fits
    assert failures == []
    log.write(2.0, "second", detail)  # half of it fits, then the disk is full
    assert failures == ["No space left on device"]
    for n in range(3, 50):  # left alone: no more attempts, no more reports
        log.write(float(n), "later", detail)
    log.close()
    log.close()
    assert failures == ["No space left on device"]
    text = path.read_bytes()
    assert len(text) < PAGE and text.endswith(b"\n")  # the half line was taken back
    events = [json.loads(line)["event"] for line in text.splitlines()]
    assert events[-1] == "first" and set(events[:-1]) == {"earlier"}
