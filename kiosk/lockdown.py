"""The lockdown, enforced: what the policies decide, done to the exam window and the desktop.

The session asks it at setup (can this platform and these monitors be locked down?), at start
and at stop; the application hands it what the detectors observe so it can answer in native
code: put the window back in fullscreen, take focus back after a grace time, cover extra
screens, keep the keyboard. Every action it takes is a recorded decision.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from detectors.base import Observation
from detectors.exam_window import ExamWindowState, ExamWindowWatcher
from detectors.focus import FocusChange
from detectors.fullscreen import FullscreenChange, covers_screen
from detectors.monitors import MonitorDetector, MonitorsSnapshot
from detectors.photos import EvidenceStore
from detectors.screen_capture import (
    CaptureFailure,
    capture_screen,
    current_capability,
    save_capture,
)
from kiosk.blanker import ScreenBlanker
from kiosk.clipboard import ClipboardGuard, apply_page_settings
from kiosk.config import PolicySettings
from kiosk.failsafe import fail_safe
from kiosk.keyfilter import KeyFilter
from kiosk.proctoring import Evidence, SetupFailure
from kiosk.qt import QApplication, QGuiApplication, QObject, QTimer
from kiosk.tracking import TrackingOptions
from kiosk.window import KioskWindow
from kiosk.x11 import X11Error, X11Session
from policies.fullscreen import FullscreenDecision, decide_fullscreen, decide_refocus
from policies.keys import KeyPolicy
from policies.monitors import (
    MonitorPolicy,
    decide_change,
    decide_setup,
    describe,
    extra_heads,
    suspected,
)
from policies.platform import decide_capture, decide_lockdown

log = logging.getLogger("kiosk.lockdown")

Decided = Callable[[str, str, dict[str, Any]], None]

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


class Lockdown(QObject):
    def __init__(
        self,
        qapp: QApplication,
        window: KioskWindow,
        policy: PolicySettings,
        fullscreen_mode: bool,
        decided: Decided,
        publish: Callable[[Observation], None],
        evidence: Callable[[], EvidenceStore | None],
    ) -> None:
        super().__init__(window)
        self._qapp = qapp
        self._window = window
        self._policy = policy
        self._fullscreen_mode = fullscreen_mode
        self._decided = decided
        self._publish = publish
        self._evidence = evidence
        self.options: TrackingOptions | None = None
        self.monitors: MonitorDetector | None = None
        self.blanker: ScreenBlanker | None = None
        self._baseline: MonitorsSnapshot | None = None
        self._monitoring = False
        self.keyboard_grabbed = False
        self.on_quit_key: Callable[[str], None] = lambda _: None
        self.clipboard = ClipboardGuard(policy.clipboard, decided, self)
        settings = window.page.settings()
        if settings is not None:
            apply_page_settings(settings, policy.clipboard)
        self.keys: KeyFilter | None = None
        self.watcher: ExamWindowWatcher | None = None
        self._x11: X11Session | None = None
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
        """Once the window is shown: filter shortcuts, watch the monitors and cover every
        extra screen."""
        keys = KeyPolicy(
            allow_zoom=self._policy.allow_zoom,
            allow_reload=self._policy.allow_reload,
            clipboard=self._policy.clipboard,
        )
        self.keys = KeyFilter(
            self._qapp,
            self._key_windows,
            keys,
            self._key_refused,
            paste_allowed=self.clipboard.paste_allowed,
            drop_allowed=self._drop_allowed,
        )
        self.monitors = MonitorDetector(self._publish, self)
        self._baseline = self.monitors.last
        if self._fullscreen_mode:
            self.blanker = ScreenBlanker(self._window, self)
            self.blanker.start()
            # X11: what Qt cannot see (unmapped, another desktop, destroyed, covered).
            self.watcher = ExamWindowWatcher(
                self._window, self._publish, self._qapp.topLevelWidgets, parent=self
            )
            self.watcher.start()
            self._make_sticky()

    def _drop_allowed(self, files: bool) -> bool:
        """A drag from another program: files are an upload, text a paste from outside."""
        return self._policy.uploads if files else self._policy.clipboard == "allow"

    def _key_windows(self) -> list[Any]:
        return [self._window]

    def _key_refused(self, policy: str, decision: str, detail: dict[str, Any]) -> None:
        self._decided(policy, decision, detail)
        if detail.get("what") in ("close the window", "close the tab", "quit the browser"):
            # The student asks to leave: the quit policy answers (a password dialog, or no).
            # Later, not inside the event filter: the answer may be a modal dialog.
            chord = str(detail.get("chord"))
            QTimer.singleShot(0, lambda: self.on_quit_key(chord))

    # -- what the session asks ------------------------------------------------------------------

    def check(self, options: TrackingOptions) -> tuple[dict[str, Any], list[Evidence]]:
        """The lockdown part of setup(): platform (4016), screen capture (4011-4017), monitors
        (4015). Raises SetupFailure; returns the checks for 2001 and warnings to fire."""
        self.options = options
        checks: dict[str, Any] = {}
        platform = QGuiApplication.platformName()
        session_type = os.environ.get("XDG_SESSION_TYPE")
        required = self._policy.require_lockdown and self._fullscreen_mode
        lock = decide_lockdown(platform, session_type, required)
        detail = {"platform": platform, "sessionType": session_type, "why": lock.why}
        if not lock.proceed:
            self._decided("lockdown", "refused: cannot be locked down", detail)
            raise SetupFailure(lock.code or 4016, lock.why)
        if not lock.possible or not self._fullscreen_mode:
            why = lock.why if not lock.possible else "windowed development mode"
            self._decided("lockdown", "not locked down", {**detail, "why": why})
            checks["lockdown"] = f"not locked down: {why}"
        else:
            checks["lockdown"] = "locked"
        checks["screenCapture"] = self._check_capture(options)
        warnings: list[Evidence] = []
        snapshot = self._snapshot("setup")
        decision = decide_setup(snapshot, self._monitor_policy(options))
        checks["monitors"] = len(snapshot.screens)
        if decision.code is not None:
            names = ", ".join(decision.detail.get("extra", []))
            if not decision.proceed:
                self._decided("monitors", "setup refused", decision.detail)
                raise SetupFailure(decision.code, f"extra monitors: {names}")
            self._decided("monitors", "setup continues with a warning", decision.detail)
            warnings.append(Evidence(decision.code, dict(decision.detail)))
        return checks, warnings

    def _check_capture(self, options: TrackingOptions) -> str:
        forced = self._policy.force_capture_switched_tab
        if not (options.captureSwitchedTab or forced):
            return "not requested"
        decision = decide_capture(current_capability(), options.captureSwitchedTab, forced)
        if not decision.proceed:
            raise SetupFailure(decision.code or 4011, decision.why)
        try:
            capture_screen(self._window.screen())
        except CaptureFailure as failure:  # the platform can, this computer could not
            raise SetupFailure(failure.code, failure.message) from None
        return "granted"

    def _monitor_policy(self, options: TrackingOptions | None) -> MonitorPolicy:
        """block is a managed requirement the page cannot relax; warn follows the page's
        detectMultipleScreens, as AutoProctor does."""
        mode = self._policy.multiple_monitors
        if mode == "warn" and options is not None and not options.detectMultipleScreens:
            return "off"
        return mode

    def _snapshot(self, cause: str) -> MonitorsSnapshot:
        if self.monitors is None:
            raise RuntimeError("the lockdown is not attached to a shown window")
        return self.monitors.snapshot(cause)

    def start(self) -> list[Evidence]:
        """Monitoring starts: keep the keyboard, and a monitor still there (warn) is 5007."""
        self._monitoring = True
        self._grab_keyboard()
        self.clipboard.start()
        found: list[Evidence] = []
        snapshot = self._snapshot("monitoring started")
        self._baseline = snapshot
        extra = extra_heads(snapshot)
        if extra and self._monitor_policy(self.options) != "off":
            found.append(
                Evidence(
                    5007,
                    {
                        "added": [h.name for h in extra],
                        "screens": describe(snapshot.screens),
                        "cause": "more than one monitor when monitoring started",
                    },
                )
            )
        reason = suspected(snapshot)
        if reason is not None and self._monitor_policy(self.options) != "off":
            detail = {"reason": reason, "suspected": True, "cause": "monitoring started"}
            found.append(Evidence(5008, detail))
        return found

    def observe(self, snapshot: MonitorsSnapshot) -> list[Evidence]:
        """A monitor came, went or changed; the findings the session fires while monitoring."""
        before, self._baseline = self._baseline, snapshot
        if before is None or self._monitor_policy(self.options) == "off":
            return []
        return [Evidence(f.code, dict(f.detail)) for f in decide_change(before, snapshot)]

    def switched_away(self) -> tuple[dict[str, Any], list[Evidence]]:
        """captureSwitchedTab: the whole screen at the moment the student switched away."""
        wanted = self.options is not None and self.options.captureSwitchedTab
        if not (wanted or self._policy.force_capture_switched_tab):
            return {}, []
        store = self._evidence()
        t = time.time()
        try:
            image = capture_screen(self._window.screen())
            if store is None:
                raise CaptureFailure(4012, "there is no evidence store for this session")
            photo = save_capture(image, store.folder, "5005-screen", t, store)
        except CaptureFailure as failure:
            self._decided("capture", "failed", {"code": failure.code, "why": failure.message})
            return {"screenshot": None}, [
                Evidence(failure.code, {"cause": failure.message, "duringMonitoring": True})
            ]
        if photo is None:
            return {"screenshot": None, "screenshotNote": "the evidence pool is full"}, []
        return {"screenshot": photo.as_detail()}, []

    def stop(self) -> None:
        self._monitoring = False
        self._release_keyboard()
        self.clipboard.stop()

    # -- decisions ----------------------------------------------------------------------------

    def fullscreen(self) -> FullscreenDecision:
        page = None if self.options is None else self.options.forceFullScreen
        return decide_fullscreen(self._fullscreen_mode, page, self._policy.force_fullscreen)

    # -- what the detectors saw -----------------------------------------------------------------

    @fail_safe(None)
    def on_fullscreen(self, change: FullscreenChange) -> None:
        if change.fullscreen or not self.fullscreen().restore:
            return
        self._pending_cause = change.cause
        self._restore_tries = 0  # a new exit: recorded when it is undone
        self._restore.start(RESTORE_DELAY_MS)

    @fail_safe(None)
    def on_focus(self, change: FocusChange) -> None:
        if change.focused:
            self._refocus.stop()
            self._refocus_tries = 0
            if self._monitoring:
                self._grab_keyboard()  # X drops a grab when its window is unmapped
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
            if self._monitoring:
                self._grab_keyboard()  # X dropped the grab while the window was unmapped

    def _x(self) -> X11Session | None:
        if QGuiApplication.platformName() != "xcb":
            return None
        if self._x11 is None:
            self._x11 = X11Session()
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
        watcher = self.watcher
        if watcher is None or watcher.last is None or not watcher.last.covered_by:
            self._raise_again.stop()
            return
        x = self._x()
        if x is not None and watcher.last.unmanaged_cover:
            x.raise_above_all(x.frame_of(int(self._window.winId())))
        self._window.raise_()

    @fail_safe(None)
    def _retry_show(self) -> None:
        last = None if self.watcher is None else self.watcher.last
        if last is None or last.shown:
            self._show_retry.stop()
            return
        self._show_again(record=False)

    def _show_again(self, record: bool = True) -> None:
        """Unmapped or destroyed behind Qt's back: Qt still thinks the window is shown, so a
        Qt show does nothing. The X server maps it again (the window manager then manages it
        like a new window, fullscreen state and all); a destroyed one Qt must create anew."""
        window = self._window
        if window.isMinimized():  # Qt knows: putting back fullscreen un-minimises it
            return
        x = self._x()
        wid = int(window.winId())
        if x is None or not x.window_state(wid).exists or not x.map(wid):
            window.hide()  # Qt forgets the dead native window and makes a new one on show
            window.destroy(True, False)
            if self.fullscreen().restore:
                window.showFullScreen()
            else:
                window.show()
        window.raise_()
        window.activateWindow()
        self._make_sticky()
        if record:
            self._decided("window", "shown again", {"cause": self._pending_cause})

    # -- what the kiosk does about it -----------------------------------------------------------

    def _kiosk_window_active(self) -> bool:
        """One of the kiosk's own windows (the exam, a consent or quit dialog) has focus. An
        open dialog alone is not enough: the student can leave it open and click elsewhere."""
        return self._qapp.activeWindow() is not None

    @fail_safe(None)
    def _take_screen_back(self) -> None:
        window = self._window
        if window.isFullScreen() and not window.isMinimized() and covers_screen(window):
            self._restore_tries = 0
            return
        if not self.fullscreen().restore:
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
        if self.fullscreen().restore:
            self._window.showFullScreen()
        self._window.raise_()
        self._window.activateWindow()
        x = self._x() if self._refocus_tries else None
        if x is not None:  # the window manager did not activate it last time: the X server will
            x.focus(int(self._window.winId()))
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

    def _grab_keyboard(self) -> None:
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

    def _release_keyboard(self) -> None:
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
        self._release_keyboard()
        self.clipboard.stop()
        self._raise_again.stop()
        self._show_retry.stop()
        if self.watcher is not None:
            self.watcher.stop()
        if self._x11 is not None:
            self._x11.close()
        if self.keys is not None:
            self.keys.remove()
        if self.blanker is not None:
            self.blanker.stop()
        if self.monitors is not None:
            self.monitors.close()
