"""Whether the kiosk window has the user's focus, from the window system's point of view.

Focused means the kiosk's top-level window is the active window and is not minimised; when a
dialog of the kiosk's own over it has the focus instead, its name is said with the change. The
page's own ``blur`` is deliberately not an input: it also fires when focus moves into an iframe
of the exam, which is no switch away. Only transitions are published, so a burst of Qt signals
(window, application and state changes arrive ~100 ms apart) gives one observation.

It watches the top-level *widget*, not its QWindow: QtWebEngine makes Qt recreate the native
window (and delete the QWindow object) when the view first renders, which silently cuts any
connection made to the first QWindow.
"""

from __future__ import annotations

import time

from detectors.base import Publish
from detectors.window_state import FocusChange
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QApplication, QEvent, QGuiApplication, QObject, QWidget
from kiosk.platform.screens import disconnect


class FocusDetector(QObject):
    _EVENTS = (QEvent.Type.ActivationChange, QEvent.Type.WindowStateChange, QEvent.Type.Show,
               QEvent.Type.Hide)  # fmt: skip

    def __init__(self, window: QWidget, publish: Publish) -> None:
        super().__init__(window)
        self._window = window
        self._publish = publish
        self._focused: bool | None = None
        self._dialog_shown = ""  # the kiosk's own dialog that had the focus last
        self._running = False

    def start(self) -> None:
        """Publishes the initial state, then every change."""
        if self._running:
            return
        self._running = True
        self._focused = None
        self._window.installEventFilter(self)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._evaluate)
            # Also when the focus moves between native windows without an event on this
            # widget: after the window was unmapped and mapped again behind Qt's back.
            app.focusWindowChanged.connect(self._evaluate)
        self._evaluate()

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._window.removeEventFilter(self)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            disconnect(app.applicationStateChanged, self._evaluate)
            disconnect(app.focusWindowChanged, self._evaluate)

    @property
    def focused(self) -> bool:
        return bool(self._focused)

    @fail_safe(False)
    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() in self._EVENTS:
            self._evaluate()
        return False  # observe only

    def _dialog(self) -> str:
        """The object name (else the class) of the kiosk's own window that has the focus over
        the exam: a dialog whose parent is the exam window. "" when it is no such window."""
        active = QApplication.activeWindow()
        if active is None or active is self._window:
            return ""
        parent = active.parentWidget()
        if parent is None or parent.window() is not self._window:
            return ""
        return active.objectName() or type(active).__name__

    @fail_safe(None)
    def _evaluate(self, *_: object) -> None:
        if not self._running:
            return
        minimized = self._window.isMinimized()
        active = self._window.isActiveWindow() and self._window.isVisible()
        focused = active and not minimized
        dialog = "" if focused or minimized else self._dialog()
        if (focused, dialog) == (self._focused, self._dialog_shown):
            return
        initial = self._focused is None
        self._focused, self._dialog_shown = focused, dialog
        if initial:
            cause = "initial state"
        elif focused:
            cause = "the kiosk window is active again"
        elif minimized:
            cause = "the kiosk window was minimised"
        elif dialog:
            cause = f"a dialog over the exam has the focus: {dialog}"
        else:
            cause = "another window was activated"
        self._publish(FocusChange(t=time.time(), focused=focused, cause=cause, dialog=dialog))
