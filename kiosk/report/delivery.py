"""Delivering a session's outbox: in order, in batches, until nothing is owed or the LRS fails.

``deliver`` is the one way statements leave: the reporter thread of a running kiosk, the next
start and ``kiosk report flush`` all call it. A failure leaves the rest owed, in the record.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.report.lrs import Lrs, LrsRefused, LrsUnavailable
from kiosk.report.outbox import Outbox
from kiosk.report.signing import Signer
from kiosk.session.record import session_records

log = logging.getLogger("kiosk.report")


@dataclass(frozen=True)
class Delivered:
    folder: Path
    sent: int
    owed: int  # left after this attempt
    waiting: bool  # the session's statements cannot be built yet (no setup() yet)
    error: str | None = None
    retry_after: float | None = None
    refused: bool = False  # the LRS refused the statements for good (a 4xx): sending again won't do


def deliver(
    folder: Path,
    lrs: Lrs,
    batch: int,
    *,
    clock: Callable[[], float] = time.time,
    keep_going: Callable[[], bool] = lambda: True,
    signer: Signer | None = None,
) -> Delivered:
    sign = signer.sign if signer is not None else _unsigned
    sent = 0
    with Outbox(folder) as box:
        facts = box.facts()
        if facts is None:
            return Delivered(folder, 0, box.standing().owed, waiting=True)
        while keep_going():
            owed = box.owed(facts, batch)
            if not owed:
                break
            try:
                lrs.send([sign(o.statement) for o in owed])
            except LrsUnavailable as exc:
                left = box.standing().owed
                return Delivered(folder, sent, left, False, str(exc), exc.retry_after)
            except LrsRefused as exc:  # kept owed: an administrator must look
                log.error("%s: %s", folder.name, exc)
                left = box.standing().owed
                return Delivered(folder, sent, left, False, str(exc), refused=True)
            try:
                box.mark_reported([o.n for o in owed], clock())
            except sqlite3.OperationalError as exc:  # a full disk: sent again later, kept once
                left = box.standing().owed
                return Delivered(folder, sent, left, False, f"the record cannot be marked: {exc}")
            sent += len(owed)
        return Delivered(folder, sent, box.standing().owed, waiting=False)


def _unsigned(statement: dict[str, Any]) -> dict[str, Any]:
    return statement


def reported_sessions(data_dir: Path, lrs: str | None = None) -> list[Path]:
    """Every session folder under ``data_dir`` whose kiosk was told to report to an LRS (to
    ``lrs``, when given: a session goes to the LRS it ran with, never to another; a session run
    without one is never sent later, when one is configured)."""
    found = []
    for path in session_records(data_dir):
        try:
            with Outbox(path.parent) as box:
                ran_with = box.meta().get("report_lrs")
                if ran_with and (lrs is None or ran_with == lrs):
                    found.append(path.parent)
        except sqlite3.DatabaseError as exc:
            log.warning("the session record %s cannot be read: %s", path, exc)
    return found
