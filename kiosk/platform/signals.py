"""SIGINT and SIGTERM become calls on the Qt event loop, never a Python exception mid-slot.

Python runs signal handlers only between bytecodes, and not at all while Qt's C++ loop waits;
a wake-up fd written by the C-level handler and watched by a QSocketNotifier brings the loop
back to Python at once.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QObject, QSocketNotifier, sip

HANDLED = (signal.SIGINT, signal.SIGTERM)


class SignalWakeup(QObject):
    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {signum: signal.getsignal(signum) for signum in HANDLED}
        for signum in HANDLED:
            signal.signal(signum, lambda *_: None)  # the wake-up fd does the work
        self._notifier = QSocketNotifier(
            sip.voidptr(self._read.fileno()), QSocketNotifier.Type.Read, self
        )
        self._notifier.activated.connect(self._drain)

    @fail_safe(None)
    def _drain(self, *_: object) -> None:
        try:
            data = self._read.recv(64)
        except BlockingIOError:
            return
        for signum in data:
            self._on_signal(signum)

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()
