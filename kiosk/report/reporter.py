"""The running kiosk's reporter: a thread that sends what the record owes while the exam runs.

It never blocks the exam: events are committed to the record on the GUI thread, and this thread
reads the outbox through its own connection, waking a little after something was recorded (or
every few seconds). Once the current session's statements go through, it also sends what earlier
sessions in the same data folder still owe (a killed kiosk's, one that ended while the LRS was
down), until they owe nothing, and then deletes those whose retention is over
(kiosk/report/retention.py). When the LRS fails it waits, doubling up to a minute and never less
than the LRS's ``Retry-After``. When the kiosk quits it gets a short grace to send the rest;
whatever is left stays owed in the record, for the next start or ``kiosk report flush``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.report.delivery import deliver, reported_sessions
from kiosk.report.lrs import Lrs
from kiosk.report.retention import purge
from kiosk.report.signing import Signer

log = logging.getLogger("kiosk.report")

POLL_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0


class Reporter:
    def __init__(
        self,
        folder: Path,
        data_dir: Path,
        lrs: Lrs,
        batch: int,
        pending: Callable[[int], None] | None = None,
        signer: Signer | None = None,
        keep_days: float | None = None,
    ) -> None:
        """``pending(n)`` is told, from this thread, after each attempt: how many statements
        are owed when the LRS failed, 0 when it took them (the window's "reports pending"
        mark: owed statements of a session not set up yet are not the LRS being behind)."""
        self.folder = folder
        self._data_dir = data_dir
        self._lrs = lrs
        self._batch = batch
        self._pending = pending
        self._signer = signer
        self._keep_days = keep_days
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-reporter", daemon=True)
        # Earlier sessions the LRS refused for good: not sent again until the next start.
        self._set_aside: set[Path] = set()
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """Something was recorded: send soon."""
        self._wake.set()

    def finish(self, grace_seconds: float) -> None:
        """The kiosk is quitting: one last pass, for at most ``grace_seconds``."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(grace_seconds)
        if self._thread.is_alive():
            log.warning("reports still owed when the kiosk quit are kept for the next start")

    def _run(self) -> None:
        earlier_owed = True  # until a pass over the earlier sessions sent them all
        backoff = 0.0
        while True:
            stopping = self._stopping.is_set()
            try:
                done = deliver(self.folder, self._lrs, self._batch, signer=self._signer)
            except Exception:  # a bug here must not end reporting silently
                log.exception("reporting failed")
                done = None
            if done is not None and self._pending is not None:
                self._pending(done.owed if done.error is not None else 0)
            if stopping:
                return
            if done is not None and done.error is None and earlier_owed:
                earlier_owed = not self._earlier_sessions()
                if not earlier_owed:
                    self._purge()
            if done is not None and done.error is not None:
                if done.error != self.last_error:
                    log.warning("reports are owed: %s", done.error)
                self.last_error = done.error
                backoff = min(MAX_BACKOFF_SECONDS, max(backoff * 2, 1.0))
                # What is recorded meanwhile waits too: only quitting cuts the wait short.
                self._stopping.wait(max(backoff, done.retry_after or 0.0))
                continue
            self.last_error, backoff = None, 0.0
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _earlier_sessions(self) -> bool:
        """Sends what earlier sessions owe; whether they owe nothing any more."""
        for folder in reported_sessions(self._data_dir, self._lrs.base):
            if folder == self.folder or folder in self._set_aside:
                continue
            if self._stopping.is_set():
                return False
            try:
                done = deliver(
                    folder,
                    self._lrs,
                    self._batch,
                    keep_going=self._not_stopping,
                    signer=self._signer,
                )
            except Exception:
                log.exception("reporting %s failed", folder.name)
                return False
            if done.refused:
                log.warning("%s is set aside until the next start: %s", folder.name, done.error)
                self._set_aside.add(folder)
                continue
            if done.error is not None or (done.owed and not done.waiting):
                return False  # the LRS failed: tried again after the current session's next pass
        return True

    def _purge(self) -> None:
        if self._keep_days is None:
            return
        try:
            for gone in purge(self._data_dir, self._keep_days, time.time(), self.folder):
                log.info("deleted %s: reported and kept %g days", gone.name, self._keep_days)
        except Exception:
            log.exception("deleting reported sessions failed")

    def _not_stopping(self) -> bool:
        return not self._stopping.is_set()
