"""Sessions left open by a kiosk that died, found and closed by the next start: real records,
real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.platform.processes import this_process
from kiosk.session.record import SessionRecord, new_session_folder
from kiosk.session.unfinished import CREATING_SECONDS, close_unfinished
from tests.support.engine_stand_in import dead_identity, ended, engine_process

T0 = 1_800_000_000.0
NOW = T0 + 3600


def a_session(data: Path, owner: dict[str, object] | None, events: int = 2) -> SessionRecord:
    """A record as a kiosk leaves it: its identity, ``events`` events, not closed."""
    record = SessionRecord(new_session_folder(data))
    if owner is not None:
        record.set_meta(launched_at=T0, **owner)
    for i in range(events):
        record.append(T0 + 10 * (i + 1), "apMonitoringStarted" if i == 0 else "x", None, None, {})
    return record


def test_a_dead_kiosks_session_is_closed_at_its_last_event(tmp_path: Path) -> None:
    dead = dead_identity()
    record = a_session(tmp_path, {"process": dead.as_meta(), "started_at": T0 + 10})
    with engine_process(tmp_path, dead) as left:
        found = close_unfinished(tmp_path, NOW)
        assert ended(left) == -9
    assert [f.folder for f in found] == [record.folder] and found[0].killed == 1
    events, meta = record.events(), record.meta()
    last = events[-1]
    assert last.name == "kioskEndedAbnormally" and last.t == T0 + 20 == meta["closed_at"]
    assert last.detail == {
        "timestamp": round((T0 + 20) * 1000),
        "lastEventSeq": events[-2].seq,
        "foundAt": round(NOW * 1000),
        "monitoring": True,
        "killedEngineProcesses": 1,
        "cause": last.detail["cause"],
    }
    assert meta["ended"] == "ended abnormally" and meta["found_unfinished_at"] == NOW
    line = found[0].describe()
    assert record.folder.name in line and "ended abnormally" in line and "\n" not in line
    assert close_unfinished(tmp_path, NOW + 1) == []  # found once


def test_a_running_kiosks_session_and_closed_ones_are_left_alone(tmp_path: Path) -> None:
    running = a_session(tmp_path, {"process": this_process().as_meta()})
    closed = a_session(tmp_path, {"process": dead_identity().as_meta()})
    closed.end_unmonitored(T0 + 30, "quit while idle")
    assert close_unfinished(tmp_path, NOW) == []
    assert not running.meta().get("closed_at")
    assert closed.meta()["ended"] == "quit while idle"


def test_a_session_that_never_had_an_event_ends_when_it_was_launched(tmp_path: Path) -> None:
    record = a_session(tmp_path, {"process": dead_identity().as_meta()}, events=0)
    [found] = close_unfinished(tmp_path, NOW)
    assert found.ended_at == T0 == record.meta()["closed_at"]
    assert record.events()[-1].detail["lastEventSeq"] is None
    assert record.events()[-1].detail["monitoring"] is False


def test_an_older_kiosks_record_is_judged_by_its_pid(tmp_path: Path) -> None:
    gone = a_session(tmp_path, {"pid": dead_identity().pid})
    alive = a_session(tmp_path, {"pid": os.getpid()})
    assert [f.folder for f in close_unfinished(tmp_path, NOW)] == [gone.folder]
    assert not alive.meta().get("closed_at")


def test_a_record_without_an_owner_is_closed_only_once_it_is_old(tmp_path: Path) -> None:
    record = a_session(tmp_path, None, events=0)
    assert close_unfinished(tmp_path, time.time()) == []  # a kiosk may be creating it
    later = time.time() + CREATING_SECONDS + 1
    [found] = close_unfinished(tmp_path, later)
    assert found.folder == record.folder
    assert found.ended_at == pytest.approx(record.path.stat().st_mtime, abs=5)


@pytest.mark.expect_log(r"kiosk\.session: the session record .* cannot be read")
def test_an_unreadable_record_is_reported_and_left(tmp_path: Path) -> None:
    folder = new_session_folder(tmp_path)
    (folder / "record.sqlite3").write_bytes(b"not a database" * 100)
    dead = a_session(tmp_path, {"process": dead_identity().as_meta()})
    assert [f.folder for f in close_unfinished(tmp_path, NOW)] == [dead.folder]
    assert (folder / "record.sqlite3").read_bytes().startswith(b"not a database")


def test_no_sessions_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert close_unfinished(tmp_path / "nowhere", NOW) == []
