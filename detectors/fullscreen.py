"""Whether the exam window still covers its whole screen, as a fullscreen window.

A window leaves fullscreen in many ways: a key the window manager binds, the window manager
itself, minimising, a resolution change that leaves it smaller than the new screen, its screen
removed (Qt puts it on another screen, where it stays where it was). All of
them end in one of three facts this detector checks on every state, size and screen change:
the window is not in fullscreen state, it is minimised or hidden, or its geometry no longer
covers its screen. Only transitions are published.
"""

from __future__ import annotations

import time

from detectors.base import Publish
from detectors.window_state import FullscreenChange
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QEvent, QGuiApplication, QObject, QScreen, QTimer, QWidget
from kiosk.platform.screens import release_screens


def covers_screen(window: QWidget) -> bool:
    screen = window.screen()
    if screen is None:
        return False
    return window.geometry().contains(screen.geometry())


class FullscreenDetector(QObject):
    _EVENTS = (QEvent.Type.WindowStateChange, QEvent.Type.Resize, QEvent.Type.Move,
               QEvent.Type.Show, QEvent.Type.Hide)  # fmt: skip

    def __init__(self, window: QWidget, publish: Publish) -> None:
        super().__init__(window)
        self._window = window
        self._publish = publish
        self._state: bool | None = None
        self._screens: list[QScreen] = []
        self._running = False

    def start(self) -> None:
        """Publishes the initial state, then every change."""
        if self._running:
            return
        self._running = True
        self._state = None
        self._window.installEventFilter(self)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenAdded.connect(self._watch_screen)
            app.screenRemoved.connect(self._later)
            app.primaryScreenChanged.connect(self._later)
            for screen in app.screens():
                self._watch_screen(screen)
        self._evaluate()

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._window.removeEventFilter(self)
        release_screens(
            [
                ("screenAdded", self._watch_screen),
                ("screenRemoved", self._later),
                ("primaryScreenChanged", self._later),
            ],
            [(s, self._evaluate) for s in self._screens],
        )
        self._screens.clear()

    @property
    def fullscreen(self) -> bool:
        return bool(self._state)

    @fail_safe(None)
    def _watch_screen(self, screen: QScreen | None) -> None:
        if screen is not None and screen not in self._screens:
            self._screens.append(screen)
            screen.geometryChanged.connect(self._evaluate)
            screen.destroyed.connect(lambda *_: self._forget(screen))

    @fail_safe(None)
    def _later(self, *_: object) -> None:
        """A screen went (the exam's, perhaps): Qt moves its windows to another screen only
        after ``screenRemoved``, and the window itself neither moves nor resizes, so nothing
        else would tell that it no longer covers the screen it is now on."""
        QTimer.singleShot(0, self._evaluate)

    @fail_safe(None)
    def _forget(self, screen: QScreen) -> None:
        if screen in self._screens:
            self._screens.remove(screen)

    @fail_safe(False)
    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() in self._EVENTS:
            self._evaluate()
        return False  # observe only

    @fail_safe(None)
    def _evaluate(self, *_: object) -> None:
        if not self._running:
            return
        window = self._window
        if window.isMinimized():
            state, cause = False, "the kiosk window was minimised"
        elif not window.isVisible():
            state, cause = False, "the kiosk window was hidden"
        elif not window.isFullScreen():
            state, cause = False, "the kiosk window left fullscreen"
        elif not covers_screen(window):
            g = window.geometry()
            state, cause = (
                False,
                f"the kiosk window no longer covers its screen ({g.width()}x{g.height()})",
            )
        else:
            state, cause = True, "the kiosk window is fullscreen"
        if state == self._state:
            return
        initial = self._state is None
        self._state = state
        self._publish(
            FullscreenChange(
                t=time.time(), fullscreen=state, cause="initial state" if initial else cause
            )
        )
