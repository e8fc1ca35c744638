"""The session lifecycle: setup, start, stop, as a state machine the page drives.

No Qt here. Every event goes through :meth:`Session.fire`, which commits it to the record and
only then hands it to ``deliver`` (the bridge): the order the page sees is the order recorded.
What the detectors observe comes in through :meth:`Session.observe`; whether the student is
away, and what a device problem is for the page, the policies decide.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from bridge.catalogue import EventSpec, lookup
from bridge.messages import INVALID_OPTION, INVALID_STATE, FiredEvent, Rejected
from detectors.base import DeviceBack, DeviceLost, Observation
from detectors.clock import ClockJumped, Interrupted
from detectors.window_state import ExamWindowState, FocusChange, FullscreenChange
from kiosk.session.ports import Evidence, LockdownPort, ProctorPort, SetupFailure
from kiosk.session.record import RecordUnwritable, SessionRecord
from kiosk.session.scoring import EPISODE_ENDED, episode_detail, score_monitoring
from kiosk.session.tracking import (
    SetupRequest,
    TrackingOptions,
    needs_camera,
    needs_microphone,
    parse_setup,
)
from policies.away import BACK, AwayChange, AwayTracker
from policies.devices import page_code
from policies.trust import ViolationWeight

log = logging.getLogger("kiosk.session")

#: The kiosk's own evidence codes for time itself (bridge/catalogue.py).
INTERRUPTED, CLOCK_SET = 5101, 5102

#: What a detector saw and the record could not take is dropped, as fire() logged: a full disk
#: must not stop the exam, nor its other detectors.
_unrecorded = partial(suppress, RecordUnwritable)


NO_DEVICES = "no camera or microphone is attached to this session"
CAMERA_READY = 2003  # again when a camera lost during the exam gives pictures (ends 4008)


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
        weights: Mapping[int, ViolationWeight],
        devices: ProctorPort | None = None,
        lockdown: LockdownPort | None = None,
        clock: Callable[[], float] = time.time,
        setup_notes: dict[str, Any] | None = None,
        flat_penalties: Mapping[str, float] | None = None,
    ) -> None:
        """``setup_notes``: what 2001 tells the page besides the checks (the SEB keys the
        kiosk does not support, for an exam launched from a SEB configuration; the unsafe
        engine settings a test machine let through). ``flat_penalties``: what the trust score
        loses for the whole session (those settings), by name."""
        self.record = record
        self._deliver = deliver
        self._engine = engine
        self._minimum_chromium = minimum_chromium
        self._weights = weights
        self._clock = clock
        self.devices = devices
        self.lockdown = lockdown
        self._setup_notes = setup_notes or {}
        self._flat_penalties = dict(flat_penalties or {})
        self.test_duration: float | None = None
        self.state = State.IDLE
        self.options: TrackingOptions | None = None
        self._started_seq = 0
        self.away = AwayTracker()
        self._lost_before_start: dict[str, DeviceLost] = {}  # by device
        self._told_short = False

    # -- events ------------------------------------------------------------------------------

    def fire(self, spec: EventSpec, **extra: Any) -> FiredEvent:
        t = self._clock()
        detail = spec.detail(round(t * 1000), **extra)
        try:
            seq = self.record.append(t, spec.name, spec.code, spec.reason, detail)
        except RecordUnwritable as exc:  # the record is the truth: what it lacks, the page does
            log.error("%s %s is not sent to the page: %s", spec.name, spec.code or "", exc)
            raise
        event = FiredEvent(seq, t, (spec.name, *spec.aliases), spec.code, detail)
        self._deliver(event)
        self.tell_if_record_short()
        return event

    def tell_if_record_short(self) -> None:
        """After a write the disk refused, which the record's reserve took: the page is told
        once (4005), in the reserve's space (kiosk/session/record.py)."""
        spent = self.record.reserve_spent
        if spent is None or self._told_short:
            return
        self._told_short = True
        cause = f"the session record cannot be written ({spent}); it used its reserve"
        self.fire(lookup(4005), record=True, cause=cause)

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
        if "ids" not in self.record.meta():  # who the reports are about: the first setup() says
            self.record.set_meta(ids=ids or {})
        try:
            return self._run_setup(request)
        except BaseException:
            if self.state is not State.STOPPED:  # ended meanwhile (a quit during consent)
                self.state = State.IDLE  # the student can retry
            if self.devices is not None:
                self.devices.release()
            raise

    def _run_setup(self, request: SetupRequest) -> dict[str, Any]:
        options = request.trackingOptions
        if self._engine.chromium_major < self._minimum_chromium:
            spec = lookup(4001)
            self.fire(
                spec,
                chromium=self._engine.chromium,
                minimumChromium=self._minimum_chromium,
            )
            raise Rejected(4001, spec.message)
        locked = self._lockdown_check(options)
        checks = self._device_step("check", options) if self.devices else self._no_devices(options)
        self.fire(
            lookup(2001),
            checks={"browser": "passed", **locked, **checks},
            chromium=self._engine.chromium,
            **self._setup_notes,
        )
        prepared = self._device_step("prepare", options)
        if prepared is not None:
            self.fire(lookup(2002), **prepared)
        loaded = self._device_step("load", options)
        if loaded is not None:
            self.fire(lookup(2003), **loaded)
        self.options = options
        self.away.tab_switch = options.tabSwitch
        self.test_duration = request.testDuration
        settings = {
            "trackingOptions": options.model_dump(),
            "testDuration": request.testDuration,
        }
        self.record.set_meta(setup=settings)
        self.state = State.READY
        self.fire(lookup("apSetupComplete"), **settings)
        return settings

    def _device_step(self, step: str, options: TrackingOptions) -> Any:
        """Runs one device step; a failure fires its error event and rejects setup()."""
        if self.devices is None:
            return None
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
        self._report_away(self.away.start(started.t))
        if self.lockdown is not None:
            self._fire_evidence(self.lockdown.start())
        for lost in self._lost_before_start.values():  # still lost: the exam starts without it
            self._device_lost(lost, lostAt=round(lost.t * 1000))
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
        self.away.stop()
        event, result = self._close_monitoring(reason)
        self._deliver(event)
        return result

    def _close_monitoring(self, reason: str) -> tuple[FiredEvent, dict[str, Any]]:
        """Scores the monitoring and closes the record with apMonitoringStopped."""
        t = self._clock()
        found, trust = score_monitoring(
            self.record, self._started_seq, t, self._weights, self._flat_penalties
        )
        result = {
            "trustScore": trust.score,
            "violations": [episode_detail(e) for e in found],
            "penalties": {str(k): v for k, v in trust.penalties.items()},
            "stoppedBy": reason,
        }
        spec = lookup("apMonitoringStopped")
        detail = spec.detail(round(t * 1000), **result)
        seq = self.record.close_with(
            t, spec.name, detail, {"trust_score": trust.score, "violations": result["violations"]}
        )
        self.state = State.STOPPED
        return FiredEvent(seq, t, (spec.name,), None, detail), result

    # -- what the detectors observe ------------------------------------------------------------

    def _fire_evidence(self, found: list[Evidence]) -> None:
        for ev in found:
            if ev.ends_episode:  # the page hears nothing; the score counts the duration
                detail = {"code": ev.code}
                self.record.note_decision(self._clock(), "evidence", EPISODE_ENDED, detail)
                continue
            self.fire(lookup(ev.code, ev.reason), **ev.extra)

    def observe(self, obs: Observation) -> None:
        """What a detector observed (back on the session's thread)."""
        with _unrecorded():
            self._observe(obs, self._clock())

    def _observe(self, obs: Observation, now: float) -> None:
        if isinstance(obs, FocusChange):
            self._report_away(self.away.focus(obs.focused, obs.cause, now, obs.dialog))
        elif isinstance(obs, FullscreenChange):
            enforced = self.lockdown is not None and self.lockdown.fullscreen_enforced()
            self._report_away(self.away.fullscreen(obs.fullscreen, enforced, obs.cause, now))
        elif isinstance(obs, ExamWindowState):
            covered = bool(obs.covered_by)
            self._report_away(self.away.exam_window(obs.shown, covered, obs.cause, now))
        elif isinstance(obs, DeviceLost | DeviceBack):
            self._device_changed(obs)
        elif isinstance(obs, Interrupted):
            if self.state is State.MONITORING:  # before it, nothing was being watched
                extra = {"seconds": obs.seconds, "suspended": obs.suspended}
                self._fire_evidence([Evidence(INTERRUPTED, extra)])
        elif isinstance(obs, ClockJumped):
            if self.state is State.MONITORING:
                self._fire_evidence([Evidence(CLOCK_SET, {"seconds": obs.seconds})])
        elif self.state is State.MONITORING and self.devices is not None:
            self._fire_evidence(self.devices.observe(obs))

    def _device_changed(self, obs: DeviceLost | DeviceBack) -> None:
        if self.state is State.READY:  # between setup() and start(): remembered, not fired
            if isinstance(obs, DeviceLost):
                self._lost_before_start[obs.device] = obs
            else:
                self._lost_before_start.pop(obs.device, None)
            return
        if self.state is not State.MONITORING:
            return
        if isinstance(obs, DeviceLost):
            self._device_lost(obs)
            return
        log.info("%s is back", obs.device)
        if obs.device == "camera":  # ready to detect again; ends the 4008 episode
            self.fire(lookup(CAMERA_READY), recovered="camera")

    def _device_lost(self, lost: DeviceLost, **extra: Any) -> None:
        code = page_code(lost.device, lost.problem)
        spec = lookup(code.code, code.reason)
        self.fire(spec, cause=lost.message, duringMonitoring=True, **extra)

    def tick(self) -> None:
        with _unrecorded():
            self._report_away(self.away.tick(self._clock()))
            if self.state is State.MONITORING and self.devices is not None:
                self._fire_evidence(self.devices.tick(self._clock()))

    def report(self, found: list[Evidence]) -> None:
        """Evidence the lockdown found (e.g. a monitor added); fired only while monitoring."""
        if self.state is State.MONITORING:
            with _unrecorded():
                self._fire_evidence(found)

    def _report_away(self, change: AwayChange | None) -> None:
        if change is None:
            return
        if change.code == BACK:
            seconds = round(change.away_seconds, 3)
            self.fire(lookup(change.code), cause=change.cause, awaySeconds=seconds)
            return
        extra: dict[str, Any] = {}
        errors: list[Evidence] = []
        if self.lockdown is not None:  # it knows whether captureSwitchedTab applies
            extra, errors = self.lockdown.switched_away()
        self.fire(lookup(change.code), cause=change.cause, **extra)
        self._fire_evidence(errors)

    # -- the end -------------------------------------------------------------------------------

    def end(self, why: str) -> None:
        """The kiosk is quitting: a monitoring session is stopped cleanly, any other closed."""
        if self.state is State.MONITORING:
            self.stop(why)
            return
        self.away.stop()
        if self.devices is not None:
            self.devices.release()
        if self.lockdown is not None:
            self.lockdown.stop()
        self._close_unmonitored(why)

    def _close_unmonitored(self, why: str) -> None:
        if not self.record.closed:
            self.record.end_unmonitored(self._clock(), f"{why} while {self.state.value}")
            self.state = State.STOPPED

    def abandon(self, why: str) -> None:
        """The kiosk ends now without its event loop (its display connection was lost): the
        record is closed with ``why`` as :meth:`end` would close it, but nothing is delivered
        (no page can be reached any more) and the devices and the lockdown end with the process.
        """
        if self.state is State.MONITORING:
            self.away.stop()
            self._close_monitoring(why)
        else:
            self._close_unmonitored(why)
