"""The ``--event-log`` file: one JSON object per event dispatched into the page (JSON Lines).

The log is a copy for other programs; the session record is the truth. So the log must never
stop or break an exam: it is a regular file, opened without blocking (a FIFO nobody reads
would hold the kiosk forever, a device like /dev/full swallow or refuse every line), checked
before any session exists; and when writing it fails during the exam (the disk is full), the
line that failed is taken back, the failure is reported once and the log is left alone.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.platform.errors import UsageError
from kiosk.platform.files import file_kind

_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def open_log(path: Path) -> int:
    """A descriptor of the log, appending; anything but a regular file is a UsageError."""
    said = f"--event-log {path}"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG  # made below, private to the user
    except (OSError, ValueError) as exc:
        raise UsageError(f"{said}: cannot write it ({getattr(exc, 'strerror', exc)})") from None
    if not stat.S_ISREG(mode):  # not even opened: opening a device can do things
        raise UsageError(f"{said}: cannot write it: {file_kind(mode)}not a regular file")
    try:
        # The same details as the record (0600): private to the user as well.
        fd = os.open(path, _FLAGS, 0o600)
    except FileNotFoundError:
        raise UsageError(f"{said}: the folder {path.parent} does not exist") from None
    except OSError as exc:
        raise UsageError(f"{said}: cannot write it ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # swapped between the check and the open
        os.close(fd)
        raise UsageError(f"{said}: cannot write it: {file_kind(mode)}not a regular file")
    return fd


def check_log(path: Path) -> None:
    """Refuses, before anything starts, a log that could not be opened and written."""
    os.close(open_log(path))


class EventLog:
    """``failed(error)`` is called once, when a line cannot be written; the log then stops."""

    def __init__(self, path: Path, failed: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._failed = failed
        self._fd: int | None = open_log(path)

    def write(self, t: float, event: str, detail: dict[str, Any]) -> None:
        if self._fd is None:
            return
        line = json.dumps({"t": t, "event": event, "detail": detail}, separators=(",", ":"))
        data = (line + "\n").encode("utf-8")
        fd = self._fd
        before: int | None = None
        try:
            before = os.fstat(fd).st_size
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        except OSError as exc:
            self._stop(fd, before, exc.strerror or str(exc))

    def _stop(self, fd: int, before: int | None, error: str) -> None:
        """Takes back the part of the line that went in, so the log stays whole lines."""
        self._fd = None
        try:
            if before is not None:
                os.ftruncate(fd, before)
        except OSError:
            pass  # the truncation is a courtesy; the record has every event
        finally:
            os.close(fd)
        if self._failed is not None:
            self._failed(error)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
