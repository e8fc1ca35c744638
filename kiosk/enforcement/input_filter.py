"""Keyboard shortcuts, refused before the page or Qt can act on them (policies/keys.py decides).

The filter sits on the application, not on the view: QtWebEngine hands keys to an inner focus
proxy widget (and, behind it, an offscreen Quick window), and the window system delivers them
to the top-level QWindow first. An application filter sees every stage, so a refused chord is
swallowed at the first one, before any widget, QShortcut or the page sees it.

- ShortcutOverride of a refused chord is accepted and swallowed, so no QShortcut/QAction fires
  and Qt delivers it as a KeyPress, which is swallowed in turn and reported once (never for its
  ShortcutOverride or its auto-repeats).
- Ctrl+wheel (zoom) is swallowed unless zoom is allowed, and reported once per gesture; an
  allowed zoom or reload key is done by the kiosk (``act``): the engine zooms only for the
  wheel, and reloads for no key.
- Everything else returns after one class check: the filter sees every event of the process.

Failing safe means letting the event through. A filter that raised on every key would swallow
all typing and lock the student out of the exam; a shortcut that slips through meets the other
layers (the window refuses to close, new windows and navigation are refused, fullscreen is
restored). Errors are logged.

It keeps no widget: ``windows`` is asked on each refused chord, deleted widgets are skipped, and
``remove()`` (safe to call twice) uninstalls it and drops the callbacks. The owner must call
``remove()`` before the application goes away: a Python filter still installed while Qt tears
widgets down is called with half-destroyed objects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, cast

from kiosk.platform.qt import (
    QApplication,
    QCoreApplication,
    QDropEvent,
    QEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QObject,
    Qt,
    QTimer,
    QWheelEvent,
    QWidget,
    QWindow,
    sip,
)
from kiosk.session.record import Decided
from policies.keys import MODIFIERS, KeyPolicy, decide_key

log = logging.getLogger("kiosk.keyfilter")


#: A refused Ctrl+wheel is reported again only after this long without one.
WHEEL_REPORT_GAP_S = 1.0

#: The key the kiosk sends after a paste key to paste the exam's own copy in order with the
#: keys (bridge/js/clipboard_app.js takes it): never held, never decided.
PASTE_MARK_KEY = Qt.Key.Key_F24

_KEY_PRESS = QEvent.Type.KeyPress
_KEY_RELEASE = QEvent.Type.KeyRelease
_SHORTCUT_OVERRIDE = QEvent.Type.ShortcutOverride

_MOD = Qt.KeyboardModifier


def _bits(modifiers: Qt.KeyboardModifier) -> int:
    """Plain integers: operators on enum flags cost microseconds each."""
    return cast(int, modifiers.value)


#: (bit, name) in the order policies/keys.py writes them; Keypad and AltGr are not shortcuts.
_MODIFIER_BITS = (
    (_bits(_MOD.ControlModifier), "Ctrl"),
    (_bits(_MOD.AltModifier), "Alt"),
    (_bits(_MOD.ShiftModifier), "Shift"),
    (_bits(_MOD.MetaModifier), "Meta"),
)
_ZOOM_BITS = _bits(_MOD.ControlModifier) | _bits(_MOD.MetaModifier)

_RENAMED = {
    "Return": "Enter", "Backtab": "Tab", "Print": "PrintScreen", "SysReq": "PrintScreen",
    "Control": "Ctrl", "Super_L": "Meta", "Super_R": "Meta", "unknown": "Unknown",
}  # fmt: skip
#: Qt key code -> the name policies/keys.py uses: Qt's own name without ``Key_``.
_KEY_NAMES: dict[int, str] = {
    key.value: _RENAMED.get(key.name[4:], key.name[4:]) for key in Qt.Key if key.name
}
#: (key code, modifier bits) -> chord, filled as keys are pressed (a few hundred at most).
_CHORDS: dict[tuple[int, int], str] = {}


def _chord(code: int, modifiers: int) -> str:
    key = _KEY_NAMES.get(code)
    if key is None:  # a layout's own letter (Cyrillic, Greek...): Qt gives its code point
        key = chr(code) if 0 < code < 0x110000 and chr(code).isprintable() else f"0x{code:x}"
    mods = {name for bit, name in _MODIFIER_BITS if modifiers & bit}
    if key in MODIFIERS:  # a modifier pressed alone is its own chord: "Meta" is the Super key
        mods.add(key)
        return "+".join(m for m in MODIFIERS if m in mods)
    return "+".join([*(m for m in MODIFIERS if m in mods), key])


def chord_of(event: QKeyEvent) -> str:
    """The normalised chord (``"Ctrl+Shift+I"``) of a key event; Keypad and AltGr are ignored."""
    code, modifiers = event.key(), _bits(event.modifiers())
    chord = _CHORDS.get((code, modifiers))
    if chord is None:
        chord = _CHORDS[(code, modifiers)] = _chord(code, modifiers)
    return chord


def _a_handle_of(watched: QObject | None, windows: list[QWidget]) -> bool:
    """Whether ``watched`` is the QWindow of one of ``windows``."""
    return isinstance(watched, QWindow) and any(watched is w.windowHandle() for w in windows)


def _no_windows() -> Iterable[QWidget]:
    return ()


def _always(_: bool) -> bool:
    return True


_PASTE = frozenset({"Ctrl+V", "Shift+Insert", "Paste", "Ctrl+Shift+V", "Meta+V"})
#: How long keys wait for a paste the kiosk types in before they go on anyway.
HOLD_LIMIT_MS = 1000
_MOUSE_PRESS = QEvent.Type.MouseButtonPress
_MOUSE_HISTORY = {Qt.MouseButton.BackButton: "MouseBack", Qt.MouseButton.ForwardButton:
                  "MouseForward"}  # fmt: skip


def _not_recorded(policy: str, decision: str, detail: dict[str, Any]) -> None:
    pass


class KeyFilter(QObject):
    def __init__(
        self,
        qapp: QApplication,
        windows: Callable[[], Iterable[QWidget]],
        policy: KeyPolicy,
        decided: Decided,
        paste_allowed: Callable[[bool], bool] = _always,
        drop_allowed: Callable[[bool], bool] = _always,
    ) -> None:
        """``paste_allowed(selection)`` is asked at each paste (a paste key, or a middle click
        for the X selection); ``drop_allowed(has_files)`` for a drag from another program."""
        super().__init__()  # no parent: its owner keeps it and calls remove()
        self._qapp: QApplication | None = qapp
        self._windows = windows
        self._policy = policy
        self._decided = decided
        self._paste_allowed = paste_allowed
        self._drop_allowed = drop_allowed
        self._last_drop = float("-inf")
        self._last_press: tuple[str, int] | None = None
        # The paste chord decided at its ShortcutOverride, and whether it was refused.
        self._paste_decided: tuple[str, bool] | None = None
        self._last_wheel = float("-inf")
        #: Whether the guard is typing a paste in: keys after the paste key wait for it, so
        #: that what the student types next lands after the pasted text, as with a real paste.
        self.pasting: Callable[[], bool] = lambda: False
        #: Does what an allowed zoom or reload key (what, chord) asks: the engine itself zooms
        #: only on Ctrl+wheel, and reloads on no key at all.
        self.act: Callable[[str, str], None] = lambda _what, _chord: None
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._hold_limit = QTimer(self)
        self._hold_limit.setSingleShot(True)
        self._hold_limit.timeout.connect(self.release_held)
        qapp.installEventFilter(self)

    @property
    def installed(self) -> bool:
        return self._qapp is not None

    def remove(self) -> None:
        """Uninstalls the filter and forgets the window list and the record; safe twice."""
        qapp, self._qapp = self._qapp, None
        self._windows = _no_windows
        self._decided = _not_recorded
        if qapp is not None and not sip.isdeleted(qapp) and not sip.isdeleted(self):
            qapp.removeEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        try:
            # Class checks first: event.type() costs microseconds, and this sees every event.
            if isinstance(event, QKeyEvent):
                return self._key(watched, event)
            if isinstance(event, QMouseEvent):
                return self._mouse(watched, event)
            if isinstance(event, QWheelEvent):
                return self._wheel(watched, event)
            if isinstance(event, QDropEvent):
                return self._drop(watched, event)
            return False
        except Exception:  # fail open: see the module docstring
            log.exception("key filter failed; the event was let through")
            return False

    def release_held(self) -> None:
        """The paste is in (or it took too long): the keys typed meanwhile go on, in order."""
        self._hold_limit.stop()
        held, self._held = self._held, []
        for watched, event in held:
            if not sip.isdeleted(watched):
                QCoreApplication.sendEvent(watched, event)

    def _hold(self, watched: QObject | None, event: QKeyEvent) -> bool:
        """Keeps a key that came while a paste is going in; True when it was kept."""
        if watched is None or event.type() not in (_KEY_PRESS, _KEY_RELEASE):
            return False
        if not self._ours(watched):
            return False
        copy = QKeyEvent(
            event.type(), event.key(), event.modifiers(), event.nativeScanCode(),
            event.nativeVirtualKey(), event.nativeModifiers(), event.text(),
            event.isAutoRepeat(), event.count(),
        )  # fmt: skip
        self._held.append((watched, copy))
        return True

    def _key(self, watched: QObject | None, event: QKeyEvent) -> bool:
        if event.key() == PASTE_MARK_KEY:
            return False
        if (self._held or self.pasting()) and self._hold(watched, event):
            if not self._hold_limit.isActive():
                self._hold_limit.start(HOLD_LIMIT_MS)
            return True
        decision = decide_key(chord_of(event), self._policy)  # both cached: typing is cheap
        if decision.allowed:
            if decision.what in ("zoom", "reload") and event.type() == _KEY_PRESS:
                self._act_on_key(watched, decision.what, decision.chord)
            if decision.chord not in _PASTE:
                return False
            return self._paste_key(watched, event, decision.chord)
        kind = event.type()
        if kind not in (_KEY_PRESS, _SHORTCUT_OVERRIDE) or not self._ours(watched):
            return False  # the release of a refused chord is harmless
        if kind == _SHORTCUT_OVERRIDE:
            event.accept()  # "not a shortcut": no QShortcut fires, Qt sends the KeyPress next
            return True
        press = (decision.chord, event.timestamp())
        if not event.isAutoRepeat() and (press != self._last_press or press[1] == 0):
            self._last_press = press
            self._decided("keys", "refused", {"chord": decision.chord, "what": decision.what})
        return True

    def _act_on_key(self, watched: QObject | None, what: str, chord: str) -> None:
        """Once per press: at its first stage, the kiosk window's QWindow, where the window
        system delivers it (the focus proxy and the window see it after). The page sees the key
        too, as in a browser."""
        if self._qapp is not None and _a_handle_of(watched, self._live_windows()):
            self.act(what, chord)

    def _live_windows(self) -> list[QWidget]:
        return [w for w in self._windows() if not sip.isdeleted(w)]

    def _paste_key(self, watched: QObject | None, event: QKeyEvent, chord: str) -> bool:
        """A paste key: the guard decides at the ShortcutOverride, and a refused paste loses
        its KeyPress too. The override must go as well: QtWebEngine takes it as a pending
        edit command ("Paste") and, without its KeyPress, would spend it on the next key the
        student types, losing that key."""
        kind = event.type()
        if kind not in (_KEY_PRESS, _SHORTCUT_OVERRIDE) or not self._ours(watched):
            return False
        if kind == _SHORTCUT_OVERRIDE:
            refused = not self._paste_allowed(False)
            self._paste_decided = (chord, refused)
            if refused:
                event.accept()
            return refused
        decided, self._paste_decided = self._paste_decided, None
        if decided is not None and decided[0] == chord:
            return decided[1]
        # A KeyPress that came without its ShortcutOverride: decided now.
        return not self._paste_allowed(False)

    def _mouse(self, watched: QObject | None, event: QMouseEvent) -> bool:
        button = event.button()
        if button == Qt.MouseButton.NoButton or button == Qt.MouseButton.LeftButton:
            return False  # moves and ordinary clicks: the common case, decided at once
        history = _MOUSE_HISTORY.get(button)
        if history is not None:  # the mouse's back/forward buttons navigate history
            if not self._ours(watched):
                return False
            if event.type() == _MOUSE_PRESS:
                self._decided("keys", "refused", {"chord": history, "what": "back/forward"})
            return True
        if button == Qt.MouseButton.MiddleButton and event.type() == _MOUSE_PRESS:
            return self._ours(watched) and not self._paste_allowed(True)
        return False

    def _drop(self, watched: QObject | None, event: QDropEvent) -> bool:
        """A drag from another program carries text or files past the clipboard and upload
        policies; drags inside the exam (``source()`` set) are the page's own."""
        if event.source() is not None or not self._ours(watched):
            return False
        data = event.mimeData()
        files = data is not None and any(u.isLocalFile() for u in data.urls())
        if self._drop_allowed(files):
            return False
        event.ignore()
        now = time.monotonic()
        if now - self._last_drop >= WHEEL_REPORT_GAP_S:  # one record per gesture
            what = "files" if files else "text or links"
            self._decided("input", "drop refused", {"what": what, "from": "another program"})
        self._last_drop = now
        return True

    def _wheel(self, watched: QObject | None, event: QWheelEvent) -> bool:
        modifiers = _bits(event.modifiers())
        if not modifiers & _ZOOM_BITS:
            return False
        mods = {name for bit, name in _MODIFIER_BITS if modifiers & bit}
        chord = "+".join([*(m for m in MODIFIERS if m in mods), "Wheel"])
        decision = decide_key(chord, self._policy)
        if decision.allowed or not self._ours(watched):
            return False
        now = time.monotonic()
        if now - self._last_wheel >= WHEEL_REPORT_GAP_S:
            self._decided("keys", "refused", {"chord": decision.chord, "what": decision.what})
        self._last_wheel = now
        return True

    def _ours(self, watched: QObject | None) -> bool:
        """Whether the event is on its way into one of the kiosk's windows (and still on)."""
        if self._qapp is None:
            return False
        windows = self._live_windows()
        if isinstance(watched, QWidget):
            top = watched.window()
            return any(top is w for w in windows)
        if _a_handle_of(watched, windows):
            return True
        handles = [w.windowHandle() for w in windows]
        # Anything else (the engine's offscreen Quick window and items) is reached through the
        # focus window: keys go where the focus is.
        focus = QGuiApplication.focusWindow()
        return focus is not None and any(focus is h for h in handles)
