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
from typing import Any

RECORD_NAME = "record.sqlite3"

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


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    t: float
    name: str
    code: int | None
    reason: str | None
    detail: dict[str, Any]
    dispatched: float | None


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
        if not meta:  # a new record: the session's xAPI registration, unique to it
            self.set_meta(registration=str(uuid.uuid4()))

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
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @property
    def closed(self) -> bool:
        return self._closed

    def set_meta(self, **values: Any) -> None:
        with self._transaction() as db:
            self._set_meta(db, values)

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
        with self._transaction():
            return self._insert(t, name, code, reason, detail)

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
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'closed_at'").fetchone():
                self._closed = True
                raise RecordClosed("the session was closed meanwhile")
            seq = self._insert(t, name, None, None, detail)
            self._set_meta(db, {**summary, "closed_at": t})
        self._closed = True
        return seq

    def end_unmonitored(self, t: float, why: str) -> None:
        """Closes a record whose session never monitored (quit before start, setup failed)."""
        if not self._closed:
            self.set_meta(closed_at=t, ended=why)
            self._closed = True

    def note_decision(self, t: float, policy: str, decision: str, detail: dict[str, Any]) -> None:
        """A policy decision on something the page or the student attempted (kept after close)."""
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO decisions(t, policy, decision, detail) VALUES(?, ?, ?, ?)",
                (t, policy, decision, json.dumps(detail, separators=(",", ":"))),
            )
            db.execute("INSERT INTO outbox(kind, seq) VALUES('decision', ?)", (cur.lastrowid,))

    def decisions(self) -> list[tuple[float, str, str, dict[str, Any]]]:
        rows = self.db.execute("SELECT t, policy, decision, detail FROM decisions ORDER BY seq")
        return [(t, p, d, json.loads(x)) for t, p, d, x in rows]

    def mark_dispatched(self, seq: int, t: float) -> None:
        self.db.execute("UPDATE events SET dispatched=? WHERE seq=?", (t, seq))

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
