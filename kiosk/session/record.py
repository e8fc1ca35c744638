"""The session record: a SQLite database (WAL) per session, the durable truth of what happened.

Every event is committed here before it is dispatched to the page, with ``synchronous=FULL``
so a crash (or a power cut) after an event fired cannot lose it. Each event and decision also
enters the outbox in the same transaction: what the learning record store is owed
(kiosk/report) can never miss one that was recorded. Closing the session writes the
final event, the trust score and the violations in one transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

RECORD_NAME = "record.sqlite3"

T = TypeVar("T")

#: The meta ``ended`` of a session whose kiosk died and a later one closed
#: (kiosk/session/unfinished.py).
ENDED_ABNORMALLY = "ended abnormally"

#: Space a new record keeps in reserve, in a file beside it: when the disk is full, freeing it
#: lets the record take the event that failed and the error that tells the page (4005).
RESERVE_NAME = "reserve"
RESERVE_BYTES = 512 * 1024

#: How enforcement notes a decision in the record: ``decided(policy, decision, detail)``.
Decided = Callable[[str, str, dict[str, Any]], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL            -- JSON
);
CREATE TABLE IF NOT EXISTS events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    t          REAL NOT NULL,      -- unix seconds when the event fired
    name       TEXT NOT NULL,      -- DOM event name dispatched on window
    code       INTEGER,            -- success/error/evidence code, NULL for regular events
    reason     TEXT,
    detail     TEXT NOT NULL,      -- JSON, exactly what the page receives
    dispatched REAL                -- unix seconds the page acknowledged it, NULL before
);
CREATE TABLE IF NOT EXISTS decisions (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    t        REAL NOT NULL,
    policy   TEXT NOT NULL,        -- which policy decided: new_window, download, ...
    decision TEXT NOT NULL,        -- what it decided: refused, opened in the exam window, ...
    detail   TEXT NOT NULL         -- JSON
);
CREATE TABLE IF NOT EXISTS outbox (
    n        INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order statements are sent in
    kind     TEXT NOT NULL,        -- 'event' or 'decision'
    seq      INTEGER NOT NULL,     -- its row in that table
    reported REAL,                 -- unix seconds the LRS confirmed it, NULL before
    UNIQUE (kind, seq)
);
"""


class RecordClosed(RuntimeError):
    pass


class RecordUnwritable(RuntimeError):
    """The disk is full (or fails) and the reserve is spent: the event was not recorded."""


