"""Where an event goes once the page has it: the ``--event-log`` copy and the school's LRS.

Both are copies of the record, for other programs, and neither may stop the exam: the log is
left alone once writing it fails (noted once in the record), and the reporter sends from its
own thread. What the reporter says of how far behind it is reaches the window's "reports
pending" mark through ``pending``, a signal queued into the GUI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bridge.messages import FiredEvent
from kiosk.launch.options import RunOptions
from kiosk.platform.qt import QObject, pyqtSignal
from kiosk.report.reporter import Reporter
from kiosk.report.running import GRACE_SECONDS, start_reporting
from kiosk.session.event_log import EventLog
from kiosk.session.record import Decided

log = logging.getLogger("kiosk.report")


class Outlets(QObject):
    #: Statements owed while the LRS fails; 0 once it has caught up (from any thread).
    pending = pyqtSignal(int)

    def __init__(self, opts: RunOptions, decided: Decided) -> None:
        """Opens the event log first: one that cannot be opened is refused (a UsageError)
        before any session exists. ``decided`` notes in the record (called only later)."""
        super().__init__()
        self._opts = opts
        self._decided = decided
        path = opts.event_log
        self.event_log = EventLog(path, self._event_log_failed) if path else None
        self.reporter: Reporter | None = None

    def start_reporting(self, folder: Path) -> None:
        """Once the session's record exists: sends to the LRS, when one is configured."""
        self.reporter = start_reporting(folder, self._opts, self._decided, self.pending.emit)

    def delivered(self, event: FiredEvent, t: float) -> None:
        if self.reporter is not None:
            self.reporter.nudge()
        if self.event_log is not None:
            for name in event.names:
                self.event_log.write(t, name, event.detail)

    def close_log(self) -> None:
        if self.event_log is not None:
            self.event_log.close()

    def finish(self) -> None:
        """The session is over: the log is closed, and the reporter has its last pass."""
        self.close_log()
        if self.reporter is not None:
            self.reporter.finish(GRACE_SECONDS)

    def _event_log_failed(self, error: str) -> None:
        """Once: the exam goes on, every event still in the record."""
        assert self.event_log is not None
        log.warning("the event log %s stopped: %s", self.event_log.path, error)
        detail: dict[str, Any] = {"path": str(self.event_log.path), "error": error}
        self._decided("event_log", "stopped writing", detail)
