"""The display connection lost mid-run: the one moment left to close the record, and exit 4.

When its X connection breaks (the X server went away, or another X client killed the kiosk's
connection with XKillClient, as ``xdotool windowkill`` does), Qt's xcb plugin warns and then
calls ``exit(1)``: in ``QXcbConnection::processXcbEvents`` ("The X11 connection broke (error
N). Did the X11 server die?") and in the Xlib I/O error handler it installs ("The X11
connection broke: I/O error (code N)"), the wording of Qt 5 and 6 (checked here against 6.11;
the end-to-end test of a killed X connection fails should it change).
Nothing returns to Python after that ``exit``: no ``finally``, no ``atexit`` handler (those run
at interpreter finalisation, which a C ``exit`` skips), no signal. The warning itself reaches the
kiosk's Qt message handler first (kiosk/platform/logs.py, which shows every message to
``noticed``), synchronously, on the thread about to exit; ``noticed`` then runs what the
application registered, prints one line and ends the process with ``_exit(4)`` before Qt's
``exit(1)`` can run its half-torn-down exit handlers.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

from kiosk.platform.errors import DisplayLost
from kiosk.platform.x11.session import X11Error, X11Session

log = logging.getLogger("kiosk.display")

#: The start of both of Qt's warnings before it exits for a broken X connection.
X_CONNECTION_BROKE = "The X11 connection broke"

_closing: list[Callable[[str], None]] = []
_once = threading.Lock()


def on_display_lost(close: Callable[[str], None] | None) -> None:
    """``close(cause)`` runs when the display connection is lost, just before the process ends
    (``None``: nothing to close any more)."""
    _closing[:] = [] if close is None else [close]


def cause() -> str:
    """Whether the X server is gone, or only the kiosk's connection to it: a new client that
    can still connect tells."""
    try:
        with X11Session():
            pass
    except X11Error:
        return "the X server went away"
    return "another X client killed the kiosk's X connection (XKillClient)"


def noticed(qt_said: str) -> None:
    """Called with every Qt message; ends the process when it is Qt's last word on a lost X
    connection."""
    if not qt_said.startswith(X_CONNECTION_BROKE):
        return
    _once.acquire()  # a second thread saying the same waits here for the first one's _exit
    why = cause()
    outcome = "the session record is closed" if _closing else "no session was running"
    for close in list(_closing):
        try:
            close(why)
        except Exception:
            log.exception("closing the session after the display connection was lost failed")
            outcome = "the session record could not be closed"
    print(f"kiosk: error: {DisplayLost(f'the display connection was lost: {why}')}; {outcome}",
          file=sys.stderr)  # fmt: skip
    sys.stderr.flush()
    os._exit(DisplayLost.exit_code)
