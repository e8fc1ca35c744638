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
    """The UsageError ``read`` raises, which it must raise within ``seconds``. A read that
    blocks on ``fifo`` is released (a writer opens and closes it) so that the test fails
    instead of hanging."""
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
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # lets the blocked reader go
        worker.join(5)
    took = time.monotonic() - began
    assert took < seconds, f"the read blocked for {took:.1f} s"
    assert outcome and isinstance(outcome[0], UsageError), outcome
    message = str(outcome[0])
    assert "\n" not in message and len(message) < 300
    return message
