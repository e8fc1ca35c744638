"""Retention: a session's record and evidence photos leave this computer only after the LRS has
confirmed every statement of it, and ``keep_days`` more have passed. A session never reported
(no LRS configured), still open, or owing anything is kept: deleting it would lose the only copy.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

from kiosk.report.delivery import reported_sessions
from kiosk.report.outbox import Outbox

log = logging.getLogger("kiosk.report")

DAY = 86400.0


def due(folder: Path, keep_days: float, now: float) -> bool:
    with Outbox(folder) as box:
        standing = box.standing()
    if not standing.closed or standing.owed or standing.last_reported is None:
        return False
    return now - standing.last_reported >= keep_days * DAY


def purge(data_dir: Path, keep_days: float, now: float, keep: Path | None = None) -> list[Path]:
    """Deletes every session folder that is due (never ``keep``, the running one); returns them."""
    gone = []
    for folder in reported_sessions(data_dir):
        if folder == keep:
            continue
        try:
            if not due(folder, keep_days, now):
                continue
        except sqlite3.DatabaseError as exc:
            log.warning("the session record in %s cannot be read, kept: %s", folder, exc)
            continue
        shutil.rmtree(folder)
        gone.append(folder)
    return gone
