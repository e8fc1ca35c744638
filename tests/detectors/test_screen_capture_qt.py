"""Whole-screen capture on the real stack: X11 shows other applications, offscreen does not."""

from __future__ import annotations

import os
import select
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from detectors.base import DeviceError, Problem
from detectors.screen_capture import capture_screen, to_bgr
from kiosk.platform.qt import QApplication, QColor, QGuiApplication, QImage
from kiosk.session.evidence import EvidenceStore
from tests.support.devices import page_key
from tests.support.paths import REPO
from tests.support.process import run_json

RED = (300, 200, 300, 200)  # where the other application's window is asked to appear


@pytest.fixture
def x11_session(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> QApplication:
    """The private Xvfb is an X11 session, whatever the login this suite runs from says."""
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    assert QGuiApplication.platformName() == "xcb"
    return qapp


@pytest.fixture
def red_window() -> Iterator[tuple[int, int, int, int]]:
    """Another X client's solid red window; yields its real place (x, y, w, h) on the screen."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "support" / "red_window.py"), *map(str, RED)],
        env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        line = proc.stdout.readline() if ready else ""
        assert line.startswith("painted "), f"the red window did not appear: {line!r}"
        x, y, w, h = (int(v) for v in line.split()[1:])
        yield x, y, w, h
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_capture_is_the_whole_screen(x11_session: QApplication) -> None:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    image = capture_screen()
    ratio = screen.devicePixelRatio()
    size = (int(screen.geometry().width() * ratio), int(screen.geometry().height() * ratio))
    assert (image.width(), image.height()) == size == (1280, 800)
    explicit = capture_screen(screen)
    assert explicit.size() == image.size()


def test_the_capture_shows_another_applications_window(
    x11_session: QApplication, qtbot: QtBot, red_window: tuple[int, int, int, int]
) -> None:
    # Nothing of ours is on screen: red pixels can only come from the other X client.
    assert [w for w in x11_session.topLevelWidgets() if w.isVisible()] == []
    x, y, w, h = red_window
    centre = (x + w // 2, y + h // 2)

    def colour_at_centre() -> str:
        return str(capture_screen().pixelColor(*centre).name())

    qtbot.waitUntil(lambda: colour_at_centre() == "#ff0000", timeout=5_000)
    image = capture_screen()
    assert image.pixelColor(x + 2, y + 2).name() == "#ff0000"
    assert image.pixelColor(x + w - 3, y + h - 3).name() == "#ff0000"
    assert image.pixelColor(x + w + 20, y + h + 20).name() != "#ff0000"  # not a red image


def test_captures_take_slots_of_the_evidence_pool(
    x11_session: QApplication,
    qtbot: QtBot,
    red_window: tuple[int, int, int, int],
    tmp_path: Path,
) -> None:
    x, y, w, h = red_window
    centre = (x + w // 2, y + h // 2)
    qtbot.waitUntil(lambda: capture_screen().pixelColor(*centre) == QColor(255, 0, 0))
    store = EvidenceStore(tmp_path / "evidence", capacity=2)
    image = capture_screen()
    photos = [store.save(to_bgr(image), "5005-screen", float(t)) for t in range(3)]
    assert photos[2] is None  # full: the violation is recorded elsewhere, the picture is not
    assert store.count == 2
    names = sorted(p.name for p in store.folder.iterdir())
    assert names == ["photo-0001-5005-screen.jpg", "photo-0002-5005-screen.jpg"]
    for photo in photos[:2]:
        assert photo is not None and _private(photo.path)
        saved = QImage(str(photo.path))
        assert saved.size() == image.size()
        # Colours survive the conversion for OpenCV (a red/blue swap would show blue here).
        red = saved.pixelColor(*centre)
        assert red.red() > 200 and red.green() < 60 and red.blue() < 60


def test_a_null_image_cannot_be_converted(qapp: QApplication) -> None:
    with pytest.raises(DeviceError) as raised:
        to_bgr(QImage())
    assert (raised.value.device, raised.value.problem) == ("screen", Problem.FAILED)
    assert page_key(raised.value) == "4012"


def _probe(platform: str | None, mode: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_SESSION_TYPE"}
    if platform is not None:
        env["QT_QPA_PLATFORM"] = platform
    result: dict[str, object] = run_json("-m", "tests.support.capture_probe", mode, env=env)
    return result


def test_offscreen_sees_only_our_own_windows_so_it_is_4014() -> None:
    """Measured: on offscreen a grab is screen-sized but composed of our windows on black, so
    its size cannot tell; the platform itself is the reason (4014, only our own windows)."""
    result = _probe("offscreen", "app")
    assert result["platform"] == "offscreen"
    assert result["raw_null"] is False
    assert result["raw_size"] == result["screen"]
    assert result["raw_inside_own_window"] == "#ff0000"
    assert result["raw_outside"] == "#000000"
    assert result["code"] == 4014
    assert "captured" not in result


def test_minimal_grabs_nothing_and_is_4014_too() -> None:
    result = _probe("minimal", "app")
    assert (result["platform"], result["raw_null"], result["code"]) == ("minimal", True, 4014)


def test_without_a_gui_application_there_is_no_screen() -> None:
    assert _probe(None, "noapp")["code"] == 4013


def test_capture_raises_the_platforms_code_before_grabbing(
    monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    """On X11 inside a Wayland session (XWayland) only X clients would show: denied, 4011."""
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    with pytest.raises(DeviceError) as raised:
        capture_screen()
    assert (raised.value.problem, page_key(raised.value)) == (Problem.DENIED, "4011")
    assert "XWayland" in raised.value.message
