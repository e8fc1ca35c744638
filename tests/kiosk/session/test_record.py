"""The session record: a private SQLite (WAL) database, committed before anything is dispatched."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.session.event_log import EventLog
from kiosk.session.record import RECORD_NAME, RecordClosed, SessionRecord, new_session_folder


@pytest.fixture
def record(tmp_path: Path) -> Iterator[SessionRecord]:
    rec = SessionRecord(new_session_folder(tmp_path))
    yield rec
    rec.shut()


def _other_connection(path: Path) -> sqlite3.Connection:
    """An independent reader, as another process (or a crash investigator) would open it."""
    return sqlite3.connect(path, isolation_level=None)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_session_folder_is_private(tmp_path: Path) -> None:
    folder = new_session_folder(tmp_path)
    assert folder.parent == tmp_path / "sessions"
    assert folder.is_dir()
    assert _mode(folder) == 0o700
    assert new_session_folder(tmp_path) != folder


def test_record_file_is_private_and_in_wal_mode(record: SessionRecord) -> None:
    record.append(1.0, "apMonitoringStarted", None, None, {"timestamp": 1000})
    assert record.path == record.folder / RECORD_NAME
    assert _mode(record.path) == 0o600
    wal = record.path.with_name(RECORD_NAME + "-wal")
    assert wal.exists()
    assert _mode(wal) == 0o600
    other = _other_connection(record.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()
    assert record.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_append_returns_increasing_seq(record: SessionRecord) -> None:
    seqs = [record.append(float(i), "apEvidenceEvent", 5005, None, {"i": i}) for i in range(5)]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5
    events = record.events()
    assert [e.seq for e in events] == seqs
    assert [e.detail for e in events] == [{"i": i} for i in range(5)]
    assert all(e.dispatched is None for e in events)


def test_append_stores_every_field(record: SessionRecord) -> None:
    seq = record.append(12.5, "apErrorEvent", 4007, "not_found", {"errorCode": 4007})
    (event,) = record.events()
    assert (event.seq, event.t, event.name, event.code, event.reason) == (
        seq,
        12.5,
        "apErrorEvent",
        4007,
        "not_found",
    )
    assert event.detail == {"errorCode": 4007}


def test_an_appended_event_is_visible_to_another_connection_at_once(
    record: SessionRecord,
) -> None:
    other = _other_connection(record.path)
    try:
        seq = record.append(3.0, "apEvidenceEvent", 5005, None, {"cause": "x"})
        rows = other.execute("SELECT seq, code, detail FROM events").fetchall()
        assert rows == [(seq, 5005, '{"cause":"x"}')]
    finally:
        other.close()


def test_close_with_writes_event_and_summary(record: SessionRecord) -> None:
    record.append(1.0, "apMonitoringStarted", None, None, {})
    seq = record.close_with(
        9.0, "apMonitoringStopped", {"trustScore": 95}, {"trust_score": 95, "violations": []}
    )
    assert record.closed
    other = _other_connection(record.path)
    try:
        last = other.execute("SELECT seq, name, detail FROM events ORDER BY seq DESC").fetchone()
        assert last == (seq, "apMonitoringStopped", '{"trustScore":95}')
        meta = dict(other.execute("SELECT key, value FROM meta").fetchall())
    finally:
        other.close()
    assert meta["trust_score"] == "95"
    assert meta["closed_at"] == "9.0"
    assert meta["violations"] == "[]"


def test_append_after_close_raises(record: SessionRecord) -> None:
    record.close_with(9.0, "apMonitoringStopped", {}, {"trust_score": 100})
    with pytest.raises(RecordClosed):
        record.append(10.0, "apEvidenceEvent", 5005, None, {})
    with pytest.raises(RecordClosed):
        record.close_with(11.0, "apMonitoringStopped", {}, {})
    assert len(record.events()) == 1


def test_close_with_is_atomic(record: SessionRecord) -> None:
    """If the summary cannot be written, the final event must not be written either.

    The module promises "the final event, the trust score and the violations in one
    transaction". A trigger makes the meta write fail after the event insert.
    """
    record.append(1.0, "apMonitoringStarted", None, None, {})
    saboteur = _other_connection(record.path)
    try:
        saboteur.execute(
            "CREATE TRIGGER no_meta BEFORE INSERT ON meta BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
        with pytest.raises(sqlite3.DatabaseError):
            record.close_with(9.0, "apMonitoringStopped", {}, {"trust_score": 100})
        names = [name for (name,) in saboteur.execute("SELECT name FROM events ORDER BY seq")]
    finally:
        saboteur.close()
    assert not record.closed
    assert names == ["apMonitoringStarted"], (
        "close_with committed apMonitoringStopped without its summary: the event insert and "
        "the meta write are not one transaction"
    )


def test_reopening_a_closed_record_reports_closed(tmp_path: Path) -> None:
    folder = new_session_folder(tmp_path)
    first = SessionRecord(folder)
    first.append(1.0, "apMonitoringStarted", None, None, {})
    first.close_with(2.0, "apMonitoringStopped", {}, {"trust_score": 100})
    first.shut()
    again = SessionRecord(folder)
    try:
        assert again.closed
        assert [e.name for e in again.events()] == ["apMonitoringStarted", "apMonitoringStopped"]
        with pytest.raises(RecordClosed):
            again.append(3.0, "apEvidenceEvent", 5005, None, {})
    finally:
        again.shut()


def test_reopening_an_open_record_reports_open(tmp_path: Path) -> None:
    folder = new_session_folder(tmp_path)
    first = SessionRecord(folder)
    first.append(1.0, "apMonitoringStarted", None, None, {})
    first.shut()
    again = SessionRecord(folder)
    try:
        assert not again.closed
        assert again.append(2.0, "apEvidenceEvent", 5005, None, {}) == 2
    finally:
        again.shut()


def test_a_record_closed_meanwhile_by_another_connection_is_not_closed_twice(
    tmp_path: Path,
) -> None:
    """Two kiosk starts finding the same unfinished session: one closing event, not two."""
    folder = new_session_folder(tmp_path)
    first, second = SessionRecord(folder), SessionRecord(folder)
    try:
        first.close_with(2.0, "kioskEndedAbnormally", {}, {"ended": "ended abnormally"})
        with pytest.raises(RecordClosed):
            second.close_with(2.0, "kioskEndedAbnormally", {}, {"ended": "ended abnormally"})
        assert second.closed
        assert [e.name for e in second.events()] == ["kioskEndedAbnormally"]
    finally:
        first.shut()
        second.shut()


def test_a_thread_that_reopens_the_record_can_close_it(record: SessionRecord) -> None:
    """The display connection may be lost on another thread than the one that opened it."""
    import threading

    outcome: list[object] = []

    def close() -> None:
        try:
            record.reopen()
            record.close_with(3.0, "apMonitoringStopped", {}, {})
            outcome.append(record.closed)
            record.shut()
        except Exception as exc:  # reported below
            outcome.append(exc)

    worker = threading.Thread(target=close)
    worker.start()
    worker.join(10)
    assert outcome == [True]


def test_end_unmonitored(record: SessionRecord) -> None:
    record.end_unmonitored(5.0, "quit while ready")
    assert record.closed
    assert record.meta()["ended"] == "quit while ready"
    assert record.meta()["closed_at"] == 5.0
    record.end_unmonitored(6.0, "again")  # a second end changes nothing
    assert record.meta()["closed_at"] == 5.0
    with pytest.raises(RecordClosed):
        record.append(7.0, "apEvidenceEvent", 5005, None, {})


def test_mark_dispatched(record: SessionRecord) -> None:
    first = record.append(1.0, "apSuccessEvent", 2001, None, {})
    second = record.append(2.0, "apSetupComplete", None, None, {})
    record.mark_dispatched(second, 2.25)
    dispatched = {e.seq: e.dispatched for e in record.events()}
    assert dispatched == {first: None, second: 2.25}


def test_set_meta_round_trips_json(record: SessionRecord) -> None:
    record.set_meta(setup={"trackingOptions": {"audio": False}}, ids={"userId": "u1"})
    record.set_meta(ids={"userId": "u2"})
    meta = record.meta()
    assert uuid.UUID(meta.pop("registration")).version == 4  # every new record has its own
    assert meta == {
        "setup": {"trackingOptions": {"audio": False}},
        "ids": {"userId": "u2"},
    }


def test_each_event_and_decision_enters_the_outbox_with_it(record: SessionRecord) -> None:
    seq = record.append(1.0, "apSetupComplete", None, None, {})
    record.note_decision(2.0, "download", "refused", {})
    owed = record.db.execute("SELECT kind, seq, reported FROM outbox ORDER BY n").fetchall()
    assert owed == [("event", seq, None), ("decision", 1, None)]


def test_shut_releases_the_database(record: SessionRecord) -> None:
    record.append(1.0, "apMonitoringStarted", None, None, {})
    record.shut()
    with pytest.raises(RecordClosed):
        _ = record.db
    record.shut()  # idempotent
    other = _other_connection(record.path)
    try:
        assert other.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        other.close()


_CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from kiosk.session.record import SessionRecord

    record = SessionRecord(Path(sys.argv[1]))
    for i in range(25):
        record.append(float(i), "apEvidenceEvent", 5005, None, {"i": i})
    print("appended", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_events_survive_a_killed_process(tmp_path: Path) -> None:
    folder = new_session_folder(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.strip() == "appended"
    other = _other_connection(folder / RECORD_NAME)
    try:
        rows = other.execute("SELECT seq, detail FROM events ORDER BY seq").fetchall()
        closed = other.execute("SELECT value FROM meta WHERE key = 'closed_at'").fetchall()
    finally:
        other.close()
    assert [seq for seq, _ in rows] == list(range(1, 26))
    assert rows[-1][1] == '{"i":24}'
    assert closed == []
    reopened = SessionRecord(folder)
    try:
        assert not reopened.closed
        assert len(reopened.events()) == 25
    finally:
        reopened.shut()


def test_the_event_log_and_the_sessions_folder_are_private(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    log.write(1.0, "apMonitoringStarted", {"timestamp": 1000})
    log.close()
    assert stat.S_IMODE(os.stat(tmp_path / "events.jsonl").st_mode) == 0o600
    new_session_folder(tmp_path / "data")
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "sessions").st_mode) == 0o700


def test_a_full_disk_spends_the_reserve_once_then_refuses(tmp_path: Path) -> None:
    from kiosk.session.record import RESERVE_BYTES, RESERVE_NAME, RecordUnwritable
    from tests.support.tmpfs import PAGE, fill, small_tmpfs

    with small_tmpfs(tmp_path / "disk", pages=RESERVE_BYTES // PAGE + 64) as disk:
        folder = disk / "s"
        folder.mkdir()
        record = SessionRecord(folder)
        assert (folder / RESERVE_NAME).stat().st_size == RESERVE_BYTES
        record.append(1.0, "before", None, None, {})
        fill(disk, "filler")
        seq = record.append(2.0, "on the reserve", 5005, None, {"x": "y" * 2000})
        record.note_decision(2.5, "focus", "taken back", {})
        assert not (folder / RESERVE_NAME).exists()
        assert record.reserve_spent is not None and "full" in record.reserve_spent
        fill(disk, "filler2")  # what the reserve freed, taken again
        with pytest.raises(RecordUnwritable, match="cannot be written: database or disk is full"):
            for n in range(1000):  # the WAL's last page may still hold one or two
                record.append(3.0 + n, "refused", 5005, None, {"x": "y" * 2000})
        before = len(record.events())
        (disk / "filler2").unlink()
        record.append(9.0, "after", None, None, {})  # room again: recording goes on
        names = [e.name for e in record.events()]
        assert names[:2] == ["before", "on the reserve"] and names[-1] == "after"
        assert len(names) == before + 1 and record.events()[1].seq == seq
        outbox = record.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        assert outbox == len(names) + 1  # the decision too: nothing recorded is left unsent
        record.end_unmonitored(10.0, "quit")
        record.shut()
