"""Monitors on the real stack: xrandr carves a second monitor out of the session's Xvfb.

``xrandr --setmonitor NAME 640/169x800/211+640+0 none`` adds a RandR monitor over the right half
of the 1280x800 display; Qt shows it as a screen within milliseconds. Every monitor a test adds
(and every mode it sets) is undone in the fixture's teardown, so later tests see one screen.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import screeninfo
from pytestqt.qtbot import QtBot

from detectors.base import Observation
from detectors.monitors import Head, MonitorDetector, MonitorsSnapshot, os_heads
from kiosk.enforcement.screen_covers import COVER_TEXT, ScreenBlanker
from kiosk.platform.qt import QApplication, QLabel, QRect, QWidget
from policies.monitors import decide_change, decide_setup, geometry, suspected
from tests.support.process import run_json
from tests.support.xdo import active_window

EXTRA = "KIOSK-EXTRA"
EXTRA_SPEC = "640/169x800/211+640+0"
EXTRA_RECT = QRect(640, 0, 640, 800)


def xrandr(*args: str) -> str:
    done = subprocess.run(
        ["xrandr", *args], capture_output=True, text=True, timeout=10, check=False
    )
    assert done.returncode == 0, f"xrandr {' '.join(args)}: {done.stderr}"
    return done.stdout


def listed_monitors() -> list[str]:
    """Names from ``xrandr --listmonitors`` (lines like `` 0: +*screen 1280/339x800/212+0+0``)."""
    lines = xrandr("--listmonitors").splitlines()[1:]
    return sorted(line.split()[1].lstrip("+*") for line in lines)


def screen_names(qapp: QApplication) -> list[str]:
    return sorted(s.name() for s in qapp.screens())


class Monitors:
    """Adds and removes RandR monitors and display modes; undoes everything in ``restore``."""

    def __init__(self, qapp: QApplication, qtbot: QtBot) -> None:
        self.qapp = qapp
        self.qtbot = qtbot
        self.original = listed_monitors()
        self.original_listing = xrandr("--listmonitors")  # with the primary's "*"
        self.added: list[str] = []
        self.modes: list[tuple[str, str]] = []  # (output, mode name) added
        self.primary_set = False

    def add(self, name: str = EXTRA, spec: str = EXTRA_SPEC) -> float:
        """Add a monitor; returns the monotonic time just before xrandr ran."""
        assert name not in listed_monitors()
        self.added.append(name)
        started = time.monotonic()
        with self.qtbot.waitSignal(self.qapp.screenAdded, timeout=5_000):
            xrandr("--setmonitor", name, spec, "none")
        return started

    def remove(self, name: str = EXTRA) -> float:
        started = time.monotonic()
        with self.qtbot.waitSignal(self.qapp.screenRemoved, timeout=5_000):
            xrandr("--delmonitor", name)
        self.added.remove(name)
        return started

    def set_mode(self, output: str, width: int, height: int) -> None:
        """Switch ``output`` to a new mode (Xvfb accepts added modes up to its maximum size)."""
        name = f"{width}x{height}_kiosk_test"
        if (output, name) not in self.modes:
            xrandr("--newmode", name, "63.50", str(width), str(width + 48), str(width + 152),
                   str(width + 304), str(height), str(height + 3), str(height + 7),
                   str(height + 30), "-hsync", "+vsync")  # fmt: skip
            self.modes.append((output, name))
            xrandr("--addmode", output, name)
        xrandr("--output", output, "--mode", name)

    def make_primary(self, output: str) -> None:
        assert "*" not in self.original_listing, "restore() would not put the primary back"
        self.primary_set = True
        xrandr("--output", output, "--primary")

    def restore(self) -> None:
        if self.primary_set:
            subprocess.run(["xrandr", "--noprimary"], timeout=10, check=False)
            self.primary_set = False
        for name in list(self.added):
            if name in listed_monitors():
                subprocess.run(["xrandr", "--delmonitor", name], timeout=10, check=False)
        self.added.clear()
        for output, name in self.modes:
            subprocess.run(["xrandr", "--output", output, "--mode", "1280x800"], check=False)
            subprocess.run(["xrandr", "--delmode", output, name], check=False)
            subprocess.run(["xrandr", "--rmmode", name], check=False)
        self.modes.clear()
        self.qtbot.waitUntil(
            lambda: (
                xrandr("--listmonitors") == self.original_listing
                and screen_names(self.qapp) == self.original
                and all(s.geometry() == QRect(0, 0, 1280, 800) for s in self.qapp.screens())
            ),
            timeout=5_000,
        )


@pytest.fixture
def monitors(qapp: QApplication, qtbot: QtBot) -> Iterator[Monitors]:
    carver = Monitors(qapp, qtbot)
    assert screen_names(qapp) == carver.original, "another test left a monitor behind"
    try:
        yield carver
    finally:
        carver.restore()


@pytest.fixture
def detector(qapp: QApplication) -> Iterator[tuple[MonitorDetector, list[MonitorsSnapshot]]]:
    published: list[MonitorsSnapshot] = []

    def publish(observation: Observation) -> None:
        assert isinstance(observation, MonitorsSnapshot)
        published.append(observation)

    made = MonitorDetector(publish)
    made.start()
    yield made, published
    made.stop()


def test_the_session_display_has_one_monitor(qapp: QApplication) -> None:
    assert listed_monitors() == screen_names(qapp) == ["screen"]


def test_detector_publishes_a_snapshot_when_a_monitor_comes_and_goes(
    qapp: QApplication,
    qtbot: QtBot,
    monitors: Monitors,
    detector: tuple[MonitorDetector, list[MonitorsSnapshot]],
) -> None:
    made, published = detector
    assert [s.cause for s in published] == ["initial"]
    initial = published[0]
    assert [h.name for h in initial.screens] == monitors.original
    assert initial.screens[0] == Head("screen", 0, 0, 1280, 800, primary=True)
    assert decide_setup(initial, "block").proceed

    started = monitors.add()
    qtbot.waitUntil(lambda: len(published[-1].screens) == 2, timeout=5_000)
    added = published[1]
    assert added.cause == f"a screen was added: {EXTRA}"
    assert added.t - initial.t < 5
    print(f"xrandr --setmonitor to snapshot: {(time.monotonic() - started) * 1000:.1f} ms")
    extra = next(h for h in added.screens if h.name == EXTRA)
    assert (extra.x, extra.y, extra.width, extra.height) == (640, 0, 640, 800)
    assert sum(h.primary for h in added.screens) == 1
    assert made.last == published[-1]

    setup = decide_setup(added, "block")
    assert (setup.proceed, setup.code) == (False, 4015)
    findings = decide_change(initial, added)
    assert [f.code for f in findings] == [5007]
    assert findings[0].detail["added"] == [EXTRA]
    # screeninfo lists outputs, not RandR monitors: Qt shows more screens than the OS lists,
    # which hides nothing, so no 5008.
    assert added.os_heads is not None and len(added.os_heads) == 1
    assert suspected(added) is None

    # Qt made the new monitor primary (it is listed first and none is marked); making the
    # output primary moves it back, a change of its own.
    assert extra.primary
    monitors.make_primary("screen")
    qtbot.waitUntil(lambda: published[-1].cause == "the primary screen is now screen")
    assert [(h.name, h.primary) for h in published[-1].screens] == [
        ("screen", True),
        (EXTRA, False),
    ]

    monitors.remove()
    qtbot.waitUntil(lambda: len(published[-1].screens) == 1, timeout=5_000)
    assert published[-1].cause == f"a screen was removed: {EXTRA}"
    assert [h.name for h in published[-1].screens] == ["screen"]
    assert published[-1].screens[0].primary
    assert decide_change(added, published[-1]) == []
    # Qt also announces primary changes around additions and removals: none of them may
    # publish a snapshot that repeats the state of the one before it.
    assert [s.cause for s in published] == [
        "initial",
        f"a screen was added: {EXTRA}",
        "the primary screen is now screen",
        f"a screen was removed: {EXTRA}",
    ]
    for a, b in itertools.pairwise(published):
        assert a.screens != b.screens, f"{b.cause!r} published an unchanged state"


def test_detector_reports_a_geometry_change_and_a_projector_mode(
    qapp: QApplication,
    qtbot: QtBot,
    monitors: Monitors,
    detector: tuple[MonitorDetector, list[MonitorsSnapshot]],
) -> None:
    _, published = detector
    monitors.set_mode("screen", 1024, 768)
    qtbot.waitUntil(lambda: published[-1].screens[0].width == 1024, timeout=5_000)
    changed = published[-1]
    assert changed.cause == "the geometry of screen changed to 1024x768+0+0"
    findings = decide_change(published[0], changed)
    assert [f.code for f in findings] == [5008]
    assert "screen changed from 1280x800 to 1024x768" in findings[0].detail["reason"]

    monitors.restore()  # back to 1280x800, a change but not *to* a projector mode
    qtbot.waitUntil(lambda: published[-1].screens[0].width == 1280, timeout=5_000)
    assert published[-1].cause == "the geometry of screen changed to 1280x800+0+0"
    assert decide_change(changed, published[-1]) == []


def test_a_stopped_detector_publishes_nothing(
    qapp: QApplication,
    qtbot: QtBot,
    monitors: Monitors,
    detector: tuple[MonitorDetector, list[MonitorsSnapshot]],
) -> None:
    made, published = detector
    made.stop()
    made.stop()
    monitors.add()
    monitors.remove()
    qtbot.waitUntil(lambda: screen_names(qapp) == ["screen"])
    assert [s.cause for s in published] == ["initial"]
    assert made.snapshot().cause == "now"  # on demand still works


def test_os_heads_are_what_screeninfo_enumerates(monitors: Monitors) -> None:
    def expected() -> tuple[Head, ...]:
        return tuple(
            Head(m.name or f"head {i}", m.x, m.y, m.width, m.height, bool(m.is_primary))
            for i, m in enumerate(screeninfo.get_monitors())
        )

    heads = os_heads()
    assert heads == expected()
    assert heads is not None and [(h.name, geometry(h)) for h in heads] == [
        ("screen", "1280x800+0+0")
    ]
    monitors.add()
    assert os_heads() == expected() == heads  # RandR monitors are not outputs
    assert os_heads("no-such-enumerator") is None


# The blanker


@pytest.fixture
def exam(qapp: QApplication, qtbot: QtBot) -> QWidget:
    window = QWidget()
    window.setWindowTitle("exam")
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow() and active_window() == str(int(window.winId())))
    return window


def covers(qapp: QApplication, exam: QWidget) -> list[QWidget]:
    return [w for w in qapp.topLevelWidgets() if w is not exam and w.isVisible()]


def test_blanker_covers_an_added_screen_and_uncovers_it_when_it_goes(
    qapp: QApplication, qtbot: QtBot, monitors: Monitors, exam: QWidget
) -> None:
    blanker = ScreenBlanker(exam)
    try:
        blanker.start()
        blanker.start()  # idempotent
        assert blanker.covered() == []
        assert covers(qapp, exam) == []

        started = monitors.add()
        qtbot.waitUntil(lambda: [w.geometry() for w in covers(qapp, exam)] == [EXTRA_RECT])
        print(f"xrandr --setmonitor to visible cover: {(time.monotonic() - started) * 1000:.1f} ms")
        assert blanker.covered() == [EXTRA]
        (cover,) = covers(qapp, exam)
        assert isinstance(cover, QLabel) and cover.text() == COVER_TEXT
        assert cover.isWindow() and not cover.isFullScreen()  # overlaps the exam's screen
        handle = cover.windowHandle()
        assert handle is not None
        qtbot.waitUntil(handle.isExposed)
        # Which of two overlapping RandR monitors Qt files the cover under may change as Qt
        # re-derives it from the geometry; what counts is where it is drawn (the geometry
        # above). Separate X screens, where the screen itself matters:
        # tests/kiosk/enforcement/test_screen_covers_qt.py.
        assert cover.palette().color(cover.backgroundRole()).name() == "#000000"
        # The cover took no focus, and a close request (Alt+F4, the window manager) is refused.
        assert active_window() == str(int(exam.winId()))
        assert exam.isActiveWindow()
        assert cover.close() is False
        assert cover.isVisible()

        monitors.remove()
        qtbot.waitUntil(lambda: covers(qapp, exam) == [])
        assert blanker.covered() == []

        monitors.add()
        qtbot.waitUntil(lambda: blanker.covered() == [EXTRA] and len(covers(qapp, exam)) == 1)
    finally:
        blanker.stop()
    assert blanker.covered() == []
    assert covers(qapp, exam) == []
    blanker.stop()  # twice is fine

    # Stopped: a screen removed and added again gets no cover.
    monitors.remove()
    monitors.add()
    qtbot.waitUntil(lambda: EXTRA in screen_names(qapp))
    qapp.processEvents()
    assert blanker.covered() == [] and covers(qapp, exam) == []


def test_blanker_started_with_two_screens_covers_the_other_one(
    qapp: QApplication, qtbot: QtBot, monitors: Monitors, exam: QWidget
) -> None:
    monitors.add()
    blanker = ScreenBlanker(exam)
    try:
        blanker.start()
        assert blanker.covered() == [EXTRA]
        qtbot.waitUntil(lambda: [w.geometry() for w in covers(qapp, exam)] == [EXTRA_RECT])
    finally:
        blanker.stop()
    assert covers(qapp, exam) == []


def run_scenario(name: str) -> dict[str, Any]:
    result: dict[str, Any] = run_json("-m", "tests.support.monitor_scenarios", name, timeout=60)
    return result


def test_a_separate_monitor_gets_a_fullscreen_cover_and_the_exam_keeps_focus() -> None:
    """Two side-by-side monitors (a private 2560x800 display): the real multi-head layout."""
    result = run_scenario("two-heads")
    assert result["screens"] == ["LEFT", "RIGHT"]
    assert result["exam_screen"] == "LEFT"
    assert result["exam_active_before"] is True
    assert result["placed"] is True, result
    assert result["covered"] == ["RIGHT"]
    assert result["cover_geometry"] == [1280, 0, 1280, 800]
    assert result["cover_fullscreen"] is True
    assert result["exam_geometry"] == [0, 0, 1280, 800]
    assert result["exam_active_with_cover"] is True
    assert result["gone_after_removal"] is True


def test_a_mirrored_pair_that_qt_shows_as_one_screen_is_suspected() -> None:
    """Two X screens with +xinerama: the Xinerama heads are a pair at 0,0, Qt has one screen."""
    result = run_scenario("xinerama")
    assert result["screens"] == ["screen"]
    # screeninfo's default enumerator (RandR outputs) sees one display here ...
    assert result["default_os_heads"] == [
        {"name": "screen", "x": 0, "y": 0, "width": 1280, "height": 800, "primary": False}
    ]
    # ... its Xinerama enumerator sees the mirrored pair.
    heads = result["xinerama_heads"]
    assert isinstance(heads, list) and len(heads) == 2
    assert {(h["x"], h["y"]) for h in heads} == {(0, 0)}
    reason = result["suspected"]
    assert isinstance(reason, str) and "two displays start at 0,0" in reason
    assert "reports 2 displays but Qt shows 1" in reason
    findings = result["findings"]
    assert isinstance(findings, list) and [f["code"] for f in findings] == [5008]
