"""The ``--event-log`` file: one JSON object per event dispatched into the page (JSON Lines)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from kiosk.platform.errors import UsageError


class EventLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # The same details as the record (0600): private to the user as well.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._file: TextIO | None = os.fdopen(fd, "a", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--event-log {path}: cannot write it ({exc.strerror})") from None

    def write(self, t: float, event: str, detail: dict[str, Any]) -> None:
        if self._file is None:
            return
        line = json.dumps({"t": t, "event": event, "detail": detail}, separators=(",", ":"))
        self._file.write(line + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
