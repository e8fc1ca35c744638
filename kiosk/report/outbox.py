"""What a session record still owes the LRS, read and marked through a connection of its own.

The kiosk writing the exam, a reporter thread and ``kiosk report flush`` in another process may
all have the record open: WAL lets them read while it writes, and marking a row reported is one
short UPDATE. Statements go in the order they were recorded; a row is marked only after the LRS
confirmed it, so a crash in between sends it again, and the LRS keeps it once (same id).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.report.photos import referenced
from kiosk.report.statements import SessionFacts, decision_statement, event_statement
from kiosk.session.record import ENDED_ABNORMALLY, RECORD_NAME


@dataclass(frozen=True)
class Owed:
    n: int
    statement: dict[str, Any]


@dataclass(frozen=True)
class Standing:
    reported: int
    owed: int
    closed: bool
    ended_abnormally: bool
    last_reported: float | None = None  # when the LRS confirmed the last of them


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = sqlite3.connect(folder / RECORD_NAME, timeout=10, isolation_level=None)
        # A record older than reporting has no outbox: it owes nothing (its kiosk sent nothing).
        self.exists = bool(
            self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone()
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def facts(self) -> SessionFacts | None:
        """Who and what the statements are about; None while that is not settled yet (the page
        has not called setup(), the session is open): statements are built only once it is,
        so a resend is always the same statement."""
        meta = self.meta()
        if not self.exists:
            return None
        if "ids" not in meta and "closed_at" not in meta:
            return None
        return SessionFacts.from_meta(self.folder.name, meta)

    def owed(self, facts: SessionFacts, limit: int) -> list[Owed]:
        rows = self.db.execute(
            "SELECT o.n, o.kind, o.seq, e.t, e.name, e.code, e.reason, e.detail,"
            " d.t, d.policy, d.decision, d.detail FROM outbox o"
            " LEFT JOIN events e ON o.kind = 'event' AND e.seq = o.seq"
            " LEFT JOIN decisions d ON o.kind = 'decision' AND d.seq = o.seq"
            " WHERE o.reported IS NULL ORDER BY o.n LIMIT ?",
            (limit,),
        ).fetchall()
        out = []
        for n, kind, seq, et, name, code, reason, edetail, dt, policy, decision, ddetail in rows:
            if kind == "event":
                detail, photos = referenced(json.loads(edetail), self.folder)
                st = event_statement(facts, seq, et, name, code, reason, detail, photos)
            else:
                st = decision_statement(facts, seq, dt, policy, decision, json.loads(ddetail))
            out.append(Owed(n, st))
        return out

    def mark_reported(self, upto: list[int], t: float) -> None:
        """One transaction: a batch is marked whole or not at all."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "UPDATE outbox SET reported = ? WHERE n = ?", [(t, n) for n in upto]
            )

    def made(self) -> list[tuple[str, int]]:
        """Every statement this record makes, as (kind, seq), in the order it was recorded."""
        return [(k, int(s)) for k, s in self.db.execute("SELECT kind, seq FROM outbox ORDER BY n")]

    def standing(self) -> Standing:
        if not self.exists:
            return Standing(0, 0, "closed_at" in self.meta(), False)
        reported, owed, last = self.db.execute(
            "SELECT COUNT(reported), COUNT(*) - COUNT(reported), MAX(reported) FROM outbox"
        ).fetchone()
        meta = self.meta()
        ended = meta.get("ended") == ENDED_ABNORMALLY
        return Standing(reported, owed, "closed_at" in meta, ended, last)
