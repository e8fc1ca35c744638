"""Which displays there are, as Qt shows them and as the operating system enumerates them.

Qt's screens are what the exam can be shown on and what a blank cover can be put on; the OS list
(the ``screeninfo`` package) is a cross-check: a display the OS reports but Qt does not show is
worth a second look. The two disagree in both directions on X11: Qt follows RandR 1.5 monitors
(which may split one output), screeninfo enumerates outputs, or Xinerama heads when RandR is
absent (where a cloned pair is two heads at one origin and Qt shows one screen).

A snapshot is published on every change Qt announces. Removed ``QScreen`` objects are deleted by
Qt right after ``screenRemoved``, so no reference to one is kept past that signal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from detectors.base import Observation, Publish
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.geometry import as_rect, describe
from kiosk.platform.qt import QGuiApplication, QObject, QRect, QScreen, QTimer
from kiosk.platform.screens import disconnect, release_screens

log = logging.getLogger("kiosk.detectors.monitors")


@dataclass(frozen=True)
class Head:
    """One display as seen by Qt or by the operating system (logical pixels)."""

    name: str
    x: int
    y: int
    width: int
    height: int
    primary: bool


@dataclass(frozen=True)
class MonitorsSnapshot(Observation):
    screens: tuple[Head, ...]  # Qt's screens, in Qt's order
    os_heads: tuple[Head, ...] | None  # None: the OS enumeration failed
    cause: str


def os_heads(enumerator: str | None = None) -> tuple[Head, ...] | None:
    """The OS-level list of displays, or None when screeninfo cannot enumerate any.

    By default screeninfo takes the first of its enumerators that finds a display (on X11:
    RandR outputs, then Xinerama heads); ``enumerator`` ("xrandr", "xinerama", ...) picks one.
    """
    try:
        import screeninfo

        monitors = screeninfo.get_monitors(enumerator)
    except Exception as exc:  # ScreenInfoError, or a library that fails to load or talk to X
        log.info("the OS cannot enumerate displays: %s", exc)
        return None
    if not monitors:  # a named enumerator that found nothing
        return None
    return tuple(
        Head(
            name=m.name or f"head {i}",  # Xinerama heads have no names
            x=int(m.x),
            y=int(m.y),
            width=int(m.width),
            height=int(m.height),
            primary=bool(m.is_primary),
        )
        for i, m in enumerate(monitors)
    )


def _head(screen: QScreen, primary: QScreen | None) -> Head:
    g = screen.geometry()
    return Head(screen.name(), g.x(), g.y(), g.width(), g.height(), screen is primary)


def _app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("MonitorDetector needs a QGuiApplication")
    return app


class MonitorDetector(QObject):
    """Publishes a MonitorsSnapshot at start and whenever a screen comes, goes or changes."""

    def __init__(self, publish: Publish, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._publish = publish
        self._running = False
        # Per live screen: the screen and the slot connected to its geometryChanged.
        self._watched: list[tuple[QScreen, Callable[[QRect], None]]] = []
        self._last: MonitorsSnapshot | None = None

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        app = _app()
        app.screenAdded.connect(self._added)
        app.screenRemoved.connect(self._removed)
        app.primaryScreenChanged.connect(self._primary_changed)
        for screen in QGuiApplication.screens():
            self._watch(screen)
        self._emit("initial")

    @property
    def last(self) -> MonitorsSnapshot:
        """The snapshot published last (compare it with the next one for decide_change)."""
        if self._last is None:
            raise RuntimeError("the monitor detector has not started")
        return self._last

    def snapshot(self, cause: str = "now") -> MonitorsSnapshot:
        primary = QGuiApplication.primaryScreen()
        return MonitorsSnapshot(
            t=time.time(),
            screens=tuple(_head(s, primary) for s in QGuiApplication.screens()),
            os_heads=os_heads(),
            cause=cause,
        )

    def stop(self) -> None:
        """Disconnect from Qt; safe to call twice."""
        if not self._running:
            return
        self._running = False
        app_slots = (
            ("screenAdded", self._added),
            ("screenRemoved", self._removed),
            ("primaryScreenChanged", self._primary_changed),
        )
        release_screens(app_slots, self._watched)
        self._watched.clear()

    def _emit(self, cause: str) -> None:
        self._last = self.snapshot(cause)
        self._publish(self._last)

    def _watch(self, screen: QScreen) -> None:
        name = screen.name()

        @fail_safe(None)
        def geometry_changed(rect: QRect) -> None:
            if self._running:
                geometry = describe(as_rect(rect))
                self._emit(f"the geometry of {name} changed to {geometry}")

        screen.geometryChanged.connect(geometry_changed)
        self._watched.append((screen, geometry_changed))

    @fail_safe(None)
    def _added(self, screen: QScreen | None) -> None:
        if not self._running or screen is None:
            return
        self._watch(screen)
        self._emit(f"a screen was added: {screen.name()}")

    @fail_safe(None)
    def _removed(self, screen: QScreen | None) -> None:
        if not self._running or screen is None:
            return
        # Still alive during this signal, deleted right after: forget it now.
        for entry in [e for e in self._watched if e[0] is screen]:
            disconnect(screen.geometryChanged, entry[1])
            self._watched.remove(entry)
        self._emit(f"a screen was removed: {screen.name()}")

    @fail_safe(None)
    def _primary_changed(self, screen: QScreen | None) -> None:
        # Qt also moves the primary when a screen is added or removed (before screenRemoved);
        # decide after the signal burst, and only publish a change the others did not show.
        if not self._running or screen is None:
            return
        name = screen.name()
        QTimer.singleShot(0, lambda: self._after_primary_change(name))

    @fail_safe(None)
    def _after_primary_change(self, name: str) -> None:
        if not self._running:
            return
        now = self.snapshot(f"the primary screen is now {name}")
        if self._last is None or now.screens != self._last.screens:
            self._last = now
            self._publish(now)
