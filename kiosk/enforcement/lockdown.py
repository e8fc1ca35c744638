"""The lockdown: what the policies decide, done to the exam window and the desktop.

The session asks it at setup (can this platform and these monitors be locked down?), at start
and at stop; the application hands it what the detectors observe (``observe``). It filters
keys and drops, guards the clipboard, covers extra screens, turns monitor changes into evidence
and captures the screen at a switch away; keeping the window itself in front of the student
(fullscreen, shown, on top, focused) is window_keeper.py's. Every action is a recorded
decision.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from detectors.base import DeviceError, Observation, Problem
from detectors.compositor import CompositorFact
from detectors.display_clients import DisplayClientsConnected
from detectors.monitors import MonitorDetector, MonitorsSnapshot
from detectors.processes import ProcessesStarted
from detectors.screen_capture import capture_screen, current_capability, to_bgr
from detectors.window_state import ExamWindowState, FocusChange, FullscreenChange
from kiosk.config.settings import PolicySettings
from kiosk.enforcement.clipboard import ClipboardGuard
from kiosk.enforcement.computer import ComputerWatch
from kiosk.enforcement.input_filter import KeyFilter
from kiosk.enforcement.screen_covers import ScreenBlanker
from kiosk.enforcement.window_keeper import WindowKeeper
from kiosk.platform.qt import (
    QApplication,
    QGuiApplication,
    QObject,
    QTimer,
    QWebEngineView,
    QWidget,
)
from kiosk.platform.x11.session import X11Session
from kiosk.session.evidence import EvidenceStore
from kiosk.session.ports import Evidence, SetupFailure
from kiosk.session.record import Decided
from kiosk.session.tracking import TrackingOptions
from policies.devices import page_code
from policies.fullscreen import decide_fullscreen
from policies.keys import ASKS_TO_QUIT, KeyPolicy, drop_allowed, zoom_after
from policies.monitors import (
    MonitorPolicy,
    decide_change,
    decide_setup,
    decide_start,
    effective_policy,
)
from policies.platform import decide_capture, decide_lockdown

log = logging.getLogger("kiosk.lockdown")


class Lockdown(QObject):
    def __init__(
        self,
        qapp: QApplication,
        window: QWidget,
        policy: PolicySettings,
        fullscreen_mode: bool,
        decided: Decided,
        evidence: EvidenceStore,
        x11: X11Session | None,
        compositor: tuple[CompositorFact | None, bool] = (None, False),
        computer: ComputerWatch | None = None,
    ) -> None:
        """``compositor``: the Wayland compositor this kiosk is a client of, and whether a test
        machine's allowance lets a headless one count (kiosk/launch/resolve.py); ``computer``:
        the checks of the computer around the exam (none: not checked)."""
        super().__init__(window)
        self._qapp = qapp
        self._window = window
        self._policy = policy
        self._fullscreen_mode = fullscreen_mode
        self._decided = decided
        self._evidence = evidence
        self._compositor, self._headless_allowed = compositor
        self.computer = computer
        self.options: TrackingOptions | None = None
        self.monitors: MonitorDetector | None = None
        self.blanker: ScreenBlanker | None = None
        self._baseline: MonitorsSnapshot | None = None
        self.on_quit_key: Callable[[str], None] = lambda _: None
        self.clipboard = ClipboardGuard(policy.clipboard, decided, self)
        self.keys: KeyFilter | None = None
        self.keeper = WindowKeeper(
            qapp, window, policy, fullscreen_mode, decided, self.fullscreen_enforced, x11
        )

    def attach(self, monitors: MonitorDetector) -> None:
        """Once the window is shown: filter shortcuts, follow the monitors (the detector is
        lent, and started) and cover every extra screen."""
        keys = KeyPolicy(
            allow_zoom=self._policy.allow_zoom,
            allow_reload=self._policy.allow_reload,
            clipboard=self._policy.clipboard,
        )
        self.keys = KeyFilter(
            self._qapp,
            lambda: [self._window],
            keys,
            self._key_refused,
            paste_allowed=self.clipboard.paste_allowed,
            drop_allowed=self._drop_allowed,
        )
        self.keys.pasting = lambda: self.clipboard.pasting
        self.keys.act = self._act_on_key
        self.clipboard.on_pasted = self.keys.release_held
        self.monitors = monitors
        self._baseline = monitors.last
        if self._fullscreen_mode:
            self.blanker = ScreenBlanker(self._window, self)
            self.blanker.start()
            self.keeper.attach()

    def _act_on_key(self, what: str, chord: str) -> None:
        """An allowed zoom or reload key (policies/keys.py decided)."""
        view = self._window.findChild(QWebEngineView)  # the exam's, in the kiosk window
        if view is None:
            return
        if what == "reload":
            view.reload()
        elif (factor := zoom_after(chord, view.zoomFactor())) is not None:
            view.setZoomFactor(factor)

    def _drop_allowed(self, files: bool) -> bool:
        return drop_allowed(files, self._policy.uploads, self._policy.clipboard)

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
        lock = decide_lockdown(
            platform, session_type, required, self._compositor, self._headless_allowed
        )
        detail = {"platform": platform, "sessionType": session_type, "why": lock.why}
        if self._compositor is not None:
            detail["compositor"] = self._compositor.program or self._compositor.socket
        if not lock.proceed:
            self._decided("lockdown", "refused: cannot be locked down", detail)
            raise SetupFailure(lock.code or 4016, lock.why)
        if not lock.possible or not self._fullscreen_mode:
            why = lock.why if not lock.possible else "windowed development mode"
            self._decided("lockdown", "not locked down", {**detail, "why": why})
            checks["lockdown"] = f"not locked down: {why}"
        else:
            checks["lockdown"] = "locked"
        if self.computer is not None:
            checks.update(self.computer.check())
        checks["screenCapture"] = self._check_capture(options)
        warnings: list[Evidence] = []
        snapshot = self._snapshot("setup")
        decision = decide_setup(snapshot, self._monitor_policy())
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
        except DeviceError as error:  # the platform can, this computer could not
            raise SetupFailure(page_code(error.device, error.problem).code, error.message) from None
        return "granted"

    def _monitor_policy(self) -> MonitorPolicy:
        page = None if self.options is None else self.options.detectMultipleScreens
        return effective_policy(self._policy.multiple_monitors, page)

    def _snapshot(self, cause: str) -> MonitorsSnapshot:
        if self.monitors is None:
            raise RuntimeError("the lockdown is not attached to a shown window")
        return self.monitors.snapshot(cause)

    def start(self) -> list[Evidence]:
        """Monitoring starts: keep the keyboard, and a monitor still there (warn) is 5007."""
        self.keeper.monitoring = True
        self.keeper.grab_keyboard()
        self.clipboard.start()
        snapshot = self._snapshot("monitoring started")
        self._baseline = snapshot
        found = decide_start(snapshot, self._monitor_policy())
        computer = self.computer.start() if self.computer is not None else []
        return [Evidence(f.code, dict(f.detail)) for f in found] + computer

    def fullscreen_enforced(self) -> bool:
        page = None if self.options is None else self.options.forceFullScreen
        decision = decide_fullscreen(self._fullscreen_mode, page, self._policy.force_fullscreen)
        return decision.restore

    def switched_away(self) -> tuple[dict[str, Any], list[Evidence]]:
        """captureSwitchedTab: the whole screen at the moment the student switched away."""
        wanted = self.options is not None and self.options.captureSwitchedTab
        if not (wanted or self._policy.force_capture_switched_tab):
            return {}, []
        store = self._evidence
        t = time.time()
        try:
            image = capture_screen(self._window.screen())
            if store.full:
                return {"screenshot": None, "screenshotNote": "the evidence pool is full"}, []
            try:
                photo = store.save(to_bgr(image), "5005-screen", t)
            except OSError as exc:
                raise DeviceError(
                    "screen", Problem.FAILED, f"writing the capture failed: {exc}"
                ) from exc
        except DeviceError as error:
            code = page_code(error.device, error.problem).code
            self._decided("capture", "failed", {"code": code, "why": error.message})
            found = Evidence(code, {"cause": error.message, "duringMonitoring": True})
            return {"screenshot": None}, [found]
        if photo is None:  # filled up meanwhile by a camera photo
            return {"screenshot": None, "screenshotNote": "the evidence pool is full"}, []
        return {"screenshot": photo.as_detail()}, []

    def stop(self) -> None:
        if self.computer is not None:
            self.computer.stop()
        self.keeper.monitoring = False
        self.keeper.release_keyboard()
        self.clipboard.stop()

    # -- what the detectors saw -----------------------------------------------------------------

    def observe(self, obs: Observation) -> list[Evidence]:
        """Acts on what a detector saw; returns the evidence to fire while monitoring (a monitor
        came, went or changed)."""
        if isinstance(obs, FullscreenChange):
            self.keeper.on_fullscreen(obs)
        elif isinstance(obs, FocusChange):
            self.keeper.on_focus(obs)
        elif isinstance(obs, ExamWindowState):
            self.keeper.on_exam_window(obs)
        elif isinstance(obs, (ProcessesStarted, DisplayClientsConnected)) and self.computer:
            return self.computer.observe(obs)
        elif isinstance(obs, MonitorsSnapshot):
            before, self._baseline = self._baseline, obs
            if before is not None and self._monitor_policy() != "off":
                return [Evidence(f.code, dict(f.detail)) for f in decide_change(before, obs)]
        return []

    def close(self) -> None:
        self.keeper.close()
        self.clipboard.stop()
        if self.keys is not None:
            self.keys.remove()
        if self.blanker is not None:
            self.blanker.stop()
