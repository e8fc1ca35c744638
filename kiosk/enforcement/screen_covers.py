"""Black covers over every screen except the exam's, so a second screen shows nothing else.

Covers follow screens as they come and go. A cover must not take the focus (the focus detector
would see the exam window lose it: a false 5005), so it never accepts focus or activates on
show. A cover is put on its own screen (``QWindow.setScreen``: on X11 with several X screens the
native window must be created on that screen's root; a geometry alone would land on the
primary's, where every X screen starts at 0,0) and exactly on that screen's geometry. Only a
screen that does not overlap the exam's screen is also made fullscreen (which lifts it above
that screen's panels): for an overlapping one, such as a RandR monitor carved out of the exam's
output, the window manager would make the cover fullscreen on the larger monitor and blank the
exam itself. Screens on another X screen (not virtual siblings) never overlap the exam's, whatever
their coordinates say.

Covers are keyed by the ``QScreen`` object, never by its name: two X screens are both called
"screen", and RandR monitors may share names too. Qt deletes a removed screen right after
``screenRemoved``, so every reference to it is dropped inside that signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.geometry import as_rect, describe, overlap
from kiosk.platform.qt import (
    QCloseEvent,
    QColor,
    QGuiApplication,
    QLabel,
    QObject,
    QPalette,
    QScreen,
    Qt,
    QTimer,
    QWidget,
    sip,
)
from kiosk.platform.screens import disconnect, release_screens

log = logging.getLogger("kiosk.blanker")

COVER_TEXT = "This screen is not used during the exam."


def screen_labels(screens: Sequence[QScreen]) -> list[str]:
    """Each screen's name, made unique: the second screen called "screen" is "screen (2)".

    Names repeat (two X screens are both "screen"), so later ones in ``screens`` (Qt's order;
    X screens are listed by number) get " (2)", " (3)", ...
    """
    seen: dict[str, int] = {}
    labels: list[str] = []
    for screen in screens:
        name = screen.name()
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return labels


def _overlaps(screen: QScreen, exam: QScreen | None) -> bool:
    """Whether ``screen`` shares pixels with the exam's (only screens of one X screen can)."""
    if exam is None:
        return False
    if not any(s is exam for s in screen.virtualSiblings()):
        return False  # another X screen: its 0,0 is not the exam's 0,0
    return overlap(as_rect(screen.geometry()), as_rect(exam.geometry()))


class _Cover(QLabel):
    """A frameless black window with one line of white text, which refuses to close."""

    def __init__(self, label: str) -> None:
        super().__init__(
            COVER_TEXT,
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.active = True
        self.setObjectName(f"kiosk-blank-cover-{label}")
        self.setWindowTitle("kiosk: unused screen")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("white"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def native_screen(self) -> QScreen | None:
        """The screen the native window is on (None before it exists)."""
        handle = self.windowHandle()
        return None if handle is None else handle.screen()

    def place(self, screen: QScreen, fullscreen: bool) -> None:
        geometry = screen.geometry()
        if self.isVisible() and self.native_screen() is screen and self.geometry() == geometry:
            return
        handle = self.windowHandle()
        if handle is None:
            self.create()  # the native window, so that it can be given its screen
            handle = self.windowHandle()
        if handle is None:
            raise RuntimeError("a screen cover has no native window")
        if handle.screen() is not screen:
            handle.setScreen(screen)  # on another X screen, Qt recreates the native window
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
        # Keyed by the QScreen itself (identity: QScreen has no __eq__), never by its name.
        self._covers: dict[QScreen, _Cover] = {}
        self._watched: set[QScreen] = set()  # screens whose geometryChanged we follow
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
        """The screens that have a cover, by name, sorted.

        A name shared by several screens is made unique as in ``screen_labels`` (over all of
        Qt's screens, the exam's included): with two X screens and the exam on the first, the
        covered one is "screen (2)".
        """
        screens = QGuiApplication.screens()
        return sorted(
            label
            for screen, label in zip(screens, screen_labels(screens), strict=True)
            if screen in self._covers
        )

    def stop(self) -> None:
        """Remove every cover and stop following screens; safe to call twice."""
        if not self._running:
            return
        self._running = False
        app_slots = (
            ("screenAdded", self._added),
            ("screenRemoved", self._removed),
            ("primaryScreenChanged", self._later),
        )
        release_screens(app_slots, [(screen, self._later) for screen in self._watched])
        self._watched.clear()
        for screen in list(self._covers):
            self._uncover(screen)

    def _uncover(self, screen: QScreen) -> None:
        cover = self._covers.pop(screen, None)
        if cover is not None and not sip.isdeleted(cover):
            cover.dispose()

    @fail_safe(None)
    def _added(self, screen: QScreen | None) -> None:
        self._sync()

    @fail_safe(None)
    def _removed(self, screen: QScreen | None) -> None:
        if screen is None:
            return
        if screen in self._watched:
            self._watched.discard(screen)
            disconnect(screen.geometryChanged, self._later)
        # Right after this signal Qt deletes the screen and moves its windows to the primary
        # screen: the cover must be gone before it could land on the exam's screen, and no
        # reference to the screen may outlive the signal.
        self._uncover(screen)
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
        for screen in screens:
            if screen not in self._watched:
                screen.geometryChanged.connect(self._later)
                self._watched.add(screen)
        wanted = [
            (screen, label)
            for screen, label in zip(screens, screen_labels(screens), strict=True)
            if screen is not exam
        ]
        for screen in [s for s in self._covers if not any(s is w for w, _ in wanted)]:
            self._uncover(screen)
        for screen, label in wanted:
            cover = self._covers.get(screen)
            if cover is None:
                cover = self._covers[screen] = _Cover(label)
                log.info("covering screen %s (%s)", label, describe(as_rect(screen.geometry())))
            cover.place(screen, fullscreen=not _overlaps(screen, exam))
