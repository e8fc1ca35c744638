"""``kiosk doctor --gui``: the checks, a live camera picture and a microphone meter."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from detectors.sources import parse_camera, parse_microphone
from kiosk.launch.doctor import Check
from kiosk.platform.qt import QLabel, QPushButton
from kiosk.ui.doctor_window import DoctorWindow
from tests.support.audio import noise_wav
from tests.support.faces import one_person, write_video

FOUND = [Check("camera", "ok", "a video file"), Check("keyring", "warning", "none here")]


def test_the_student_sees_the_checks_their_camera_and_their_microphone_level(
    qtbot: QtBot, tmp_path: Path
) -> None:
    video = tmp_path / "me.mp4"
    write_video(video, [(one_person(), 3.0)])
    room = noise_wav(tmp_path / "room.wav", 3.0, -30.0)
    window = DoctorWindow(FOUND, parse_camera(str(video)), parse_microphone(str(room)))
    qtbot.addWidget(window)
    window.show()
    said = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "ok</b> a video file" in said and "warning</b> none here" in said
    preview = window.preview
    assert preview is not None
    qtbot.waitUntil(lambda: not preview.pixmap().isNull(), timeout=10_000)  # the live picture
    qtbot.waitUntil(lambda: window.level.value() > 20, timeout=10_000)  # -30 dBFS: well up
    close = next(b for b in window.findChildren(QPushButton) if b.text() == "Close")
    close.click()
    assert window.camera is None and window.microphone is None  # the devices are released


def test_a_device_that_cannot_open_is_left_out_and_the_table_still_shows(
    qtbot: QtBot, tmp_path: Path
) -> None:
    broken = tmp_path / "not-a-video.mp4"
    broken.write_bytes(b"this is no video")
    window = DoctorWindow(FOUND, parse_camera(str(broken)), parse_microphone("none"))
    qtbot.addWidget(window)
    window.show()
    assert window.preview is None and window.camera is None and window.microphone is None
    said = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "a video file" in said
    window.reject()
