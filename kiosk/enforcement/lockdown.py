"""The lockdown: what the policies decide, done to the exam window and the desktop.

The session asks it at setup (can this platform and these monitors be locked down?), at start
and at stop; the application hands it what the detectors observe. It filters keys and drops,
guards the clipboard, covers extra screens, turns monitor changes into evidence and captures
the screen at a switch away; keeping the window itself in front of the student (fullscreen,
shown, on top, focused) is kiosk/window_keeper.py's. Every action is a recorded decision.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from detectors.base import Observation
from detectors.exam_window import ExamWindowState
from detectors.focus import FocusChange
from detectors.fullscreen import FullscreenChange
from detectors.monitors import MonitorDetector, MonitorsSnapshot
from detectors.photos import EvidenceStore
from detectors.screen_capture import (
    CaptureFailure,
    capture_screen,
    current_capability,
    save_capture,
)
from kiosk.config.settings import PolicySettings
from kiosk.enforcement.clipboard import ClipboardGuard, apply_page_settings
from kiosk.enforcement.input_filter import KeyFilter
from kiosk.enforcement.screen_covers import ScreenBlanker
from kiosk.enforcement.window_keeper import WindowKeeper
from kiosk.platform.qt import QApplication, QGuiApplication, QObject, QTimer
from kiosk.proctoring.proctor import Evidence, SetupFailure
from kiosk.session.tracking import TrackingOptions
from kiosk.ui.window import KioskWindow
from policies.fullscreen import FullscreenDecision, decide_fullscreen
from policies.keys import ASKS_TO_QUIT, KeyPolicy
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
        self.on_quit_key: Callable[[str], None] = lambda _: None
        self.clipboard = ClipboardGuard(policy.clipboard, decided, self)
        settings = window.page.settings()
        if settings is not None:
            apply_page_settings(settings, policy.clipboard)
        self.keys: KeyFilter | None = None
        self.keeper = WindowKeeper(
            qapp, window, policy, fullscreen_mode, decided, lambda: self.fullscreen().restore
        )

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
            self.keeper.attach(self._publish)

    def _drop_allowed(self, files: bool) -> bool:
        """A drag from another program: files are an upload, text a paste from outside."""
        return self._policy.uploads if files else self._policy.clipboard == "allow"

    def _key_windows(self) -> list[Any]:
        return [self._window]

    def _key_refused(self, policy: str, decision: str, detail: dict[str, Any]) -> None:
        self._decided(policy, decision, detail)
        if detail.get("what") in ASKS_TO_QUIT:
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
        self.keeper.monitoring = True
        self.keeper.grab_keyboard()
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
        self.keeper.monitoring = False
        self.keeper.release_keyboard()
        self.clipboard.stop()

    # -- decisions ----------------------------------------------------------------------------

    def fullscreen(self) -> FullscreenDecision:
        page = None if self.options is None else self.options.forceFullScreen
        return decide_fullscreen(self._fullscreen_mode, page, self._policy.force_fullscreen)

    # -- what the detectors saw -----------------------------------------------------------------

    def on_fullscreen(self, change: FullscreenChange) -> None:
        self.keeper.on_fullscreen(change)

    def on_focus(self, change: FocusChange) -> None:
        self.keeper.on_focus(change)

    def on_exam_window(self, state: ExamWindowState) -> None:
        self.keeper.on_exam_window(state)

    def close(self) -> None:
        self.keeper.close()
        self.clipboard.stop()
        if self.keys is not None:
            self.keys.remove()
        if self.blanker is not None:
            self.blanker.stop()
        if self.monitors is not None:
            self.monitors.close()