def _no_room(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "full" in text or "disk i/o" in text


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    t: float
    name: str
    code: int | None
    reason: str | None
    detail: dict[str, Any]
    dispatched: float | None


def session_records(data_dir: Path) -> list[Path]:
    """The record of every session under ``data_dir``, oldest first (folders sort by time)."""
    return sorted((data_dir / "sessions").glob(f"*/{RECORD_NAME}"))


def new_session_folder(data_dir: Path) -> Path:
    """``DATA/sessions/20261125T223000Z-1a2b3c4d``, private to the user (0700)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    sessions = data_dir / "sessions"
    sessions.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = sessions / f"{stamp}-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o700)
    return folder


class SessionRecord:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / RECORD_NAME
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        self._db: sqlite3.Connection | None = None
        self.reopen()
        self.db.executescript(_SCHEMA)
        meta = self.meta()
        self._closed = meta.get("closed_at") is not None
        #: Why the reserve was spent (the first write the disk refused); None while it holds.
        self.reserve_spent: str | None = None
        if not meta:  # a new record: the session's xAPI registration, unique to it
            self.set_meta(registration=str(uuid.uuid4()))
            _keep_reserve(folder / RESERVE_NAME)

    def reopen(self) -> None:
        """A connection of the calling thread's own (SQLite's are bound to the thread that
        opened them): for closing the record from whichever thread learns the kiosk must end."""
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RecordClosed(f"the session record {self.path} is shut")
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing. The connection autocommits, so ``with db:`` alone would not."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may have rolled back itself (a full disk)
                db.execute("ROLLBACK")
            raise

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """One transaction; on a full disk, once more in the space the reserve held."""
        reserve = self.folder / RESERVE_NAME
        while True:
            try:
                with self._transaction() as db:
                    return work(db)
            except sqlite3.OperationalError as exc:
                if not _no_room(exc):
                    raise
                if not reserve.exists():
                    raise RecordUnwritable(f"the session record cannot be written: {exc}") from None
                reserve.unlink()  # the next try has its space
                self.reserve_spent = self.reserve_spent or str(exc)

    def drop_reserve(self) -> None:
        """A closed session needs none (its retention keeps it for days)."""
        (self.folder / RESERVE_NAME).unlink(missing_ok=True)

    @property
    def closed(self) -> bool:
        return self._closed

    def set_meta(self, **values: Any) -> None:
        self._write(lambda db: self._set_meta(db, values))

    @staticmethod
    def _set_meta(db: sqlite3.Connection, values: dict[str, Any]) -> None:
        db.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [(k, json.dumps(v)) for k, v in values.items()],
        )

    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def append(
        self, t: float, name: str, code: int | None, reason: str | None, detail: dict[str, Any]
    ) -> int:
        """Commits one event and returns its sequence number."""
        if self._closed:
            raise RecordClosed(f"the session is closed; {name} {code or ''} was not recorded")
        return self._write(lambda _db: self._insert(t, name, code, reason, detail))

    def _insert(
        self, t: float, name: str, code: int | None, reason: str | None, detail: dict[str, Any]
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO events(t, name, code, reason, detail) VALUES(?, ?, ?, ?, ?)",
            (t, name, code, reason, json.dumps(detail, separators=(",", ":"))),
        )
        assert cur.lastrowid is not None
        self.db.execute("INSERT INTO outbox(kind, seq) VALUES('event', ?)", (cur.lastrowid,))
        return cur.lastrowid

    def close_with(
        self, t: float, name: str, detail: dict[str, Any], summary: dict[str, Any]
    ) -> int:
        """Writes the session's last event and its summary in one transaction (refused when
        the record is closed, by this connection or by another kiosk meanwhile)."""
        if self._closed:
            raise RecordClosed("the session is already closed")

        def close(db: sqlite3.Connection) -> int:
            if db.execute("SELECT 1 FROM meta WHERE key = 'closed_at'").fetchone():
                self._closed = True
                raise RecordClosed("the session was closed meanwhile")
            seq = self._insert(t, name, None, None, detail)
            self._set_meta(db, {**summary, "closed_at": t})
            return seq

        seq = self._write(close)
        self._closed = True
        self.drop_reserve()
        return seq

    def end_unmonitored(self, t: float, why: str) -> None:
        """Closes a record whose session never monitored (quit before start, setup failed)."""
        if not self._closed:
            self.set_meta(closed_at=t, ended=why)
            self._closed = True
            self.drop_reserve()

    def note_decision(self, t: float, policy: str, decision: str, detail: dict[str, Any]) -> None:
        """A policy decision on something the page or the student attempted (kept after close)."""

        def insert(db: sqlite3.Connection) -> None:
            cur = db.execute(
                "INSERT INTO decisions(t, policy, decision, detail) VALUES(?, ?, ?, ?)",
                (t, policy, decision, json.dumps(detail, separators=(",", ":"))),
            )
            db.execute("INSERT INTO outbox(kind, seq) VALUES('decision', ?)", (cur.lastrowid,))

        self._write(insert)

    def decisions(self) -> list[tuple[float, str, str, dict[str, Any]]]:
        rows = self.db.execute("SELECT t, policy, decision, detail FROM decisions ORDER BY seq")
        return [(t, p, d, json.loads(x)) for t, p, d, x in rows]

    def mark_dispatched(self, seq: int, t: float) -> None:
        """Best effort: on a full disk the event stays recorded, only when the page had it is
        not (the reserve is kept for events)."""
        try:
            self.db.execute("UPDATE events SET dispatched=? WHERE seq=?", (t, seq))
        except sqlite3.OperationalError as exc:
            if not _no_room(exc):
                raise

    def events(self) -> list[RecordedEvent]:
        rows = self.db.execute(
            "SELECT seq, t, name, code, reason, detail, dispatched FROM events ORDER BY seq"
        )
        return [
            RecordedEvent(seq, t, name, code, reason, json.loads(detail), dispatched)
            for seq, t, name, code, reason, detail, dispatched in rows
        ]

    def shut(self) -> None:
        """Releases the database (checkpointing the WAL into the main file)."""
        if self._db is not None:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()
            self._db = None


def _keep_reserve(path: Path) -> None:
    """Best effort: a disk too full for the reserve already is no reason not to run."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except OSError:
        return
    try:
        os.write(fd, b"\0" * RESERVE_BYTES)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        return
    os.close(fd)
