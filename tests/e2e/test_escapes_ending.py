"""Ending the exam badly, from outside: the kiosk's X connection killed, the kiosk killed.

Neither can be prevented: any X client may kill another's connection (XKillClient, what
``xdotool windowkill`` does), and the student's own account may SIGKILL the kiosk. What must
hold is that the kiosk records it: the X kill closes the record with its cause before the kiosk
exits with the documented code 4; after a SIGKILL, no process of the web engine survives the
kiosk, and the next start closes the unfinished session as ended abnormally and says so.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names
from tests.support.tally import ESCAPES
from tests.support.xdo import window_named, xdotool

Start = Callable[..., KioskProcess]

DISPLAY_LOST = 4  # the exit code the README documents for a lost display connection
ENDED_ABNORMALLY = "kioskEndedAbnormally"  # the catalogue's kiosk extension event


def started(reports: list[dict[str, Any]]) -> bool:
    return "apMonitoringStarted" in event_names(reports)


def read_record(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    db = sqlite3.connect(folder / "record.sqlite3")
    try:
        rows = db.execute("SELECT seq, t, name, detail FROM events ORDER BY seq").fetchall()
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    finally:
        db.close()
    return [{"seq": s, "t": t, "name": n, "detail": json.loads(d)} for s, t, n, d in rows], meta


# -- processes, as /proc shows them -------------------------------------------------------------


def stat_of(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time in clock ticks) of ``pid``, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := stat_of(int(entry.name))) is not None:
            children.setdefault(found[1], []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def engine_processes(kiosk_pid: int) -> dict[int, int]:
    """The web engine's processes under the kiosk: pid -> start time (the identity to follow:
    a pid alone may be reused)."""
    out = {}
    for pid in descendants(kiosk_pid):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        found = stat_of(pid)
        if name.startswith("QtWebEngine") and found is not None and found[0] != "Z":
            out[pid] = found[2]
    return out


def survivors(engine: dict[int, int]) -> dict[int, str]:
    """Those of ``engine`` still running (a zombie has ended; only its parent's wait is due)."""
    out = {}
    for pid, start in engine.items():
        found = stat_of(pid)
        if found is not None and found[2] == start and found[0] != "Z":
            out[pid] = found[0]
    return out


def wait_gone(engine: dict[int, int], timeout: float = 10.0) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while (left := survivors(engine)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def engine_of(proc: KioskProcess, timeout: float = 15.0) -> dict[int, int]:
    """The positive witness: the engine runs a zygote and a renderer for the exam page."""
    deadline = time.monotonic() + timeout
    while len(found := engine_processes(proc.proc.pid)) < 2:
        assert time.monotonic() < deadline, f"no engine processes under the kiosk: {found}"
        time.sleep(0.05)
    return found


@pytest.fixture
def leftovers() -> Iterator[list[dict[int, int]]]:
    """Engine processes a test froze: killed at the end whatever the kiosk did."""
    frozen: list[dict[int, int]] = []
    yield frozen
    for engine in frozen:
        for pid in survivors(engine):
            os.kill(pid, signal.SIGKILL)


# -- the X connection ---------------------------------------------------------------------------


def test_killing_the_kiosks_x_connection_closes_the_record_with_the_cause(
    kiosk: Start, server: ReportServer, run_id: str, display: object
) -> None:
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    server.wait_for(run_id, started)
    xdotool("windowkill", window_named("^kiosk$"))
    code = proc.wait(15)
    recorded, meta = proc.record()
    last = recorded[-1]
    closed = "closed_at" in meta and last["name"] == "apMonitoringStopped"
    ESCAPES.record("kill the kiosk's X connection (xdotool windowkill)", not closed)
    assert closed, (recorded, meta, proc.stderr())
    assert code == DISPLAY_LOST, proc.stderr()
    cause = last["detail"]["stoppedBy"]
    assert "X connection" in cause and "killed" in cause, cause
    assert meta["closed_at"] == last["t"]
    assert meta["trust_score"] == last["detail"]["trustScore"]
    lines = [x for x in proc.stderr().splitlines() if x.startswith("kiosk: ")]
    assert len(lines) == 1 and "display connection was lost" in lines[0], proc.stderr()


# -- SIGKILL ------------------------------------------------------------------------------------


def exam_with_its_engine(
    kiosk: Start, server: ReportServer, run_id: str, leftovers: list[dict[int, int]], frozen: bool
) -> tuple[KioskProcess, dict[int, int]]:
    """A monitoring exam and its engine's processes, stopped when ``frozen`` (as a debugger or
    the student's program can stop them: then they cannot notice the kiosk's death)."""
    proc = kiosk(server.exam_url(run_id, "setup,start"))
    server.wait_for(run_id, started)
    engine = engine_of(proc)
    leftovers.append(engine)
    for pid in engine if frozen else ():
        os.kill(pid, signal.SIGSTOP)
    return proc, engine


@pytest.mark.parametrize("frozen", [False, True], ids=["running", "frozen"])
def test_no_engine_process_outlives_a_killed_kiosk(
    kiosk: Start,
    server: ReportServer,
    run_id: str,
    leftovers: list[dict[int, int]],
    frozen: bool,
) -> None:
    proc, engine = exam_with_its_engine(kiosk, server, run_id, leftovers, frozen)
    proc.signal(signal.SIGKILL)
    proc.wait(10)
    left = wait_gone(engine)
    how = " with its engine frozen" if frozen else ""
    ESCAPES.record(f"kill -9 the kiosk{how}: the web engine survives", bool(left))
    assert not left, f"engine processes survived the kiosk: {left}"


def guardians(proc: KioskProcess) -> list[int]:
    """The kiosk's guardian process (see kiosk/platform/guardian.py), if it runs one."""
    out = []
    for pid in descendants(proc.proc.pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kiosk.platform.guardian" in argv:
            out.append(pid)
    return out


def test_the_next_start_closes_the_killed_session_and_kills_what_is_left(
    kiosk: Start, server: ReportServer, run_id: str, leftovers: list[dict[int, int]]
) -> None:
    """SIGKILL to the kiosk and its guardian at once, its engine frozen: nothing of it notices.
    The next start finds the unfinished session, closes it as ended abnormally at the time of
    its last event, says so in one line, and kills the engine processes left behind."""
    first, engine = exam_with_its_engine(kiosk, server, run_id, leftovers, frozen=True)
    folder = first.session_folder()
    for pid in guardians(first):
        os.kill(pid, signal.SIGKILL)
    first.signal(signal.SIGKILL)
    first.wait(10)
    killed_at = time.time()
    before, _ = read_record(folder)
    assert survivors(engine), "the witness: the frozen engine outlives the kiosk for now"

    again = run_id + "-again"
    second = kiosk(server.exam_url(again, ""), "--data-dir", str(first.data_dir))
    server.wait_for(again, lambda r: any(x["type"] == "info" for x in r))
    left = wait_gone(engine)
    recorded, meta = read_record(folder)
    ended = recorded[-1]
    closed = meta.get("closed_at") is not None and ended["name"] == ENDED_ABNORMALLY
    ESCAPES.record("kill -9 the kiosk and its guardian", not closed or bool(left))
    assert closed, (recorded, meta, second.stderr())
    assert not left, f"the next start left the engine processes of the killed kiosk: {left}"
    assert recorded[:-1] == before
    assert meta["closed_at"] == ended["t"] == before[-1]["t"] < killed_at
    assert ended["detail"]["lastEventSeq"] == before[-1]["seq"]
    assert ended["detail"]["timestamp"] == round(before[-1]["t"] * 1000)
    assert meta["ended"] == "ended abnormally"
    said = [x for x in second.stderr().splitlines() if "ended abnormally" in x]
    assert len(said) == 1 and folder.name in said[0], second.stderr()
    second.signal(signal.SIGTERM)
    assert second.wait(10) == 0, second.stderr()
