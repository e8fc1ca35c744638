"""Keeping the exam window in front of the student: fullscreen, shown, on top, focused.

Each thing a window manager or another program can do to the window is answered here, and
answered again until it holds: a window manager may refuse an activation, Qt may believe a
window is fullscreen that the window manager manages afresh. Each first answer per episode is a
recorded decision. What to keep is the policies' (the lockdown passes ``restore_wanted``); this
module only does it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from detectors.fullscreen import covers_screen
from detectors.window_state import ExamWindowState, FocusChange, FullscreenChange
from kiosk.config.settings import PolicySettings
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QApplication, QGuiApplication, QObject, QTimer, QWidget
from kiosk.platform.x11.session import X11Error, X11Session
from kiosk.session.record import Decided
from policies.fullscreen import decide_refocus

log = logging.getLogger("kiosk.window_keeper")

#: While something covers the exam, how often the kiosk lifts itself above it again.
RAISE_AGAIN_MS = 250

#: While the window is still not fullscreen after putting it back, how often to try again.
RESTORE_RETRY_MS = 300

#: While focus is still elsewhere after taking it back, how often the kiosk asks again.
REFOCUS_RETRY_MS = 500

#: While the exam is not shown, how often the kiosk tries to show it again.
SHOW_RETRY_MS = 500

#: How soon a window that left fullscreen is put back (the window manager needs a moment to
#: finish its own change first, or it undoes ours).
RESTORE_DELAY_MS = 50


class WindowKeeper(QObject):
    def __init__(
        self,
        qapp: QApplication,
        window: QWidget,
        policy: PolicySettings,
        fullscreen_mode: bool,
        decided: Decided,
        restore_wanted: Callable[[], bool],
        x11: X11Session | None,
    ) -> None:
        super().__init__(window)
        self._qapp = qapp
        self._window = window
        self._policy = policy
        self._fullscreen_mode = fullscreen_mode
        self._decided = decided
        self._restore_wanted = restore_wanted
        self._x11 = x11  # lent by the application, which closes it
        self.monitoring = False
        self.keyboard_grabbed = False
        self._last_state: ExamWindowState | None = None  # what the X server showed last
        # While another program's window covers the exam, the kiosk keeps raising itself:
        # the window manager's next restack would put the exam below it again.
        self._raise_again = QTimer(self)
        self._raise_again.setInterval(RAISE_AGAIN_MS)
        self._raise_again.timeout.connect(self._raise_above_all)
        self._show_retry = QTimer(self)  # until the X server shows the exam again
        self._show_retry.setInterval(SHOW_RETRY_MS)
        self._show_retry.timeout.connect(self._retry_show)
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.timeout.connect(self._take_screen_back)
        self._restore_tries = 0
        self._refocus = QTimer(self)
        self._refocus.setSingleShot(True)
        self._refocus.timeout.connect(self._take_focus_back)
        self._refocus_tries = 0
        self._pending_cause = ""

    def attach(self) -> None:
        """Once the window is shown: the exam is on every desktop."""
        self._make_sticky()

    @fail_safe(None)
    def on_fullscreen(self, change: FullscreenChange) -> None:
        if change.fullscreen or not self._restore_wanted():
            return
        self._pending_cause = change.cause
        self._restore_tries = 0  # a new exit: recorded when it is undone
        self._restore.start(RESTORE_DELAY_MS)

    @fail_safe(None)
    def on_focus(self, change: FocusChange) -> None:
        if change.focused or change.dialog:  # a dialog of the kiosk's own has it: let it be
            self._refocus.stop()
            self._refocus_tries = 0
            if self.monitoring and change.focused:
                self.grab_keyboard()  # X drops a grab when its window is unmapped
            return
        # Locked is the kiosk's own mode: a page that turns forceFullScreen off still runs in
        # a locked kiosk, and taking focus back is policy's, not the page's, to turn off.
        decision = decide_refocus(
            self._fullscreen_mode, self._policy.take_focus_back, self._policy.refocus_after
        )
        if decision.refocus:
            self._pending_cause = change.cause
            self._refocus_tries = 0
            self._refocus.start(round(decision.after * 1000))

    @fail_safe(None)
    def on_exam_window(self, state: ExamWindowState) -> None:
        """What the X server says: the exam must be shown, on top, on every desktop."""
        self._last_state = state
        if not state.window_manager:
            self._decided("window manager", "gone", {"cause": state.cause})
        if not state.shown:
            self._pending_cause = state.cause
            self._show_again()
            self._show_retry.start()
            return
        self._show_retry.stop()
        if state.covered_by:
            self._pending_cause = state.cause
            self._raise_above_all()
            self._raise_again.start()
            self._decided("window", "raised above", {"cover": list(state.covered_by)})
        else:
            self._raise_again.stop()
            if self.monitoring:
                self.grab_keyboard()  # X dropped the grab while the window was unmapped
        if not state.active and not self._refocus.isActive():
            # Qt may still believe its window active (no focus-out came): the X server's word
            # is the one that counts, so focus is taken back as after any switch away.
            self.on_focus(FocusChange(t=state.t, focused=False, cause=state.cause))

    def _x(self) -> X11Session | None:
        """The kiosk's X connection; None off X11 or when the kiosk does not watch X."""
        if QGuiApplication.platformName() != "xcb":
            return None
        return self._x11

    def _make_sticky(self) -> None:
        """On every desktop, so switching desktops never leaves the exam behind."""
        try:
            x = self._x()
            if x is not None:
                x.make_sticky(int(self._window.winId()))
        except X11Error as exc:
            log.warning("cannot keep the exam on every desktop: %s", exc)

    @fail_safe(None)
    def _raise_above_all(self) -> None:
        last = self._last_state
        if last is None or not last.covered_by:
            self._raise_again.stop()
            return
        x = self._x()
        if x is not None and last.unmanaged_cover:
            x.raise_above_all(x.frame_of(int(self._window.winId())))
        self._window.raise_()

    @fail_safe(None)
    def _retry_show(self) -> None:
        last = self._last_state
        if last is None or last.shown:
            self._show_retry.stop()
            return
        self._show_again(record=False)

    def _show_again(self, record: bool = True) -> None:
        """Unmapped, reparented or destroyed behind Qt's back: Qt still thinks the window is
        shown, so a Qt show does nothing. The X server maps it again, on the root (the window
        manager then manages it like a new window, fullscreen state and all); a destroyed one
        Qt must create anew."""
        window = self._window
        if window.isMinimized():  # Qt knows: putting back fullscreen un-minimises it
            return
        x = self._x()
        wid = int(window.winId())
        if x is None or not x.window_state(wid).exists or not self._map(x, wid):
            window.hide()  # Qt forgets the dead native window and makes a new one on show
            window.destroy(True, False)
            if self._restore_wanted():
                window.showFullScreen()
            else:
                window.show()
        window.raise_()
        window.activateWindow()
        self._make_sticky()
        if record:
            self._decided("window", "shown again", {"cause": self._pending_cause})

    def _map(self, x: X11Session, wid: int) -> bool:
        """Maps the window again; one another program holds (reparented into its own window),
        or one the window manager let go of, is first put back on the root, on its screen."""
        place = x.placement(wid)
        if place.host is None and place.managed:
            return x.map(wid)
        screen = self._window.screen()
        g = None if screen is None else screen.geometry()
        x0, y0 = (0, 0) if g is None else (g.x(), g.y())
        return x.put_on_root(wid, x0, y0, fullscreen=self._window.isFullScreen())

    # -- what the kiosk does about it -----------------------------------------------------------

    def _kiosk_window_active(self) -> bool:
        """One of the kiosk's own windows (the exam, a consent or quit dialog) has focus. An
        open dialog alone is not enough: the student can leave it open and click elsewhere.
        Qt's word alone is not enough either: the window manager may have made another window
        active without Qt being told."""
        x_active = self._last_state is None or self._last_state.active
        return self._qapp.activeWindow() is not None and x_active

    @fail_safe(None)
    def _take_screen_back(self) -> None:
        window = self._window
        if window.isFullScreen() and not window.isMinimized() and covers_screen(window):
            self._restore_tries = 0
            return
        if not self._restore_wanted():
            self._restore_tries = 0
            return
        if self._restore_tries and window.isFullScreen():
            # Qt believes it is fullscreen, the window manager does not agree (the window was
            # managed afresh): say it again from a normal state.
            window.showNormal()
        window.showFullScreen()
        screen = window.screen()
        if screen is not None and not covers_screen(window):
            window.setGeometry(screen.geometry())  # still fullscreen, but sized for a mode gone
        window.raise_()
        window.activateWindow()
        if not self._restore_tries:
            self._decided("fullscreen", "restored", {"cause": self._pending_cause})
        self._restore_tries += 1
        self._restore.start(RESTORE_RETRY_MS)  # until it holds: the check above stops it

    @fail_safe(None)
    def _take_focus_back(self) -> None:
        log.debug(
            "take focus back (try %d): active window %s, exam active %s, focus window %s",
            self._refocus_tries, self._qapp.activeWindow(), self._window.isActiveWindow(),
            QGuiApplication.focusWindow(),
        )  # fmt: skip
        if self._kiosk_window_active() and not self._window.isMinimized():
            self._refocus_tries = 0
            return
        if self._restore_wanted():
            self._window.showFullScreen()
        self._window.raise_()
        self._window.activateWindow()
        x = self._x() if self._refocus_tries else None
        if x is not None:  # the window manager did not activate it last time: the X server will
            # From the third try, by way of the root: a window manager that believes the exam
            # focused already hears of a focus that changes nothing (kiosk/platform/x11).
            x.focus(int(self._window.winId()), via_root=self._refocus_tries >= 2)
        modal = self._qapp.activeModalWidget()  # a quit, consent or page dialog left open
        if modal is not None:
            modal.raise_()
            modal.activateWindow()
        if not self._refocus_tries:
            self._decided("focus", "taken back", {"cause": self._pending_cause})
        # The window manager may refuse an activation (a window it has just mapped again, a
        # stale timestamp): ask again until focus is back; on_focus(True) stops this.
        self._refocus_tries += 1
        self._refocus.start(REFOCUS_RETRY_MS)

    # -- the keyboard --------------------------------------------------------------------------

    def grab_keyboard(self) -> None:
        """X11: every key goes to the kiosk, so the window manager's switcher never sees
        Alt+Tab or Super. Qt grabs through its own connection, so the page still gets keys."""
        if not (self._policy.keyboard_grab and self._fullscreen_mode):
            return
        if QGuiApplication.platformName() != "xcb":
            return
        handle = self._window.windowHandle()
        if handle is None:
            return
        grabbed = handle.setKeyboardGrabEnabled(True)  # again is harmless: X keeps one grab
        if grabbed != self.keyboard_grabbed:
            self._decided("keyboard", "grabbed" if grabbed else "grab refused by X", {})
        self.keyboard_grabbed = grabbed

    def release_keyboard(self) -> None:
        if not self.keyboard_grabbed:
            return
        handle = self._window.windowHandle()
        if handle is not None:
            handle.setKeyboardGrabEnabled(False)
        self.keyboard_grabbed = False
        self._decided("keyboard", "released", {})

    def close(self) -> None:
        self._restore.stop()
        self._refocus.stop()
        self._raise_again.stop()
        self._show_retry.stop()
        self.release_keyboard()
