"""Bad input must be refused at once: a read that blocks (a FIFO nobody writes) fails the test
instead of hanging it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.platform.errors import UsageError


def refusal_within(seconds: float, read: Callable[[], object], fifo: Path | None = None) -> str:
    """The UsageError ``read`` raises, which it must raise within ``seconds``. A call that
    blocks opening ``fifo`` (to read or to write) is released, so that the test fails instead
    of hanging: on Linux, opening a FIFO for both never blocks and counts as either end."""
    outcome: list[BaseException | object] = []

    def attempt() -> None:
        try:
            outcome.append(read())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    began = time.monotonic()
    worker.start()
    worker.join(seconds)
    if worker.is_alive() and fifo is not None:
        os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))  # lets a blocked reader or writer go
        worker.join(5)
    took = time.monotonic() - began
    assert took < seconds, f"the read blocked for {took:.1f} s"
    assert outcome and isinstance(outcome[0], UsageError), outcome
    message = str(outcome[0])
    assert "\n" not in message and len(message) < 300
    return message
