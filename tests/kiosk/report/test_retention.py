"""Retention: a session leaves this computer only once the LRS confirmed all of it, and
keep_days more have passed; anything owed, open or never reported is kept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.config.settings import ReportSettings
from kiosk.report.command import list_sessions, purged
from kiosk.report.lrs import Lrs
from kiosk.report.outbox import Outbox
from kiosk.report.reporter import Reporter
from kiosk.report.retention import DAY, purge
from kiosk.session.record import SessionRecord
from tests.kiosk.report.test_delivery import _record
from tests.support.lrs_proxy import FaultyDoor
from tests.support.lrs_server import PASSWORD, USER, Ralph

NOW = 1_800_000_000.0


def _session(data: Path, name: str, *, reported_at: float | None, closed: bool = True) -> Path:
    (data / "sessions").mkdir(parents=True, exist_ok=True)
    record = _record(data / "sessions" / name)
    (record.folder / "evidence").mkdir()
    (record.folder / "evidence" / "p.jpg").write_bytes(b"\xff\xd8")
    if closed:
        record.end_unmonitored(NOW - 40 * DAY, "quit")
    if reported_at is not None:
        record.db.execute("UPDATE outbox SET reported = ?", (reported_at,))
    record.shut()
    return record.folder


def test_only_sessions_reported_whole_and_long_enough_ago_are_deleted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = _session(data, "a-old", reported_at=NOW - 31 * DAY)
    recent = _session(data, "b-recent", reported_at=NOW - 29 * DAY)
    owed = _session(data, "c-owed", reported_at=None)
    still_open = _session(data, "d-open", reported_at=NOW - 31 * DAY, closed=False)
    partly = _session(data, "e-partly", reported_at=NOW - 31 * DAY)
    record = SessionRecord(partly)
    record.db.execute("UPDATE outbox SET reported = NULL WHERE n = 2")
    record.shut()
    unreported = _session(data, "f-unreported", reported_at=NOW - 31 * DAY)
    record = SessionRecord(unreported)
    record.set_meta(report_lrs=None)  # run without an LRS: never sent, never deleted by this
    record.shut()
    assert purge(data, 30, NOW) == [old]
    assert not old.exists()
    for kept in (recent, owed, still_open, partly, unreported):
        assert (kept / "evidence" / "p.jpg").exists() and (kept / "record.sqlite3").exists()
    assert purge(data, 30, NOW + 2 * DAY) == [recent]


def test_the_running_session_is_never_deleted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = _session(data, "a-old", reported_at=NOW - 31 * DAY)
    assert purge(data, 30, NOW, keep=old) == []


def test_purge_says_what_it_did(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = ReportSettings(keep_days=30)
    assert purged(data, settings) == [
        "nothing to delete: no session was fully reported over 30 days ago"
    ]
    _session(data, "a-old", reported_at=1.0)
    assert purged(data, settings) == ["deleted a-old: every statement confirmed over 30 days ago"]


@pytest.mark.expect_log(r"kiosk.report: reports are owed: the LRS answered 503")
def test_the_reporter_sends_earlier_sessions_then_deletes_those_due(
    tmp_path: Path, ralph: Ralph
) -> None:
    data = tmp_path / "data"
    old = _session(data, "a-old", reported_at=time.time() - 31 * DAY)
    earlier = _session(data, "b-earlier", reported_at=None)  # a killed kiosk's, owed
    current = _record(data / "sessions" / "c-current")
    door = FaultyDoor(ralph.url)
    _ran_with(door.url, old, earlier, current.folder)
    door.failures.append((503, "1"))  # the first attempt is refused; it comes back after 1 s
    reporter = Reporter(current.folder, data, Lrs(door.url, USER, PASSWORD), 50, keep_days=30)
    try:
        reporter.start()
        deadline = time.monotonic() + 30
        while _owed(current.folder) or _owed(earlier) or old.exists():
            assert time.monotonic() < deadline, (door.seen, reporter.last_error)
            time.sleep(0.1)
    finally:
        reporter.finish(10)
        door.close()
    assert door.seen[0] == "POST 503" and earlier.exists()  # sent, and kept for 30 days


def _ran_with(lrs: str, *folders: Path) -> None:
    """The sessions ran with ``lrs``: the reporter sends earlier sessions only to their own."""
    for folder in folders:
        record = SessionRecord(folder)
        record.set_meta(report_lrs=lrs)
        record.shut()


def test_the_reporter_sends_no_earlier_session_to_another_lrs(tmp_path: Path, ralph: Ralph) -> None:
    data = tmp_path / "data"
    other = _session(data, "a-other", reported_at=None)
    mine = _session(data, "b-mine", reported_at=None)
    current = _record(data / "sessions" / "c-current")
    _ran_with(ralph.url, mine, current.folder)
    _ran_with("https://other.example.org/xAPI/", other)
    reporter = Reporter(current.folder, data, Lrs(ralph.url, USER, PASSWORD), 50)
    try:
        reporter.start()
        deadline = time.monotonic() + 30
        while _owed(current.folder) or _owed(mine):  # the witness: the pass over earlier ones ran
            assert time.monotonic() < deadline, reporter.last_error
            time.sleep(0.05)
    finally:
        reporter.finish(10)
    assert _owed(other) == 3


def _owed(folder: Path) -> int:
    with Outbox(folder) as box:
        return box.standing().owed


@pytest.mark.expect_log(
    r"kiosk.report: a-refused: the LRS refused", r"a-refused is set aside until the next start"
)
def test_an_earlier_session_the_lrs_refuses_is_set_aside_not_retried(
    tmp_path: Path, ralph: Ralph
) -> None:
    """Ralph refuses a statement whose id it already holds with other content (409): sending it
    again every pass would only fill the log. The current session goes on being reported."""
    data = tmp_path / "data"
    refused = _session(data, "a-refused", reported_at=None)
    with Outbox(refused) as box:
        facts = box.facts()
        assert facts is not None
        first = box.owed(facts, 1)[0].statement
    first["result"]["extensions"] = {"https://example.org/other": "content"}
    Lrs(ralph.url, USER, PASSWORD).send([first])
    current = _record(data / "sessions" / "b-current")
    door = FaultyDoor(ralph.url)
    _ran_with(door.url, refused, current.folder)
    reporter = Reporter(current.folder, data, Lrs(door.url, USER, PASSWORD), 50)
    try:
        reporter.start()
        for round_ in range(3):  # each a pass of the current session, the earlier ones after it
            current.note_decision(time.time(), "test", f"round {round_}", {})
            reporter.nudge()
            deadline = time.monotonic() + 20
            while _owed(current.folder):
                assert time.monotonic() < deadline, (door.seen, reporter.last_error)
                time.sleep(0.05)
    finally:
        reporter.finish(10)
        door.close()
    assert door.seen.count("POST 409") == 1, door.seen
    assert _owed(refused) == 3 and _owed(current.folder) == 0


def test_sessions_lists_each_and_names_an_unreadable_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _session(data, "a-old", reported_at=NOW)
    _session(data, "b-owed", reported_at=None)
    bad = data / "sessions" / "c-bad"
    bad.mkdir()
    (bad / "record.sqlite3").write_bytes(b"not a database at all" * 100)
    lines = list_sessions(data)
    assert lines[0].startswith("a-old  ") and lines[0].endswith("closed  3 delivered")
    assert lines[1].endswith("closed  0 delivered, 3 pending")
    assert lines[2].startswith("c-bad  its record cannot be read (file is not a database")
    assert list_sessions(tmp_path / "none") == [f"no sessions in {tmp_path / 'none'}"]
