"""Sessions a kiosk left open, found and closed by the next start on the same data folder.

A kiosk killed with SIGKILL, crashed, or stopped with the computer never closes its record: no
``closed_at``, no last event. The next ``kiosk run`` finds every record whose kiosk no longer
runs (its ``process`` identity, which a reused pid cannot fake), kills whatever is left of that
kiosk's web engine (the guardian's job, done again in case the guardian was killed too), and
closes the record as ended abnormally at the time of its last event, the last moment anything is
known to have happened, with the ``kioskEndedAbnormally`` event a reporter sends on. A record
that another kiosk is still writing is left alone.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.catalogue import lookup
from kiosk.platform.processes import ProcessIdentity, kill_engine_processes
from kiosk.session.record import ENDED_ABNORMALLY, RecordClosed, SessionRecord, session_records

log = logging.getLogger("kiosk.session")

ENDED_EVENT = lookup("kioskEndedAbnormally")
CAUSE = "the kiosk ended without closing its session (killed, crashed, or the computer stopped)"

#: A record without its kiosk's identity yet may be one a kiosk is creating right now.
CREATING_SECONDS = 60.0


@dataclass(frozen=True)
class EndedAbnormally:
    folder: Path
    ended_at: float  # the time of its last event
    killed: int  # web engine processes of the dead kiosk killed now

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.ended_at))
        line = (
            f"the session {self.folder.name} was left unfinished by a kiosk that no longer runs: "
            f"closed as ended abnormally at its last event ({when})"
        )
        if self.killed:
            line += f"; {self.killed} web engine processes it left behind were killed"
        return line


def _meta(path: Path) -> dict[str, Any] | None:
    """The record's meta, only read (None: no meta table yet, the record is being created)."""
    db = sqlite3.connect(path, timeout=5)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            return None
        rows = db.execute("SELECT key, value FROM meta").fetchall()
    finally:
        db.close()
    return {k: json.loads(v) for k, v in rows}


def _abandoned(path: Path, meta: dict[str, Any] | None, now: float) -> bool:
    if meta is not None and "closed_at" in meta:
        return False
    owner = ProcessIdentity.from_meta((meta or {}).get("process"))
    if owner is not None:
        return not owner.running()
    pid = (meta or {}).get("pid")
    if isinstance(pid, int):  # a record of an older kiosk: its pid alone, taken as alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return now - path.stat().st_mtime > CREATING_SECONDS


def _close(folder: Path, meta: dict[str, Any], now: float, killed: int) -> float:
    record = SessionRecord(folder)
    try:
        events = record.events()
        last = events[-1] if events else None
        # The last moment anything is known to have happened: its last event, or its start,
        # or the last write to a record that never got so far.
        ended = last.t if last is not None else meta.get("launched_at")
        if not isinstance(ended, int | float):
            ended = record.path.stat().st_mtime
        detail = ENDED_EVENT.detail(
            round(ended * 1000),
            lastEventSeq=None if last is None else last.seq,
            foundAt=round(now * 1000),
            monitoring="started_at" in meta,
            killedEngineProcesses=killed,
            cause=CAUSE,
        )
        summary = {"ended": ENDED_ABNORMALLY, "found_unfinished_at": now}
        record.close_with(ended, ENDED_EVENT.name, detail, summary)
    finally:
        record.shut()
    return ended


def close_unfinished(data_dir: Path, now: float) -> list[EndedAbnormally]:
    """Closes every session under ``data_dir`` that a kiosk which no longer runs left open."""
    found = []
    for path in session_records(data_dir):
        try:
            ended = _close_if_abandoned(path, now)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            log.warning("the session record %s cannot be read, left as it is: %s", path, exc)
            continue
        if ended is not None:
            found.append(ended)
    return found


def _close_if_abandoned(path: Path, now: float) -> EndedAbnormally | None:
    meta = _meta(path)
    if not _abandoned(path, meta, now):
        return None
    meta = meta or {}
    owner = ProcessIdentity.from_meta(meta.get("process"))
    killed = len(kill_engine_processes(owner)) if owner is not None else 0
    try:
        ended = _close(path.parent, meta, now, killed)
    except RecordClosed:
        return None  # another kiosk starting at the same moment closed it first
    return EndedAbnormally(path.parent, ended, killed)
