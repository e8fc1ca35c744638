"""The running kiosk's reporter: a thread that sends what the record owes while the exam runs.

It never blocks the exam: events are committed to the record on the GUI thread, and this thread
reads the outbox through its own connection, waking a little after something was recorded (or
every few seconds). When the LRS fails it waits, doubling up to a minute and never less than the
LRS's ``Retry-After``. On its first pass it also sends what earlier sessions in the same data
folder still owe (a killed kiosk's, one that ended while the LRS was down). When the kiosk quits
it gets a short grace to send the rest; whatever is left stays owed in the record, for the next
start or ``kiosk report flush``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.report.delivery import deliver, reported_sessions
from kiosk.report.lrs import Lrs
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
    ) -> None:
        """``pending(n)`` is told, from this thread, how many statements are owed after each
        attempt (the window's "reports pending" mark)."""
        self.folder = folder
        self._data_dir = data_dir
        self._lrs = lrs
        self._batch = batch
        self._pending = pending
        self._signer = signer
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-reporter", daemon=True)
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
        self._earlier_sessions()
        backoff = 0.0
        while True:
            stopping = self._stopping.is_set()
            try:
                done = deliver(self.folder, self._lrs, self._batch, signer=self._signer)
            except Exception:  # a bug here must not end reporting silently
                log.exception("reporting failed")
                done = None
            if done is not None and self._pending is not None:
                self._pending(done.owed)
            if stopping:
                return
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

    def _earlier_sessions(self) -> None:
        for folder in reported_sessions(self._data_dir):
            if folder == self.folder or self._stopping.is_set():
                continue
            try:
                done = deliver(
                    folder, self._lrs, self._batch, self._not_stopping, signer=self._signer
                )
            except Exception:
                log.exception("reporting %s failed", folder.name)
                continue
            if done.error is not None:  # the LRS is down: the current session's loop retries
                return

    def _not_stopping(self) -> bool:
        return not self._stopping.is_set()
