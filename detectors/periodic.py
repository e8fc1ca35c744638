"""A detector that looks every so often on a thread of its own (the GUI thread may be busy a
moment; what it watches must not wait for that)."""

from __future__ import annotations

import threading


class Periodic:
    """``begin()`` once before the first ``tick()``, then ``tick()`` every ``interval`` seconds
    until ``stop()``; both start and stop are safe to call twice."""

    def __init__(self, name: str, interval: float) -> None:
        self._name = name
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> None:
        """What the first look compares with (on the caller's thread, before start returns)."""

    def tick(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            return
        self.begin()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(5)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.tick()
