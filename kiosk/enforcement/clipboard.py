"""The clipboard during an exam: nothing from outside pasted in, nothing of the exam let out.

- ``allow``: the operating system's clipboard as usual; the guard does nothing.
- ``isolated``: copy and paste work inside the exam, and nothing the exam copies is ever
  visible outside it (what Safe Exam Browser means by it). The engine's copy or cut is taken
  off the system clipboard the moment it lands there and kept in the guard; a paste key then
  types that text into the page itself. Whatever another program puts on the clipboard (or the
  X selection, which a middle click pastes) is cleared before it can be pasted, and a paste of
  it is refused.
- ``block``: as isolated, but nothing the exam copies is kept: no copy ever reaches a paste
  (the keys are refused by the key filter, the page's script access here).

On X11 merely selecting text makes the engine own the PRIMARY selection, which any program
can read. Under isolated and block the kiosk's own selection and its own copies are cleared
inside ``QClipboard.changed``, before control returns to the event loop: Qt answers another
client's request for a selection only from that loop, so no client is ever served the exam's
text (the escape suite reads both from another program).

``stop()`` clears again, so nothing copied during the exam outlives it, and disconnects.

What another program puts there is cleared later, from the event loop (never inside the
change signal of a foreign owner's notice), at most every ``MIN_SWEEP_GAP_MS``: a clipboard
manager that restores what was cleared could otherwise make the two fight at full speed. For
the same reason a selection's clearing is recorded at most every ``REPORT_GAP_S`` seconds, with
the number of clears since the last record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QClipboard, QGuiApplication, QObject, QTimer
from kiosk.session.record import Decided
from policies.keys import ClipboardMode

log = logging.getLogger("kiosk.clipboard")


MIN_SWEEP_GAP_MS = 100
#: How long keys typed after a paste wait for the kiosk's typing of it, at most.
PASTE_LIMIT_MS = 1000
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
        #: The exam's own copy (isolated): never on the system clipboard.
        self._kept: str | None = None
        #: Types text into the page where its caret is (set once the page exists); calls its
        #: second argument once the text is in.
        self.insert: Callable[[str, Callable[[], None]], None] | None = None
        #: Told when a paste the guard typed in is in: keys held meanwhile may go on.
        self.on_pasted: Callable[[], None] = lambda: None
        self.pasting = False
        self._paste_limit = QTimer(self)  # a page that never answers (gone) holds no keys
        self._paste_limit.setSingleShot(True)
        self._paste_limit.timeout.connect(self._pasted)

    @property
    def active(self) -> bool:
        return self._clipboard is not None

    @property
    def holds_copy(self) -> bool:
        """Whether an isolated exam's own copy is kept for its pastes."""
        return self._kept is not None

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
        self._kept = None
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
        if not selection and self._kept is not None and not self._foreign(clipboard, mode):
            if self.insert is not None:  # the exam's own copy, typed in; the key goes no further
                self.pasting = True
                self._paste_limit.start(PASTE_LIMIT_MS)
                self.insert(self._kept, self._pasted)
            return False
        # Not ours, even if empty this instant: a program that keeps putting its text back
        # would win the moment between this check and the engine reading the clipboard.
        held = self._clear(clipboard, mode)
        why = "the clipboard held another program's content" if held else "not the exam's"
        self._decided("clipboard", "paste refused", {"why": why, "selection": _NAMES[mode]})
        return False

    @fail_safe(None)
    def _pasted(self) -> None:
        self._paste_limit.stop()
        if self.pasting:
            self.pasting = False
            self.on_pasted()

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

    def _foreign(self, clipboard: QClipboard, mode: QClipboard.Mode) -> bool:
        """Another program's content is there (the kiosk clears its own at once)."""
        data = clipboard.mimeData(mode)
        return data is not None and bool(data.formats()) and not self._owned(clipboard, mode)

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
        clipboard = self._clipboard
        if self._clearing or clipboard is None or mode not in _NAMES:
            return
        if self._owned(clipboard, mode):
            self._take_own(clipboard, mode)  # now: before any other client can ask for it
            return
        self._pending.add(mode)
        if not self._timer.isActive():
            since = (time.monotonic() - self._last_sweep) * 1000
            self._timer.start(max(0, int(MIN_SWEEP_GAP_MS - since)))

    def _take_own(self, clipboard: QClipboard, mode: QClipboard.Mode) -> None:
        """The engine's own selection or copy: off the system clipboard before the event loop
        runs again. An isolated exam's copy is kept for its own pastes."""
        data = clipboard.mimeData(mode)
        text = data.text() if data is not None and data.hasText() else ""
        if not self._clear(clipboard, mode) or mode == QClipboard.Mode.Selection:
            return  # a selection is no copy: cleared quietly (a middle click would paste it)
        if self.mode == "isolated":
            self._kept = text
        else:
            self._report(mode, "copying is blocked")

    @fail_safe(None)
    def _sweep(self) -> None:
        self._last_sweep = time.monotonic()
        pending, self._pending = self._pending, set()
        clipboard = self._clipboard
        if clipboard is None:
            return
        for mode in (m for m in _NAMES if m in pending):
            if self._owned(clipboard, mode):
                self._take_own(clipboard, mode)
            elif self._clear(clipboard, mode):
                self._report(mode, "another program put something on the clipboard")

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
