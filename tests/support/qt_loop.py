"""Waiting in a scenario subprocess, where there is no qtbot: Qt's events keep flowing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def until(app: Any, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Process Qt events until ``condition`` holds (True) or the time is up (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.005)
    return True
