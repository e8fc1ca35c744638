"""The clipboard during an exam: nothing from outside pasted in, nothing copied inside kept.

- ``allow``: the operating system's clipboard as usual; the guard does nothing.
- ``isolated``: copy and paste work inside the exam. At start the clipboard (and on X11 the
  selection, which a middle click pastes) is cleared, and whenever another program puts
  something there (``ownsClipboard()`` is false after a change: the student copied outside the
  kiosk, or a tool injected text) it is cleared again before it can be pasted.
- ``block``: as isolated, and whatever the kiosk itself copies is cleared too, so no copy ever
  reaches a paste (the keys are refused by the key filter, the page's script access here).

``stop()`` clears again, so nothing copied during the exam outlives it, and disconnects.

Clearing is deferred to the event loop (never inside Qt's change signal, which the engine's
own copy emits while it is still writing) and at most every ``MIN_SWEEP_GAP_MS``: a clipboard
manager that restores what was cleared could otherwise make the two fight at full speed. For
the same reason a selection's clearing is recorded at most every ``REPORT_GAP_S`` seconds, with
the number of clears since the last record.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QClipboard, QGuiApplication, QObject, QTimer
from kiosk.session.record import Decided
from policies.keys import ClipboardMode

log = logging.getLogger("kiosk.clipboard")


MIN_SWEEP_GAP_MS = 100
REPORT_GAP_S = 10.0

_NAMES = {QClipboard.Mode.Clipboard: "clipboard", QClipboard.Mode.Selection: "selection"}


class ClipboardGuard(QObject):
    def __init__(
        self, mode: ClipboardMode, decided: Decided, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        self._decided = decided
        self._clipboard: QClipboard | None = None
        self._pending: set[QClipboard.Mode] = set()
        self._clearing = False
        self._last_sweep = 0.0
        self._last_report: dict[QClipboard.Mode, float] = {}
        self._unreported: dict[QClipboard.Mode, int] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._sweep)

    @property
    def active(self) -> bool:
        return self._clipboard is not None

    def start(self) -> None:
        if self.mode == "allow" or self._clipboard is not None:
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard is None:
            log.warning("no clipboard: nothing to guard")
            return
        self._clipboard = clipboard
        # On X11 Qt answers from a cache until it has processed the owner-change notice; a copy
        # made just before start() is then cleared by _changed() when that notice arrives.
        cleared = [_NAMES[m] for m in self._modes(clipboard) if self._clear(clipboard, m)]
        clipboard.changed.connect(self._changed)
        if cleared:
            why = "the exam starts: nothing copied before it can be pasted in"
            self._decided("clipboard", "cleared", {"why": why, "selection": ", ".join(cleared)})

    def stop(self) -> None:
        """Clears what the exam left on the clipboard and stops watching. Records nothing: it
        runs at shutdown, when the session record may already be closed."""
        clipboard, self._clipboard = self._clipboard, None
        self._timer.stop()
        self._pending.clear()
        if clipboard is None:
            return
        clipboard.changed.disconnect(self._changed)
        for mode in self._modes(clipboard):
            self._clear(clipboard, mode)

    def paste_allowed(self, selection: bool) -> bool:
        """Asked when the student pastes (a paste key; a middle click pastes the selection).

        Clearing after every change races a program that keeps putting its text back; at the
        moment of the paste, whatever the kiosk does not own came from outside: it is cleared
        and this paste refused."""
        clipboard = self._clipboard
        if clipboard is None or self.mode == "allow":
            return True
        mode = QClipboard.Mode.Selection if selection else QClipboard.Mode.Clipboard
        if selection and not clipboard.supportsSelection():
            return True
        if self._owned(clipboard, mode) and self.mode != "block":
            return True
        # Not ours, even if empty this instant: a program that keeps putting its text back
        # would win the moment between this check and the engine reading the clipboard.
        held = self._clear(clipboard, mode)
        why = "the clipboard held another program's content" if held else "not the exam's"
        self._decided("clipboard", "paste refused", {"why": why, "selection": _NAMES[mode]})
        return False

    @staticmethod
    def _modes(clipboard: QClipboard) -> list[QClipboard.Mode]:
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        return modes

    @staticmethod
    def _owned(clipboard: QClipboard, mode: QClipboard.Mode) -> bool:
        if mode == QClipboard.Mode.Selection:
            return clipboard.ownsSelection()
        return clipboard.ownsClipboard()

    def _clear(self, clipboard: QClipboard, mode: QClipboard.Mode) -> bool:
        """Clears one selection; whether there was anything to clear."""
        data = clipboard.mimeData(mode)
        if data is None or not data.formats():
            return False
        self._clearing = True  # clear() emits changed() before it returns
        try:
            clipboard.clear(mode)
        finally:
            self._clearing = False
        return True

    @fail_safe(None)
    def _changed(self, mode: QClipboard.Mode) -> None:
        if self._clearing or self._clipboard is None or mode not in _NAMES:
            return
        self._pending.add(mode)
        if not self._timer.isActive():
            since = (time.monotonic() - self._last_sweep) * 1000
            self._timer.start(max(0, int(MIN_SWEEP_GAP_MS - since)))

    @fail_safe(None)
    def _sweep(self) -> None:
        self._last_sweep = time.monotonic()
        pending, self._pending = self._pending, set()
        clipboard = self._clipboard
        if clipboard is None:
            return
        for mode in (m for m in _NAMES if m in pending):
            if self._owned(clipboard, mode):
                if self.mode != "block":
                    continue  # copied inside the exam: it stays inside the exam
                # A text selection is no copy: clear it (a middle click would paste it) quietly.
                why = None if mode == QClipboard.Mode.Selection else "copying is blocked"
            else:
                why = "another program put something on the clipboard"
            if self._clear(clipboard, mode) and why is not None:
                self._report(mode, why)

    def _report(self, mode: QClipboard.Mode, why: str) -> None:
        now = time.monotonic()
        times = self._unreported.get(mode, 0) + 1
        last = self._last_report.get(mode)
        if last is not None and now - last < REPORT_GAP_S:
            self._unreported[mode] = times
            return
        self._last_report[mode] = now
        self._unreported[mode] = 0
        detail: dict[str, Any] = {"why": why, "selection": _NAMES[mode]}
        if times > 1:
            detail["times"] = times
        self._decided("clipboard", "cleared", detail)
