"""Black covers over every screen except the exam's, so a second screen shows nothing else.

Covers follow screens as they come and go. A cover must not take the focus (the focus detector
would see the exam window lose it: a false 5005), so it never accepts focus or activates on
show. A cover is put exactly on its screen's geometry; only a screen that does not overlap the
exam's screen is also made fullscreen (which lifts it above that screen's panels): for an
overlapping one, such as a RandR monitor carved out of the exam's output, the window manager
would make the cover fullscreen on the larger monitor and blank the exam itself.

No ``QScreen`` is kept: covers are known by their screen's name, and Qt deletes a removed screen
right after ``screenRemoved``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from kiosk.failsafe import fail_safe
from kiosk.qt import (
    QCloseEvent,
    QColor,
    QGuiApplication,
    QLabel,
    QObject,
    QPalette,
    QRect,
    QScreen,
    Qt,
    QTimer,
    QWidget,
    sip,
)

log = logging.getLogger("kiosk.blanker")

COVER_TEXT = "This screen is not used during the exam."


def _disconnect(signal: Any, slot: Callable[..., None]) -> None:
    with contextlib.suppress(TypeError, RuntimeError):
        signal.disconnect(slot)


class _Cover(QLabel):
    """A frameless black window with one line of white text, which refuses to close."""

    def __init__(self, screen_name: str) -> None:
        super().__init__(
            COVER_TEXT,
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.screen_name = screen_name
        self.active = True
        self.setObjectName(f"kiosk-blank-cover-{screen_name}")
        self.setWindowTitle("kiosk: unused screen")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("white"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def place(self, geometry: QRect, fullscreen: bool) -> None:
        if self.isVisible() and self.geometry() == geometry:
            return
        # setWindowState, not showFullScreen(): that also activates, and a cover takes no focus.
        state = self.windowState() & ~Qt.WindowState.WindowFullScreen
        self.setWindowState(state)
        self.setGeometry(geometry)
        if fullscreen:
            self.setWindowState(state | Qt.WindowState.WindowFullScreen)
        self.show()
        self.raise_()

    @fail_safe(None)
    def closeEvent(self, event: QCloseEvent | None) -> None:
        if event is None:
            return
        if self.active:
            event.ignore()
        else:
            event.accept()

    def dispose(self) -> None:
        self.active = False
        self.close()
        self.deleteLater()


class ScreenBlanker(QObject):
    def __init__(self, exam_window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._exam = exam_window
        self._covers: dict[str, _Cover] = {}
        self._watched: dict[str, QScreen] = {}  # screens whose geometryChanged we follow
        self._running = False

    def start(self) -> None:
        """Cover every screen but the exam's, now and whenever screens change."""
        if self._running:
            return
        app = QGuiApplication.instance()
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("ScreenBlanker needs a QGuiApplication")
        self._running = True
        app.screenAdded.connect(self._added)
        app.screenRemoved.connect(self._removed)
        app.primaryScreenChanged.connect(self._later)
        self._sync()

    def covered(self) -> list[str]:
        """Names of the screens that have a cover."""
        return sorted(self._covers)

    def stop(self) -> None:
        """Remove every cover and stop following screens; safe to call twice."""
        if not self._running:
            return
        self._running = False
        app = QGuiApplication.instance()
        live: list[QScreen] = []
        if isinstance(app, QGuiApplication):
            for signal, slot in (
                (app.screenAdded, self._added),
                (app.screenRemoved, self._removed),
                (app.primaryScreenChanged, self._later),
            ):
                _disconnect(signal, slot)
            live = QGuiApplication.screens()
        for screen in self._watched.values():
            if any(screen is s for s in live):  # never touch a screen Qt may have deleted
                _disconnect(screen.geometryChanged, self._later)
        self._watched.clear()
        for name in list(self._covers):
            self._uncover(name)

    def _uncover(self, name: str) -> None:
        cover = self._covers.pop(name, None)
        if cover is not None and not sip.isdeleted(cover):
            cover.dispose()

    @fail_safe(None)
    def _added(self, screen: QScreen | None) -> None:
        self._sync()

    @fail_safe(None)
    def _removed(self, screen: QScreen | None) -> None:
        if screen is None:
            return
        name = screen.name()
        watched = self._watched.pop(name, None)
        if watched is screen:
            _disconnect(screen.geometryChanged, self._later)
        # Right after this signal Qt moves the screen's windows to the primary screen: the
        # cover must be gone before it could land on the exam's screen.
        self._uncover(name)
        self._later()

    @fail_safe(None)
    def _later(self, *_: object) -> None:
        """Re-check once Qt has finished (it moves windows only after screenRemoved)."""
        QTimer.singleShot(0, self._sync)

    @fail_safe(None)
    def _sync(self) -> None:
        if not self._running:
            return
        if sip.isdeleted(self._exam):
            log.warning("the exam window is gone; removing the screen covers")
            self.stop()
            return
        screens = QGuiApplication.screens()
        exam = self._exam.screen()
        exam_area = exam.geometry() if exam is not None else QRect()
        wanted: dict[str, QScreen] = {}
        for screen in screens:
            name = screen.name()
            if name not in self._watched:
                screen.geometryChanged.connect(self._later)
                self._watched[name] = screen
            if screen is not exam:
                wanted[name] = screen
        for name in [n for n in self._covers if n not in wanted]:
            self._uncover(name)
        for name, screen in wanted.items():
            cover = self._covers.get(name)
            if cover is None:
                cover = self._covers[name] = _Cover(name)
                log.info("covering screen %s", name)
            area = screen.geometry()
            cover.place(area, fullscreen=not area.intersects(exam_area))
