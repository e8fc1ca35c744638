"""The session lifecycle: setup, start, stop, as a state machine the page drives.

No Qt here. Every event goes through :meth:`Session.fire`, which commits it to the record and
only then hands it to ``deliver`` (the bridge): the order the page sees is the order recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from bridge.catalogue import EventSpec, lookup
from bridge.messages import INVALID_OPTION, INVALID_STATE, FiredEvent, Rejected
from kiosk.session.record import SessionRecord
from kiosk.session.tracking import (
    SetupRequest,
    TrackingOptions,
    needs_camera,
    needs_microphone,
    parse_setup,
    unavailable,
)
from kiosk.trust import TrustScoreConfig, episodes, score

if TYPE_CHECKING:
    from detectors.base import Observation
    from kiosk.proctoring.proctor import DeviceProblem, Evidence, Proctor

log = logging.getLogger("kiosk.session")

NO_DEVICES = "no camera or microphone is attached to this session"

#: The record's note that a sustained violation (5001, 5002, 5004) is over.
EPISODE_ENDED = "episode ended"
#: The error a device that is lost during the exam fires (4008 camera, 4007 microphone).
_LOST_CODE = {"camera": 4008, "microphone": 4007}


class LockdownPort(Protocol):
    """What the session asks of the lockdown (kiosk.enforcement.lockdown; Qt lives there)."""

    def check(self, options: TrackingOptions) -> tuple[dict[str, Any], list[Evidence]]:
        """Raises SetupFailure; returns the 2001 check details and warnings to fire."""
        ...

    def start(self) -> list[Evidence]: ...

    def switched_away(self) -> tuple[dict[str, Any], list[Evidence]]:
        """Detail for 5005 (e.g. the screenshot) and any error to fire after it."""
        ...

    def stop(self) -> None: ...


class State(StrEnum):
    IDLE = "idle"
    SETTING_UP = "setting_up"
    READY = "ready"
    MONITORING = "monitoring"
    STOPPED = "stopped"


@dataclass(frozen=True)
class EngineInfo:
    chromium: str
    qtwebengine: str

    @property
    def chromium_major(self) -> int:
        head = self.chromium.split(".", 1)[0]
        return int(head) if head.isdigit() else 0


_WRONG_ORDER = {
    ("setup", State.SETTING_UP): "setup() is already running",
    ("setup", State.READY): "setup() has already completed; call start()",
    ("setup", State.MONITORING): "setup() has already completed and monitoring is running",
    ("start", State.IDLE): "start() called before setup()",
    ("start", State.SETTING_UP): "start() called before setup() completed",
    ("start", State.MONITORING): "start() called twice: monitoring is already running",
    ("stop", State.IDLE): "stop() called before start()",
    ("stop", State.SETTING_UP): "stop() called before start()",
    ("stop", State.READY): "stop() called before start()",
}


class Session:
    def __init__(
        self,
        record: SessionRecord,
        deliver: Callable[[FiredEvent], None],
        *,
        engine: EngineInfo,
        minimum_chromium: int,
        trust: TrustScoreConfig,
        devices: Proctor | None = None,
        lockdown: LockdownPort | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.record = record
        self._deliver = deliver
        self._engine = engine
        self._minimum_chromium = minimum_chromium
        self._trust = trust
        self._clock = clock
        self.devices = devices
        self.lockdown = lockdown
        self.test_duration: float | None = None
        self.state = State.IDLE
        self.options: TrackingOptions | None = None
        self._started_seq = 0
        self._focused = True
        self._fullscreen_ok = True  # fullscreen, or fullscreen is not enforced
        self._window_visible = True  # the X server shows it, uncovered
        self._away_cause = ""
        self._reported_focused = True
        self._lost_at = 0.0
        self._lost_before_start: dict[int, DeviceProblem] = {}

    # -- events ------------------------------------------------------------------------------

    def fire(self, spec: EventSpec, **extra: Any) -> FiredEvent:
        t = self._clock()
        detail = spec.detail(round(t * 1000), **extra)
        seq = self.record.append(t, spec.name, spec.code, spec.reason, detail)
        event = FiredEvent(seq, t, (spec.name, *spec.aliases), spec.code, detail)
        self._deliver(event)
        return event

    def _require(self, call: str, *allowed: State) -> None:
        if self.state in allowed:
            return
        if self.state is State.STOPPED:
            raise Rejected(INVALID_STATE, f"{call}() called after the session has ended")
        raise Rejected(INVALID_STATE, _WRONG_ORDER[(call, self.state)])

    # -- the page's calls --------------------------------------------------------------------

    def setup(self, raw: Any, ids: dict[str, Any] | None = None) -> dict[str, Any]:
        self._require("setup", State.IDLE)
        try:
            request = parse_setup(raw)
        except ValueError as exc:
            raise Rejected(INVALID_OPTION, str(exc)) from None
        self.state = State.SETTING_UP
        try:
            return self._run_setup(request, ids or {})
        except BaseException:
            if self.state is not State.STOPPED:  # ended meanwhile (a quit during consent)
                self.state = State.IDLE  # the student can retry
            if self.devices is not None:
                self.devices.release()
            raise

    def _run_setup(self, request: SetupRequest, ids: dict[str, Any]) -> dict[str, Any]:
        options = request.trackingOptions
        if self._engine.chromium_major < self._minimum_chromium:
            spec = lookup(4001)
            self.fire(
                spec,
                chromium=self._engine.chromium,
                minimumChromium=self._minimum_chromium,
            )
            raise Rejected(4001, spec.message)
        missing = unavailable(options)
        locked = self._lockdown_check(options)
        checks = self._device_step("check", options) if self.devices else self._no_devices(options)
        self.fire(
            lookup(2001),
            checks={"browser": "passed", **locked, **checks},
            chromium=self._engine.chromium,
        )
        prepared = self._device_step("prepare", options)
        if prepared is not None:
            self.fire(lookup(2002), **prepared)
        loaded = self._device_step("load", options)
        if loaded is not None:
            self.fire(lookup(2003), **loaded)
        self.options = options
        self.test_duration = request.testDuration
        settings = {
            "trackingOptions": options.model_dump(),
            "testDuration": request.testDuration,
            "unavailable": missing,
        }
        self.record.set_meta(setup=settings, ids=ids)
        self.state = State.READY
        self.fire(lookup("apSetupComplete"), **settings)
        return settings

    def _device_step(self, step: str, options: TrackingOptions) -> Any:
        """Runs one device step; a failure fires its error event and rejects setup()."""
        if self.devices is None:
            return None
        from kiosk.proctoring.proctor import SetupFailure

        try:
            result = getattr(self.devices, step)(options)
        except SetupFailure as failure:
            self._still_setting_up()
            spec = lookup(failure.code, failure.reason)
            self.fire(spec, cause=failure.message)
            raise Rejected(failure.code, f"{spec.message}: {failure.message}") from None
        self._still_setting_up()
        return result

    def _still_setting_up(self) -> None:
        """A device step may wait for the student (the consent screen) while the kiosk is told
        to quit; the session is closed then, and setup() must not go on writing to it."""
        if self.state is State.STOPPED:
            raise Rejected(INVALID_STATE, "setup() was interrupted: the session has ended")

    def _lockdown_check(self, options: TrackingOptions) -> dict[str, Any]:
        if self.lockdown is None:
            return {}
        from kiosk.proctoring.proctor import SetupFailure

        try:
            checks, warnings = self.lockdown.check(options)
        except SetupFailure as failure:
            spec = lookup(failure.code, failure.reason)
            self.fire(spec, cause=failure.message)
            raise Rejected(failure.code, f"{spec.message}: {failure.message}") from None
        self._fire_evidence(warnings)
        return checks

    @staticmethod
    def _no_devices(options: TrackingOptions) -> dict[str, str]:
        def step(needed: bool) -> str:
            return f"unavailable: {NO_DEVICES}" if needed else "not requested"

        return {
            "camera": step(needs_camera(options)),
            "microphone": step(needs_microphone(options)),
        }

    def start(self) -> dict[str, Any]:
        self._require("start", State.READY)
        self.state = State.MONITORING
        started = self.fire(lookup("apMonitoringStarted"))
        self._started_seq = started.seq
        self.record.set_meta(started_at=started.t)
        self._reported_focused = True
        if self._away():
            self._report_focus(False, f"{self._away_cause} when monitoring started")
        if self.lockdown is not None:
            self._fire_evidence(self.lockdown.start())
        for lost in self._lost_before_start.values():  # still lost: the exam starts without it
            self.fire(
                lookup(lost.code, lost.reason),
                cause=lost.message,
                duringMonitoring=True,
                lostAt=round(lost.t * 1000),
            )
        self._lost_before_start.clear()
        if self.devices is not None:
            self._fire_evidence(self.devices.start(self.test_duration, started.t))
        return {"startedAt": started.detail["timestamp"]}

    def stop(self, reason: str = "page") -> dict[str, Any]:
        self._require("stop", State.MONITORING)
        if self.devices is not None:
            self.devices.stop()
        if self.lockdown is not None:
            self.lockdown.stop()
        t = self._clock()
        since_start = [(e.t, e.code) for e in self.record.events() if e.seq >= self._started_seq]
        started = since_start[0][0] if since_start else t
        ended = [
            (when, int(detail["code"]))
            for when, policy, decision, detail in self.record.decisions()
            if policy == "evidence" and decision == EPISODE_ENDED and when >= started
        ]
        found = episodes(since_start, end=t, ended=ended)
        trust = score(found, self._trust)
        result = {
            "trustScore": trust.score,
            "violations": [e.as_dict() for e in found],
            "penalties": {str(k): v for k, v in trust.penalties.items()},
            "stoppedBy": reason,
        }
        spec = lookup("apMonitoringStopped")
        detail = spec.detail(round(t * 1000), **result)
        seq = self.record.close_with(
            t, spec.name, detail, {"trust_score": trust.score, "violations": result["violations"]}
        )
        self.state = State.STOPPED
        self._deliver(FiredEvent(seq, t, (spec.name,), None, detail))
        return result

    # -- what the detectors observe ------------------------------------------------------------

    def _fire_evidence(self, found: list[Evidence]) -> None:
        for ev in found:
            if ev.ends_episode:  # the page hears nothing; the score counts the duration
                detail = {"code": ev.code}
                self.record.note_decision(self._clock(), "evidence", EPISODE_ENDED, detail)
                continue
            self.fire(lookup(ev.code, ev.reason), **ev.extra)

    def on_observation(self, obs: Observation) -> None:
        """An observation from a device thread (already back on the session's thread)."""
        if self.devices is None:
            return
        from kiosk.proctoring.proctor import DeviceProblem, DeviceRecovered

        if self.state is State.READY:  # between setup() and start(): remembered, not fired
            if isinstance(obs, DeviceProblem):
                self._lost_before_start[obs.code] = obs
            elif isinstance(obs, DeviceRecovered):
                self._lost_before_start.pop(_LOST_CODE.get(obs.device, 0), None)
            return
        if self.state is not State.MONITORING:
            return
        if isinstance(obs, DeviceProblem):
            self.fire(lookup(obs.code, obs.reason), cause=obs.message, duringMonitoring=True)
        elif isinstance(obs, DeviceRecovered):
            log.info("%s is back", obs.device)
            if obs.device == "camera":  # ready to detect again; ends the 4008 episode
                self.fire(lookup(2003), recovered="camera")
        else:
            self._fire_evidence(self.devices.observe(obs))

    def tick(self) -> None:
        if self.state is State.MONITORING and self.devices is not None:
            self._fire_evidence(self.devices.tick(self._clock()))

    def report(self, found: list[Evidence]) -> None:
        """Evidence the lockdown found (e.g. a monitor added); fired only while monitoring."""
        if self.state is State.MONITORING:
            self._fire_evidence(found)

    def on_focus(self, focused: bool, cause: str) -> None:
        self._focused = focused
        self._away_changed(cause)

    def on_fullscreen(self, fullscreen: bool, enforced: bool, cause: str) -> None:
        """Leaving an enforced fullscreen is a switch away (5005) until the window is back."""
        self._fullscreen_ok = fullscreen or not enforced
        self._away_changed(cause)

    def on_exam_window(self, visible: bool, cause: str) -> None:
        """The exam unmapped, on another desktop, destroyed or covered by another program's
        window: the student does not see it, which is a switch away (5005) until it is back."""
        self._window_visible = visible
        self._away_changed(cause)

    def _away(self) -> bool:
        tab_switch = self.options is not None and self.options.tabSwitch
        hidden = not self._fullscreen_ok or not self._window_visible
        return (tab_switch and not self._focused) or hidden

    def _away_changed(self, cause: str) -> None:
        away = self._away()
        if away:
            self._away_cause = cause
        if self.state is State.MONITORING:
            self._report_focus(not away, cause)

    def _report_focus(self, focused: bool, cause: str) -> None:
        if focused == self._reported_focused:
            return
        self._reported_focused = focused
        if focused:
            away = self._clock() - self._lost_at
            self.fire(lookup(5006), cause=cause, awaySeconds=round(away, 3))
            return
        extra: dict[str, Any] = {}
        errors: list[Evidence] = []
        if self.lockdown is not None:  # it knows whether captureSwitchedTab applies
            extra, errors = self.lockdown.switched_away()
        self._lost_at = self.fire(lookup(5005), cause=cause, **extra).t
        self._fire_evidence(errors)

    # -- the end -------------------------------------------------------------------------------

    def end(self, why: str) -> None:
        """The kiosk is quitting: a monitoring session is stopped cleanly, any other closed."""
        if self.state is State.MONITORING:
            self.stop(why)
            return
        if self.devices is not None:
            self.devices.release()
        if self.lockdown is not None:
            self.lockdown.stop()
        if not self.record.closed:
            self.record.end_unmonitored(self._clock(), f"{why} while {self.state.value}")
            self.state = State.STOPPED
