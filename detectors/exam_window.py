"""Whether the student can still see the exam, asked of the X server rather than of Qt.

Another client on the display can unmap the exam window, move it (or the view) to another
desktop, destroy it under Qt, reparent it into a window of its own (the window manager then
lets go of it), or draw an override-redirect window over it; Qt notices none of it
(``isVisible()`` stays true, the window stays active). The window manager can die too, and
then any new window maps on top unnoticed. This watcher polls the X server through its own
connection (``kiosk.platform.x11``) a few times a second and publishes only transitions of
three facts: the exam window is shown, something else is drawn over it, a window manager runs.

X11 only: on any other Qt platform ``start()`` logs that it does nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from detectors.base import Publish
from detectors.window_state import ExamWindowState
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QGuiApplication, QObject, QTimer, QWidget
from kiosk.platform.x11.session import (
    OtherWindow,
    Placement,
    WindowState,
    X11Error,
    X11Session,
)

log = logging.getLogger("kiosk.detectors.exam_window")


def _label(window: OtherWindow) -> str:
    return window.name or f"window 0x{window.id:x}"


def _not_shown(state: WindowState) -> str:
    if not state.exists:
        return "the exam window was destroyed"
    if not state.on_current_desktop:
        return "the exam window is on another desktop"
    return "the exam window was unmapped"


def _held(place: Placement) -> str:
    if place.host is not None:
        name = place.host_name or f"window 0x{place.host:x}"
        return f"another program reparented the exam window into its own: {name}"
    return "the window manager no longer manages the exam window"


def _covered(names: tuple[str, ...]) -> str:
    return f"another program's window is drawn over the exam: {', '.join(names)}"


class ExamWindowWatcher(QObject):
    """Polls the X server every ``interval_ms`` between ``start()`` and ``stop()``, through the
    connection ``x11`` it is lent (None: nothing to watch, as off X11).

    ``ours()`` lists the kiosk's own widgets (blank covers, dialogs): their windows and their
    frames are never intruders. ``publish`` gets an ``ExamWindowState`` on the first check and
    whenever shown, covered or window manager changes.
    """

    def __init__(
        self,
        window: QWidget,
        publish: Publish,
        ours: Callable[[], Iterable[QWidget]],
        x11: X11Session | None,
        interval_ms: int = 250,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._publish = publish
        self._ours = ours
        self._x = x11
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: ExamWindowState | None = None
        self._unreachable = False

    @property
    def last(self) -> ExamWindowState | None:
        """The last state published (None before the first check)."""
        return self._last

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Starts polling (a no-op when running, or off X11)."""
        if self._timer.isActive():
            return
        platform = QGuiApplication.platformName()
        if platform != "xcb":
            log.info("the exam window is not watched: platform %r is not X11", platform)
            return
        if self._x is None:
            log.info("the exam window is not watched: no X connection was lent")
            return
        self._last = None
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        """Stops polling (safe twice); the X connection is its owner's to close."""
        self._timer.stop()

    @fail_safe(None)
    def _tick(self) -> None:
        self.check()

    def check(self) -> ExamWindowState | None:
        """One check now: publishes on a change and returns what it found, its cause describing
        the state (None if X cannot be reached: logged once, not published)."""
        if self._x is None:
            return None
        try:
            state = self._observe(self._x)
        except X11Error as exc:
            if not self._unreachable:
                log.warning("the exam window cannot be checked: %s", exc)
            self._unreachable = True
            return None
        if self._unreachable:
            log.info("the X display answers again")
            self._unreachable = False
        self._compare(state)
        return state

    def _observe(self, x: X11Session) -> ExamWindowState:
        wid = int(self._window.winId())  # Qt recreates it once when a web view first renders
        state = x.window_state(wid)
        shown = state.exists and state.viewable and state.on_current_desktop
        covered: tuple[str, ...] = ()
        unmanaged = False
        held = ""  # inside another program's window, or viewable but let go by the WM
        if state.exists:
            place = x.placement(wid)
            if place.host is not None or (shown and not place.managed):
                shown, held = False, _held(place)
        active = True
        if shown:
            frame = x.frame_of(wid)
            ours = {wid, frame}
            for widget in self._ours():
                top = widget.window() or widget
                if top.isVisible():  # shown, so winId() creates nothing; hidden ones draw nothing
                    native = int(top.winId())
                    if native not in ours:
                        ours.update((native, x.frame_of(native)))
            above = x.windows_above(frame, self._area(), ours)
            focused = x.active_window()
            active = focused is None or focused in ours
            covered = tuple(_label(w) for w in above)
            unmanaged = any(w.override_redirect for w in above)
        if held:
            cause = held
        elif not shown:
            minimised = self._window.isMinimized() and state.exists  # iconified: unmapped too
            cause = "the kiosk window was minimised" if minimised else _not_shown(state)
        elif covered:
            cause = _covered(covered)
        else:
            cause = "the exam window is shown"
        return ExamWindowState(
            t=time.time(),
            shown=shown,
            covered_by=covered,
            window_manager=x.window_manager_present(),
            cause=cause,
            unmanaged_cover=unmanaged,
            active=active,
        )

    def _area(self) -> tuple[int, int, int, int]:
        """The exam screen in X (device) pixels: Qt keeps a screen's origin native and scales
        its size."""
        screen = self._window.screen()
        if screen is None:
            g = self._window.frameGeometry()
            return g.x(), g.y(), g.width(), g.height()
        g, ratio = screen.geometry(), screen.devicePixelRatio()
        return g.x(), g.y(), round(g.width() * ratio), round(g.height() * ratio)

    def _compare(self, now: ExamWindowState) -> None:
        before = self._last
        key = (now.shown, bool(now.covered_by), now.window_manager, now.active)
        if before is not None and key == (
            before.shown,
            bool(before.covered_by),
            before.window_manager,
            before.active,
        ):
            return
        changes: list[str] = []
        if before is None or now.shown != before.shown:
            if not now.shown:
                changes.append(now.cause)
            elif before is not None:
                changes.append("the exam window is shown again")
        if before is None or bool(now.covered_by) != bool(before.covered_by):
            if now.covered_by:
                changes.append(_covered(now.covered_by))
            elif before is not None and before.shown and now.shown:
                changes.append("nothing covers the exam any more")
        if before is None or now.window_manager != before.window_manager:
            if not now.window_manager:
                changes.append(
                    "no window manager runs" if before is None else "the window manager stopped"
                )
            elif before is not None:
                changes.append("a window manager runs again")
        if before is not None and now.shown and now.active != before.active:
            changes.append(
                "the exam window is the active window again"
                if now.active
                else "the window manager made another window active"
            )
        cause = "; ".join(changes)
        if before is None:
            cause = "initial state" + (f": {cause}" if cause else "")
        published = ExamWindowState(
            t=now.t,
            shown=now.shown,
            covered_by=now.covered_by,
            window_manager=now.window_manager,
            cause=cause or "the exam window changed",
            unmanaged_cover=now.unmanaged_cover,
            active=now.active,
        )
        self._last = published
        self._publish(published)
