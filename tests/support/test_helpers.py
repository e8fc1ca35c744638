"""The smaller test helpers, each checked against what it stands for."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from detectors.base import DeviceError, DeviceLost, Problem
from kiosk.platform.files import read_regular_file
from kiosk.platform.qt import QApplication, QWidget
from tests.support.audio import RATE, level_db, noise, read_wav, write_wav
from tests.support.blocking import refusal_within
from tests.support.devices import page_key
from tests.support.faces import one_person, write_video
from tests.support.paths import DATA, PAGES, REPO, SUPPORT
from tests.support.process import run_cli
from tests.support.pulse import PrivatePulse
from tests.support.qt_loop import until
from tests.support.server import ReportServer, event_names
from tests.support.tally import Tally
from tests.support.wm import keyboard_grab_status, net_wm_state, set_fullscreen


def test_the_paths_point_into_this_checkout() -> None:
    assert (REPO / "pyproject.toml").is_file()
    assert (PAGES / "exam.html").is_file() and (DATA / "autoproctor-events.txt").is_file()
    assert Path(__file__).parent == SUPPORT


def test_the_tally_counts_attempts_and_names_escapes() -> None:
    tally = Tally()
    tally.record("a", False)
    assert tally.summary() == "escape attempts: 1, escapes: 0"
    tally.record("b", True)
    assert tally.summary() == "escape attempts: 2, escapes: 1 (b)"


def test_until_processes_events_until_the_condition_or_the_time_is_up(qapp: QApplication) -> None:
    ticks = []
    assert until(qapp, lambda: ticks.append(1) or len(ticks) > 3)
    assert not until(qapp, lambda: False, timeout=0.05)


def test_page_key_is_the_catalogue_key_of_a_device_problem() -> None:
    assert page_key(DeviceError("microphone", Problem.NOT_FOUND, "gone")) == "4007:not_found"
    assert page_key(DeviceLost(0.0, "camera", Problem.NOT_READABLE, "stopped")) == (
        "4008:not_readable"
    )


def test_a_written_wav_reads_back_at_its_level(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "n.wav", noise(0.5, -30.0), RATE, sampwidth=3, channels=2)
    samples, rate = read_wav(path)
    assert rate == RATE and samples.size == RATE // 2
    assert level_db(samples) == pytest.approx(-30.0, abs=1.0)


def test_a_written_video_holds_its_frames(tmp_path: Path) -> None:
    from detectors.cv import import_cv2

    cv2 = import_cv2()
    path = tmp_path / "one.mp4"
    assert write_video(path, [(one_person(), 1.0)], fps=10) == 10
    capture = cv2.VideoCapture(str(path))
    try:
        ok, frame = capture.read()
        assert ok and frame.shape == (480, 640, 3)
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 10
    finally:
        capture.release()
    with pytest.raises(ValueError, match="unsupported video suffix"):
        write_video(tmp_path / "x.gif", [(one_person(), 1.0)])


def test_the_report_server_serves_pages_and_keeps_reports_per_run() -> None:
    server = ReportServer()
    try:
        with urllib.request.urlopen(server.url("exam.html")) as page:
            assert b"AutoProctor" in page.read()
        event = {"type": "event", "name": "apEvidenceEvent", "detail": {"evidenceCode": 5005}}
        post = urllib.request.Request(
            server.url("report?run=r1"), data=json.dumps(event).encode(), method="POST"
        )
        with urllib.request.urlopen(post) as answer:
            assert answer.status == 204
        got = server.wait_for("r1", lambda r: len(r) == 1, timeout=5)
        assert event_names(got) == ["apEvidenceEvent:5005"] and server.reports_of("r2") == []
        with pytest.raises(AssertionError, match="timed out"):
            server.wait_for("r2", lambda r: bool(r), timeout=0.1)
    finally:
        server.close()


def test_run_cli_runs_the_real_program() -> None:
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("kiosk ")


def test_the_private_pulseaudio_starts_plays_a_file_and_stops(
    tmp_path: Path,
) -> None:
    pulse = PrivatePulse(tmp_path).start()
    try:
        assert pulse.running
        tone = write_wav(tmp_path / "tone.wav", (0.3 * np.sin(np.arange(RATE) / 5)), RATE)
        assert pulse.play(tone).wait(30) == 0
    finally:
        pulse.stop()
    assert not pulse.running


def test_a_pager_message_takes_a_window_out_of_fullscreen_and_back(
    qtbot: QtBot, qapp: QApplication, display: object
) -> None:
    widget = QWidget()
    widget.setWindowTitle("wm-helper-test")
    qtbot.addWidget(widget)
    widget.showFullScreen()
    qtbot.waitUntil(widget.isFullScreen)
    wid = int(widget.winId())
    qtbot.waitUntil(lambda: "FULLSCREEN" in net_wm_state(str(wid)))
    set_fullscreen(display.display, wid, False)
    qtbot.waitUntil(lambda: "FULLSCREEN" not in net_wm_state(str(wid)), timeout=5_000)
    set_fullscreen(display.display, wid, True)
    qtbot.waitUntil(lambda: "FULLSCREEN" in net_wm_state(str(wid)), timeout=5_000)


def test_nobody_holds_the_keyboard_when_no_kiosk_grabs_it(display: object) -> None:
    assert keyboard_grab_status(display.display) == 0


def test_the_web_helper_answers_each_path_as_told_and_404_otherwise() -> None:
    from tests.support.web import Answer, serving

    with serving({"/a?b=1": Answer(b"yes", 201, {"X-Test": "1"})}) as host:
        with urllib.request.urlopen(f"http://{host}/a?b=1") as answer:
            assert (answer.status, answer.read(), answer.headers["X-Test"]) == (201, b"yes", "1")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://{host}/other")
        with missing.value:
            assert missing.value.code == 404


def test_refusal_within_fails_a_read_that_blocks_and_releases_it(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(AssertionError, match="the read blocked for"):
        refusal_within(0.5, fifo.read_bytes, fifo)  # a plain read waits for a writer
    with pytest.raises(AssertionError):  # returned instead of refusing
        refusal_within(2, lambda: b"")
    assert refusal_within(2, lambda: read_regular_file(fifo, 10, "f")).startswith("f: ")


def test_another_program_runs_for_the_block_and_is_ended_after_it() -> None:
    import time

    from tests.support.other_program import other_program
    from tests.support.xdo import windows_named

    with other_program("intruder.py", ready="shown") as said:
        assert said == "shown"
        assert windows_named("^intruder$")
    deadline = time.monotonic() + 5
    while windows_named("^intruder$") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not windows_named("^intruder$")
    with (
        pytest.raises(AssertionError, match="said 'shown'"),
        other_program("intruder.py", ready="fighting"),
    ):
        pass
