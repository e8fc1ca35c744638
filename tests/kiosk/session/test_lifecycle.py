"""The session state machine with a real record, a list as the bridge and a controlled clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.messages import INVALID_OPTION, INVALID_STATE, FiredEvent, Rejected
from detectors.base import DeviceBack, DeviceLost, Problem
from detectors.window_state import FocusChange
from kiosk.session.lifecycle import (
    NO_DEVICES,
    EngineInfo,
    Session,
    State,
)
from kiosk.session.record import SessionRecord, new_session_folder
from policies.trust import DEFAULT_WEIGHTS

ENGINE = EngineInfo(chromium="140.0.1.2", qtwebengine="6.11.2")
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Sink:
    """The bridge: records what was delivered, and what the record held at that moment."""

    def __init__(self) -> None:
        self.record: SessionRecord | None = None
        self.delivered: list[FiredEvent] = []
        self.recorded_at_delivery: list[bool] = []

    def __call__(self, event: FiredEvent) -> None:
        assert self.record is not None
        seqs = {e.seq: e for e in self.record.events()}
        stored = seqs.get(event.seq)
        self.recorded_at_delivery.append(
            stored is not None and stored.detail == event.detail and stored.code == event.code
        )
        self.delivered.append(event)

    @property
    def codes(self) -> list[int | str | None]:
        return [e.code if e.code is not None else e.names[0] for e in self.delivered]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def record(tmp_path: Path) -> Iterator[SessionRecord]:
    rec = SessionRecord(new_session_folder(tmp_path))
    yield rec
    rec.shut()


@pytest.fixture
def sink(record: SessionRecord) -> Sink:
    s = Sink()
    s.record = record
    return s


def _session(
    record: SessionRecord, sink: Sink, clock: Clock, *, minimum_chromium: int = 120
) -> Session:
    session = Session(
        record,
        sink,
        engine=ENGINE,
        minimum_chromium=minimum_chromium,
        weights=DEFAULT_WEIGHTS,
        clock=clock,
    )
    # The exam window has come up (shown, fullscreen, focused), as at every launch: an
    # absence before that is the launch's (policies/away.py, tested there).
    session.observe(FocusChange(clock(), True, "initial state"))
    return session


@pytest.fixture
def session(record: SessionRecord, sink: Sink, clock: Clock) -> Session:
    return _session(record, sink, clock)


def state(session: Session) -> State:
    """The current state (a call, so that type checkers do not narrow across calls)."""
    return session.state


def _setup(session: Session, **options: Any) -> dict[str, Any]:
    return session.setup({"trackingOptions": options, "testDuration": 30})


def _monitoring(session: Session, **options: Any) -> None:
    _setup(session, **options)
    session.start()


# -- happy path -----------------------------------------------------------------------------------


def test_happy_path_delivers_events_in_order_each_already_recorded(
    session: Session, sink: Sink, record: SessionRecord, clock: Clock
) -> None:
    settings = _setup(session)
    assert state(session) is State.READY
    clock.advance(1)
    started = session.start()
    assert state(session) is State.MONITORING
    assert started == {"startedAt": round((T0 + 1) * 1000)}
    clock.advance(60)
    result = session.stop()
    assert state(session) is State.STOPPED

    assert [e.names for e in sink.delivered] == [
        ("apSuccessEvent",),
        ("apSetupComplete", "apSetupCompleted"),
        ("apMonitoringStarted",),
        ("apMonitoringStopped",),
    ]
    assert sink.delivered[0].code == 2001
    assert sink.recorded_at_delivery == [True, True, True, True]
    seqs = [e.seq for e in sink.delivered]
    assert seqs == sorted(seqs)
    assert [e.seq for e in record.events()] == seqs

    assert settings["testDuration"] == 30
    assert sink.delivered[1].detail["trackingOptions"]["tabSwitch"] is True
    assert sink.delivered[2].detail["timestamp"] == round((T0 + 1) * 1000)
    assert sink.delivered[3].detail["trustScore"] == 100 == result["trustScore"]
    assert result["violations"] == []
    assert result["stoppedBy"] == "page"
    assert record.closed
    meta = record.meta()
    assert meta["trust_score"] == 100
    assert meta["started_at"] == T0 + 1
    assert meta["closed_at"] == T0 + 61
    assert meta["setup"] == settings


def test_setup_records_ids(session: Session, record: SessionRecord) -> None:
    session.setup(None, {"userId": "s-42"})
    assert record.meta()["ids"] == {"userId": "s-42"}


def test_2001_says_devices_not_requested_when_options_do_not_need_them(
    session: Session, sink: Sink
) -> None:
    _setup(session, tabSwitch=True)
    detail = sink.delivered[0].detail
    assert detail["successCode"] == 2001
    assert detail["checks"] == {
        "browser": "passed",
        "camera": "not requested",
        "microphone": "not requested",
    }
    assert detail["chromium"] == "140.0.1.2"


def test_2001_says_devices_unavailable_when_the_session_has_none(
    session: Session, sink: Sink
) -> None:
    settings = _setup(session, numHumans=True, audio=True)
    checks = sink.delivered[0].detail["checks"]
    assert checks["camera"] == f"unavailable: {NO_DEVICES}"
    assert checks["microphone"] == f"unavailable: {NO_DEVICES}"
    assert sink.delivered[1].detail["trackingOptions"] == settings["trackingOptions"]


# -- bad options ----------------------------------------------------------------------------------


def test_unknown_option_is_rejected_naming_it(
    session: Session, sink: Sink, record: SessionRecord
) -> None:
    with pytest.raises(Rejected) as caught:
        session.setup({"trackingOptions": {"tabSwich": True}})
    assert caught.value.code == INVALID_OPTION
    assert "tabSwich" in caught.value.message
    assert state(session) is State.IDLE
    assert sink.delivered == []
    assert record.events() == []


def test_wrong_type_is_rejected(session: Session, sink: Sink) -> None:
    with pytest.raises(Rejected) as caught:
        session.setup({"trackingOptions": {"audio": "yes"}})
    assert caught.value.code == INVALID_OPTION
    assert "audio" in caught.value.message
    assert state(session) is State.IDLE
    assert sink.delivered == []
    _setup(session)  # and the page may try again
    assert state(session) is State.READY


# -- call order -----------------------------------------------------------------------------------


def _rejected(call: Any, words: str) -> None:
    with pytest.raises(Rejected) as caught:
        call()
    assert caught.value.code == INVALID_STATE
    assert words in caught.value.message
    assert caught.value.message == str(caught.value)


def test_start_before_setup(session: Session, sink: Sink) -> None:
    _rejected(session.start, "start() called before setup()")
    assert state(session) is State.IDLE
    assert sink.delivered == []


def test_stop_before_start(session: Session, sink: Sink) -> None:
    _rejected(session.stop, "stop() called before start()")
    assert state(session) is State.IDLE
    _setup(session)
    delivered = len(sink.delivered)
    _rejected(session.stop, "stop() called before start()")
    assert state(session) is State.READY
    assert len(sink.delivered) == delivered


def test_setup_twice(session: Session, sink: Sink) -> None:
    _setup(session)
    _rejected(lambda: _setup(session), "setup() has already completed")
    assert state(session) is State.READY
    assert len(sink.delivered) == 2
    session.start()
    _rejected(lambda: _setup(session), "monitoring is running")
    assert state(session) is State.MONITORING


def test_start_twice(session: Session, sink: Sink) -> None:
    _monitoring(session)
    _rejected(session.start, "start() called twice")
    assert state(session) is State.MONITORING
    assert len(sink.delivered) == 3


def test_nothing_after_stop(session: Session, sink: Sink, record: SessionRecord) -> None:
    _monitoring(session)
    session.stop()
    count = len(record.events())
    for name, call in (
        ("setup", lambda: _setup(session)),
        ("start", session.start),
        ("stop", session.stop),
    ):
        _rejected(call, f"{name}() called after the session has ended")
        assert state(session) is State.STOPPED
    assert len(record.events()) == count
    assert len(sink.delivered) == 4


# -- engine too old -------------------------------------------------------------------------------


def test_engine_older_than_minimum_fires_4001_and_returns_to_idle(
    record: SessionRecord, sink: Sink, clock: Clock
) -> None:
    session = _session(record, sink, clock, minimum_chromium=141)
    with pytest.raises(Rejected) as caught:
        _setup(session)
    assert caught.value.code == 4001
    assert state(session) is State.IDLE
    (event,) = sink.delivered
    assert event.names == ("apErrorEvent",)
    assert event.code == 4001
    assert event.detail["errorCode"] == 4001
    assert event.detail["chromium"] == "140.0.1.2"
    assert event.detail["minimumChromium"] == 141
    assert caught.value.message == event.detail["message"]
    assert sink.recorded_at_delivery == [True]
    assert not record.closed
    # setup may be called again from IDLE: it fails the same way, not with INVALID_STATE
    with pytest.raises(Rejected) as again:
        _setup(session)
    assert again.value.code == 4001


def test_engine_at_the_minimum_passes(record: SessionRecord, sink: Sink, clock: Clock) -> None:
    session = _session(record, sink, clock, minimum_chromium=140)
    _setup(session)
    assert state(session) is State.READY


def test_engine_chromium_major() -> None:
    assert ENGINE.chromium_major == 140
    assert EngineInfo(chromium="unknown", qtwebengine="6.11.2").chromium_major == 0


# -- focus ----------------------------------------------------------------------------------------


def focus(session: Session, focused: bool, cause: str) -> None:
    """What the focus detector publishes, handed to the session as the application does."""
    session.observe(FocusChange(T0, focused, cause))


def _focus_events(sink: Sink) -> list[FiredEvent]:
    return [e for e in sink.delivered if e.code in (5005, 5006)]


def test_focus_changes_before_start_fire_nothing(session: Session, sink: Sink) -> None:
    focus(session, False, "other window")
    _setup(session)
    focus(session, True, "back")
    focus(session, False, "other window")
    assert _focus_events(sink) == []


def test_start_while_unfocused_fires_5005_once(session: Session, sink: Sink) -> None:
    _setup(session)
    focus(session, False, "other window")
    session.start()
    focus(session, False, "other window")
    lost = _focus_events(sink)
    assert [e.code for e in lost] == [5005]
    assert lost[0].detail["cause"] == "other window when monitoring started"
    assert sink.delivered[-1].code == 5005
    assert sink.delivered[-2].names == ("apMonitoringStarted",)


def test_focus_lost_and_regained_during_monitoring(
    session: Session, sink: Sink, clock: Clock
) -> None:
    _monitoring(session)
    clock.advance(10)
    focus(session, False, "activated another window")
    clock.advance(2)
    focus(session, False, "activated another window")
    clock.advance(5.5)
    focus(session, True, "focus back")
    clock.advance(1)
    focus(session, True, "focus back")
    events = _focus_events(sink)
    assert [e.code for e in events] == [5005, 5006]
    assert events[0].names == ("apEvidenceEvent",)
    assert events[0].detail["evidenceCode"] == 5005
    assert events[0].detail["cause"] == "activated another window"
    assert events[1].detail["evidenceCode"] == 5006
    assert events[1].detail["awaySeconds"] == 7.5
    assert events[1].t - events[0].t == 7.5
    assert sink.recorded_at_delivery == [True] * len(sink.delivered)


def test_tab_switch_off_gives_no_focus_events(session: Session, sink: Sink) -> None:
    _monitoring(session, tabSwitch=False)
    focus(session, False, "other window")
    focus(session, True, "back")
    assert _focus_events(sink) == []


def test_tab_switch_off_and_unfocused_at_start_gives_no_focus_events(
    session: Session, sink: Sink, clock: Clock
) -> None:
    """The page turned tabSwitch off: being unfocused when start() runs is not a violation."""
    _setup(session, tabSwitch=False)
    focus(session, False, "other window")
    session.start()
    clock.advance(600)
    result = session.stop()
    assert _focus_events(sink) == [], "start() fired 5005 although tabSwitch is false"
    assert result["trustScore"] == 100


# -- stop and the trust score ---------------------------------------------------------------------


def test_stop_scores_the_violations(session: Session, record: SessionRecord, clock: Clock) -> None:
    _monitoring(session)
    clock.advance(10)
    focus(session, False, "other window")
    clock.advance(60)
    focus(session, True, "back")
    clock.advance(10)
    result = session.stop("page")
    # 5005 defaults: 5 per episode + 3 per minute
    assert result["trustScore"] == 92
    assert result["penalties"] == {"5005": 8}
    (violation,) = result["violations"]
    assert violation["evidenceCode"] == 5005
    assert violation["seconds"] == 60
    assert violation["startedAt"] == round((T0 + 10) * 1000)
    meta = record.meta()
    assert meta["trust_score"] == 92
    assert meta["violations"] == result["violations"]
    stopped = record.events()[-1]
    assert stopped.name == "apMonitoringStopped"
    assert stopped.detail["trustScore"] == 92


def test_an_episode_open_at_stop_runs_to_stop(session: Session, clock: Clock) -> None:
    _monitoring(session)
    focus(session, False, "other window")
    clock.advance(120)
    result = session.stop()
    assert result["violations"][0]["seconds"] == 120
    assert result["trustScore"] == 100 - (5 + 3 * 2)


# -- end ------------------------------------------------------------------------------------------


def test_end_while_monitoring_stops_cleanly(
    session: Session, sink: Sink, record: SessionRecord
) -> None:
    _monitoring(session)
    session.end("window closed")
    assert state(session) is State.STOPPED
    last = sink.delivered[-1]
    assert last.names == ("apMonitoringStopped",)
    assert last.detail["stoppedBy"] == "window closed"
    assert record.closed
    assert record.meta()["trust_score"] == 100


def test_end_while_idle_closes_the_record(
    session: Session, sink: Sink, record: SessionRecord, clock: Clock
) -> None:
    session.end("quit")
    assert state(session) is State.STOPPED
    assert sink.delivered == []
    assert record.closed
    assert record.meta()["ended"] == "quit while idle"
    assert record.meta()["closed_at"] == clock.now
    assert "trust_score" not in record.meta()


def test_end_while_ready_closes_the_record(session: Session, record: SessionRecord) -> None:
    _setup(session)
    session.end("quit")
    assert record.closed
    assert record.meta()["ended"] == "quit while ready"


def test_end_after_stop_changes_nothing(
    session: Session, sink: Sink, record: SessionRecord
) -> None:
    _monitoring(session)
    session.stop()
    delivered = len(sink.delivered)
    session.end("quit")
    assert len(sink.delivered) == delivered
    assert "ended" not in record.meta()


def test_abandon_while_monitoring_closes_the_record_and_delivers_nothing(
    session: Session, sink: Sink, record: SessionRecord, clock: Clock
) -> None:
    """The display connection lost: no page can be reached, the record is closed all the same."""
    _monitoring(session)
    focus(session, False, "other window")
    delivered = len(sink.delivered)
    clock.advance(10)
    session.abandon("the display connection was lost")
    assert state(session) is State.STOPPED
    assert len(sink.delivered) == delivered
    last = record.events()[-1]
    assert last.name == "apMonitoringStopped"
    assert last.detail["stoppedBy"] == "the display connection was lost"
    assert last.detail["violations"][0]["seconds"] == 10
    assert record.meta()["closed_at"] == clock.now
    assert record.meta()["trust_score"] == last.detail["trustScore"] < 100


def test_abandon_before_start_closes_the_record(session: Session, record: SessionRecord) -> None:
    _setup(session)
    session.abandon("the display connection was lost")
    assert record.closed
    assert record.meta()["ended"] == "the display connection was lost while ready"


def test_a_quit_while_the_consent_screen_is_up_ends_setup_cleanly(
    record: SessionRecord, sink: Sink, clock: Clock, tmp_path: Path
) -> None:
    from detectors.sources import CameraSource, MicrophoneSource
    from kiosk.config.settings import ProctorSettings
    from kiosk.proctoring.proctor import Proctor
    from kiosk.proctoring.sensors import DeviceSensors
    from kiosk.session.evidence import EvidenceStore

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"a file standing in for a video: check() only asks the OS about it")
    sessions: list[Session] = []

    def consent(devices: list[str]) -> bool:
        sessions[0].end("signal 15")  # SIGTERM arrives while the student reads the screen
        return False  # the dialog closes as the kiosk quits: no consent

    sensors = DeviceSensors(
        CameraSource("file", path=clip), MicrophoneSource("none"), ProctorSettings(),
        lambda _: None,
    )  # fmt: skip
    store = EvidenceStore(tmp_path / "evidence", 30)
    proctor = Proctor(sensors, ProctorSettings(), store, "http://127.0.0.1/", consent)
    session = Session(
        record, sink, engine=ENGINE, minimum_chromium=120, weights=DEFAULT_WEIGHTS,
        devices=proctor, clock=clock,
    )  # fmt: skip
    sessions.append(session)
    with pytest.raises(Rejected) as caught:
        _setup(session, numHumans=True)
    assert caught.value.code == INVALID_STATE
    assert state(session) is State.STOPPED
    assert record.closed
    assert 4004 not in [e.code for e in sink.delivered]  # nothing fired after the end


def _with_devices(record: SessionRecord, sink: Sink, clock: Clock, tmp_path: Path) -> Session:
    from detectors.sources import CameraSource, MicrophoneSource
    from kiosk.config.settings import ProctorSettings
    from kiosk.proctoring.proctor import Proctor
    from kiosk.proctoring.sensors import DeviceSensors
    from kiosk.session.evidence import EvidenceStore

    sensors = DeviceSensors(
        CameraSource("none"), MicrophoneSource("none"), ProctorSettings(), lambda _: None
    )
    store = EvidenceStore(tmp_path / "evidence", 30)
    proctor = Proctor(sensors, ProctorSettings(), store, "http://127.0.0.1/", lambda _: True)
    return Session(
        record, sink, engine=ENGINE, minimum_chromium=120, weights=DEFAULT_WEIGHTS,
        devices=proctor, clock=clock,
    )  # fmt: skip


def test_a_camera_lost_between_setup_and_start_is_reported_when_monitoring_starts(
    record: SessionRecord, sink: Sink, clock: Clock, tmp_path: Path
) -> None:
    session = _with_devices(record, sink, clock, tmp_path)
    _setup(session)
    session.observe(DeviceLost(T0 + 1, "camera", Problem.NOT_READABLE, "the camera went away"))
    assert 4008 not in [e.code for e in sink.delivered]  # nothing to report before start()
    session.start()
    names = [e.names[0] if e.code is None else e.code for e in sink.delivered]
    assert names[-2:] == ["apMonitoringStarted", 4008]
    lost = sink.delivered[-1].detail
    assert lost["reason"] == "not_readable" and lost["lostAt"] == round((T0 + 1) * 1000)


def test_a_camera_back_before_start_is_not_reported(
    record: SessionRecord, sink: Sink, clock: Clock, tmp_path: Path
) -> None:
    session = _with_devices(record, sink, clock, tmp_path)
    _setup(session)
    session.observe(DeviceLost(T0 + 1, "camera", Problem.NOT_FOUND, "unplugged"))
    session.observe(DeviceBack(T0 + 2, "camera"))
    session.start()
    assert 4008 not in [e.code for e in sink.delivered]


def test_an_interruption_and_a_clock_set_are_evidence_only_while_monitoring(
    session: Session, sink: Sink
) -> None:
    from detectors.clock import ClockJumped, Interrupted

    session.observe(Interrupted(T0 + 1, seconds=5.2, suspended=0.0))  # before setup: nothing
    _monitoring(session)
    session.observe(Interrupted(T0 + 2, seconds=5.2, suspended=0.0))
    session.observe(ClockJumped(T0 + 3, seconds=-3600.0))
    assert sink.codes[-2:] == [5101, 5102] and all(sink.recorded_at_delivery)
    interrupted, jumped = sink.delivered[-2].detail, sink.delivered[-1].detail
    assert (interrupted["seconds"], interrupted["suspended"]) == (5.2, 0.0)
    assert interrupted["message"].startswith("The exam was interrupted")
    assert jumped["seconds"] == -3600.0
    assert 5101 not in sink.codes[:-2]
