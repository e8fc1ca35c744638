"""Faults found in review: each test fails without its fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from kiosk.session.event_log import EventLog
from kiosk.session.record import new_session_folder
from policies.engine import decide


@pytest.mark.parametrize(
    "env",
    [
        {"QTWEBENGINEPROCESS_PATH": "/tmp/evil"},
        {"QTWEBENGINE_RESOURCES_PATH": "/tmp/evil"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--renderer-cmd-prefix=/tmp/evil"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--ignore-certificate-errors --proxy-server=127.0.0.1:9"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--host-resolver-rules=MAP * 127.0.0.1"},
    ],
)
def test_engine_settings_that_swap_processes_or_intercept_traffic_are_unsafe(
    env: dict[str, str],
) -> None:
    verdict = decide(env)
    assert not verdict.allowed and verdict.unsafe


def test_the_event_log_and_the_sessions_folder_are_private(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.jsonl")
    log.write(1.0, "apMonitoringStarted", {"timestamp": 1000})
    log.close()
    assert stat.S_IMODE(os.stat(tmp_path / "events.jsonl").st_mode) == 0o600
    new_session_folder(tmp_path / "data")
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "sessions").st_mode) == 0o700


def test_a_photo_that_cannot_be_written_does_not_cost_the_violation(tmp_path: Path) -> None:
    from detectors.camera import FacesSeen
    from detectors.sources import CameraSource, MicrophoneSource
    from kiosk.config.settings import ProctorSettings
    from kiosk.proctoring.proctor import Proctor
    from kiosk.session.tracking import TrackingOptions

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"stands in for a camera")
    p = Proctor(
        CameraSource("file", path=clip), MicrophoneSource("none"), ProctorSettings(),
        tmp_path, "http://127.0.0.1/", lambda _: None, lambda _: True,
    )  # fmt: skip
    p.check(TrackingOptions(numHumans=True))
    (tmp_path / "evidence").write_text("a file where the evidence folder should be")

    class StillCamera:
        def latest_frame(self) -> np.ndarray:
            return np.zeros((48, 64, 3), np.uint8)

        def stop(self) -> None:
            pass

    p.camera = StillCamera()  # type: ignore[assignment]
    found = [e for t in range(20) for e in p.observe(FacesSeen(t=t / 4, faces=()))]
    assert [e.code for e in found] == [5001]
    assert found[0].extra["photo"] is None
    assert found[0].extra["photoSkipped"].startswith("could not be saved")
