"""The exam window as the X server sees it, whatever Qt believes.

Real stack: the session's Xvfb with openbox, a frameless fullscreen QWidget as the exam window,
and other X clients doing what a student's helper program could: xdotool unmapping the window or
moving it to another desktop, an override-redirect "cheat sheet" drawn over it, the window
manager killed (on a private display, so the session's openbox lives on).
"""

from __future__ import annotations

import ctypes
import logging
import os
import select
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from pytestqt.qtbot import QtBot

from detectors.base import Observation
from detectors.exam_window import ExamWindowWatcher
from detectors.window_state import ExamWindowState
from kiosk.platform.qt import QApplication, QColor, QPalette, Qt, QWidget
from kiosk.platform.x11.session import ALL_DESKTOPS, X11Error, X11Session
from kiosk.platform.x11.xvfb import VirtualDisplay
from tests.support.paths import REPO
from tests.support.xdo import windows_named, xdotool

SCREEN = (0, 0, 1280, 800)
Overlay = Callable[..., tuple[int, subprocess.Popen[str]]]


@pytest.fixture
def x() -> Iterator[X11Session]:
    with X11Session() as session:
        yield session


@pytest.fixture
def exam(
    qtbot: QtBot, qapp: QApplication, display: VirtualDisplay, x: X11Session
) -> Iterator[QWidget]:
    """A frameless fullscreen window, shown and viewable on the current desktop."""
    assert os.environ["DISPLAY"] == display.display
    window = QWidget(None, Qt.WindowType.FramelessWindowHint)
    window.setWindowTitle("exam-under-test")
    window.setAutoFillBackground(True)
    palette = window.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(0, 0, 255))
    window.setPalette(palette)
    qtbot.addWidget(window)
    window.showFullScreen()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    wid = int(window.winId())
    qtbot.waitUntil(lambda: x.window_state(wid).viewable, timeout=5_000)
    # Nothing over it: openbox's desktop-switch popup of an earlier test lasts ~1 s.
    frame = x.frame_of(wid)
    qtbot.waitUntil(lambda: x.windows_above(frame, SCREEN, {wid, frame}) == [], timeout=5_000)
    yield window
    xdotool("set_desktop", "0")


@dataclass
class Watch:
    watcher: ExamWindowWatcher
    published: list[ExamWindowState]
    extra: list[QWidget] = field(default_factory=list)

    @property
    def last(self) -> ExamWindowState:
        return self.published[-1]

    def shown(self) -> list[bool]:
        """Every change of ``shown`` so far (openbox's desktop-switch popup, drawn over the exam
        for about a second, adds states in between that only change ``covered_by``)."""
        changes: list[bool] = []
        for state in self.published:
            if not changes or changes[-1] != state.shown:
                changes.append(state.shown)
        return changes


@pytest.fixture
def watch(exam: QWidget, qtbot: QtBot, x: X11Session) -> Iterator[Watch]:
    published: list[ExamWindowState] = []

    def publish(observation: Observation) -> None:
        assert isinstance(observation, ExamWindowState)
        published.append(observation)

    watcher = ExamWindowWatcher(exam, publish, lambda: [exam, *found.extra], x, 50)
    found = Watch(watcher, published)
    found.watcher.start()
    qtbot.waitUntil(lambda: bool(published))
    assert published == [found.watcher.last]
    assert (found.last.shown, found.last.covered_by, found.last.window_manager) == (
        True,
        (),
        True,
    )
    assert found.last.cause == "initial state"
    yield found
    found.watcher.stop()


@pytest.fixture
def overlay() -> Iterator[Overlay]:
    """Starts tests/support/overlay.py (another program's override-redirect window); yields
    (its X window id, its process)."""
    started: list[subprocess.Popen[str]] = []

    def start(
        x: int, y: int, w: int, h: int, title: str = "CHEAT SHEET"
    ) -> tuple[int, subprocess.Popen[str]]:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "support" / "overlay.py"),
             str(x), str(y), str(w), str(h), title],
            env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        started.append(proc)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        line = proc.stdout.readline() if ready else ""
        assert line.startswith("shown "), f"the overlay did not appear: {line!r}"
        return int(line.split()[1]), proc

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    assert proc.wait(timeout=10) == 0


# -- shown: unmapped, another desktop, destroyed --------------------------------------------------


def test_an_unmapped_exam_window_is_not_shown_until_mapped_again(
    exam: QWidget, watch: Watch, qtbot: QtBot
) -> None:
    wid = str(int(exam.winId()))
    xdotool("windowunmap", wid)
    qtbot.waitUntil(lambda: not watch.last.shown, timeout=5_000)
    assert watch.last.cause == "the exam window was unmapped"
    assert exam.isVisible()  # what Qt believes: the reason this watcher exists
    xdotool("windowmap", wid)
    qtbot.waitUntil(lambda: watch.last.shown, timeout=5_000)
    assert watch.last.cause == "the exam window is shown again"
    assert watch.shown() == [True, False, True]


def test_the_exam_window_on_another_desktop_is_not_shown(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session
) -> None:
    wid = str(int(exam.winId()))
    xdotool("set_desktop_for_window", wid, "1")
    qtbot.waitUntil(lambda: not watch.last.shown, timeout=5_000)
    assert watch.last.cause == "the exam window is on another desktop"
    assert x.window_state(int(wid)).desktop == 1
    xdotool("set_desktop_for_window", wid, "0")
    qtbot.waitUntil(lambda: watch.last.shown, timeout=5_000)
    # The same when the student switches the view to another desktop instead.
    xdotool("set_desktop", "1")
    qtbot.waitUntil(lambda: not watch.last.shown, timeout=5_000)
    assert watch.last.cause == "the exam window is on another desktop"
    assert x.window_state(int(wid)).current_desktop == 1
    xdotool("set_desktop", "0")
    qtbot.waitUntil(lambda: watch.last.shown, timeout=5_000)
    assert watch.shown() == [True, False, True, False, True]


def test_a_sticky_exam_window_stays_shown_on_every_desktop(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session
) -> None:
    wid = int(exam.winId())
    x.make_sticky(wid)
    qtbot.waitUntil(lambda: x.window_state(wid).desktop == ALL_DESKTOPS, timeout=5_000)
    xdotool("set_desktop", "1")
    qtbot.waitUntil(lambda: x.window_state(wid).current_desktop == 1, timeout=5_000)
    state = x.window_state(wid)
    assert state.viewable and state.on_current_desktop
    checked = watch.watcher.check()
    assert checked is not None and checked.shown
    assert watch.shown() == [True]
    xdotool("set_desktop", "0")


def set_active_window_behind_qts_back(wid: int) -> None:
    """What the window manager says is active, changed with no focus change Qt would hear of."""
    subprocess.run(
        ["xprop", "-root", "-f", "_NET_ACTIVE_WINDOW", "32x", "-set", "_NET_ACTIVE_WINDOW",
         str(wid)], check=True, timeout=10,
    )  # fmt: skip


def test_another_active_window_at_the_window_manager_is_reported_though_qt_is_not_told(
    exam: QWidget, watch: Watch, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: watch.last.active, timeout=5_000)
    set_active_window_behind_qts_back(0)
    qtbot.waitUntil(lambda: not watch.last.active, timeout=5_000)
    assert watch.last.cause == "the window manager made another window active"
    assert exam.isActiveWindow()  # what Qt believes: the reason the watcher asks the X server
    set_active_window_behind_qts_back(int(exam.winId()))
    qtbot.waitUntil(lambda: watch.last.active, timeout=5_000)
    assert watch.last.cause == "the exam window is the active window again"
    assert watch.last.shown and not watch.last.covered_by


def test_a_destroyed_exam_window_is_not_shown(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session
) -> None:
    wid = int(exam.winId())
    xdotool("windowclose", str(wid))  # XDestroyWindow under Qt's feet
    qtbot.waitUntil(lambda: not watch.last.shown, timeout=5_000)
    assert watch.last.cause == "the exam window was destroyed"
    assert not x.window_state(wid).exists


# -- covered: another program's window, the kiosk's own ---------------------------------------


def test_an_override_redirect_window_over_the_exam_is_reported_until_it_goes(
    exam: QWidget, watch: Watch, qtbot: QtBot, overlay: Overlay
) -> None:
    _, proc = overlay(600, 400, 500, 200)
    qtbot.waitUntil(lambda: bool(watch.last.covered_by), timeout=5_000)
    assert watch.last.covered_by == ("CHEAT SHEET",)
    assert watch.last.shown
    assert watch.last.cause == "another program's window is drawn over the exam: CHEAT SHEET"
    assert exam.isActiveWindow()  # it took no focus: only the stacking shows it
    stop(proc)
    qtbot.waitUntil(lambda: not watch.last.covered_by, timeout=5_000)
    assert watch.last.cause == "nothing covers the exam any more"
    assert [bool(s.covered_by) for s in watch.published] == [False, True, False]


def test_an_unnamed_window_is_named_by_its_id(
    exam: QWidget, watch: Watch, qtbot: QtBot, overlay: Overlay, x: X11Session
) -> None:
    sheet, _ = overlay(0, 0, 50, 50)
    for name in ("WM_NAME", "_NET_WM_NAME"):
        subprocess.run(["xprop", "-id", str(sheet), "-remove", name], check=True, timeout=10)
    qtbot.waitUntil(lambda: bool(watch.last.covered_by), timeout=5_000)
    checked = watch.watcher.check()
    assert checked is not None and checked.covered_by == (f"window 0x{sheet:x}",)
    frame = x.frame_of(int(exam.winId()))
    assert [w.name for w in x.windows_above(frame, SCREEN, {int(exam.winId()), frame})] == [""]


def test_a_window_beside_the_exam_screen_covers_nothing(
    exam: QWidget, x: X11Session, overlay: Overlay
) -> None:
    wid = int(exam.winId())
    frame = x.frame_of(wid)
    sheet, _ = overlay(1280, 0, 100, 100)  # off the 1280x800 screen
    assert x.window_state(sheet).viewable
    assert x.windows_above(frame, SCREEN, {wid, frame}) == []


def test_the_kiosks_own_window_on_top_is_not_an_intruder(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session
) -> None:
    dialog = QWidget(exam, Qt.WindowType.Dialog)
    dialog.setWindowTitle("kiosk dialog")
    dialog.setGeometry(200, 200, 400, 300)
    dialog.show()
    qtbot.waitExposed(dialog)
    wid = int(exam.winId())
    # It really is above the exam: not counting it as ours, the X server lists its frame.
    qtbot.waitUntil(
        lambda: (
            [w.name for w in x.windows_above(x.frame_of(wid), SCREEN, {wid})] == ["kiosk dialog"]
        ),
        timeout=5_000,
    )
    mine = x.frame_of(int(dialog.winId()))
    assert mine != int(dialog.winId())  # openbox framed it: the frame is what is above
    assert [w.id for w in x.windows_above(x.frame_of(wid), SCREEN, {wid})] == [mine]
    # Unless the kiosk says it is its own, the watcher reports it ...
    checked = watch.watcher.check()
    assert checked is not None and checked.covered_by == ("kiosk dialog",)
    # ... and once it does (ours() lists it), nothing covers the exam.
    watch.extra.append(dialog)
    checked = watch.watcher.check()
    assert checked is not None and checked.covered_by == ()
    qtbot.waitUntil(lambda: not watch.last.covered_by, timeout=5_000)
    dialog.close()


def test_raising_the_exam_lifts_it_above_an_override_redirect_window(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session, overlay: Overlay
) -> None:
    sheet, proc = overlay(600, 400, 500, 200)
    wid = int(exam.winId())
    frame = x.frame_of(wid)
    assert frame != wid  # managed by openbox: the restack is not simply redirected to it
    above = x.windows_above(frame, SCREEN, {wid, frame})
    assert [(w.id, w.override_redirect, w.name) for w in above] == [(sheet, True, "CHEAT SHEET")]
    assert (above[0].x, above[0].y, above[0].width, above[0].height) == (600, 400, 500, 200)
    qtbot.waitUntil(lambda: bool(watch.last.covered_by), timeout=5_000)
    x.raise_above_all(frame)
    qtbot.waitUntil(lambda: x.windows_above(frame, SCREEN, {wid, frame}) == [], timeout=5_000)
    assert proc.poll() is None and x.window_state(sheet).viewable  # still there, now below
    assert x.frame_of(wid) == frame and x.window_manager_present()
    qtbot.waitUntil(lambda: not watch.last.covered_by, timeout=5_000)


# -- the watcher itself ------------------------------------------------------------------------


def test_the_watcher_runs_only_between_start_and_stop(
    exam: QWidget, watch: Watch, qtbot: QtBot, x: X11Session
) -> None:
    published: list[Observation] = []
    watcher = ExamWindowWatcher(exam, published.append, lambda: [exam], x, 20)
    watcher.stop()  # before start: nothing to stop
    watcher.start()
    watcher.start()
    assert watcher.running
    qtbot.waitUntil(lambda: len(published) == 1)
    watcher.stop()
    watcher.stop()
    assert not watcher.running
    xdotool("windowunmap", str(int(exam.winId())))
    qtbot.waitUntil(lambda: not watch.last.shown, timeout=5_000)  # the running one sees it
    assert len(published) == 1  # the stopped one does not
    watcher.start()
    qtbot.waitUntil(lambda: len(published) == 2)
    assert isinstance(published[-1], ExamWindowState)
    assert (published[-1].shown, published[-1].cause) == (
        False,
        "initial state: the exam window was unmapped",
    )
    watcher.stop()
    xdotool("windowmap", str(int(exam.winId())))
    qtbot.waitUntil(lambda: watch.last.shown, timeout=5_000)


# -- the X session alone: window managers, destroyed windows, a lost connection ------------------


@pytest.fixture
def private_display() -> Iterator[Callable[[bool], VirtualDisplay]]:
    started: list[VirtualDisplay] = []

    def start(window_manager: bool) -> VirtualDisplay:
        started.append(VirtualDisplay(window_manager=window_manager).start())
        return started[-1]

    yield start
    for one in started:
        one.stop()


def test_a_killed_window_manager_is_noticed(
    private_display: Callable[[bool], VirtualDisplay], qtbot: QtBot
) -> None:
    managed = private_display(True)
    assert managed.has_window_manager
    with X11Session(managed.display) as x:
        assert x.window_manager_present()
        openbox = managed._procs[1]
        openbox.kill()
        openbox.wait(timeout=10)
        qtbot.waitUntil(lambda: not x.window_manager_present(), timeout=5_000)
    bare = private_display(False)
    with X11Session(bare.display) as x:
        assert not x.window_manager_present()


def test_without_a_window_manager_a_new_window_maps_over_the_exam(
    private_display: Callable[[bool], VirtualDisplay], qtbot: QtBot
) -> None:
    managed = private_display(True)
    env = {**os.environ, "DISPLAY": managed.display, "QT_QPA_PLATFORM": "xcb"}
    started: list[subprocess.Popen[str]] = []

    def client(*args: str) -> subprocess.Popen[str]:
        started.append(
            subprocess.Popen(
                [sys.executable, str(REPO / "tests" / "support" / args[0]), *args[1:]],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        )
        return started[-1]

    def find(name: str) -> list[int]:
        return [int(w) for w in windows_named(name, env=env)]

    try:
        with X11Session(managed.display) as x:
            stand_in = client("red_window.py", "0", "0", "1280", "800")  # the exam, managed
            assert stand_in.stdout is not None and stand_in.stdout.readline().startswith("painted")
            exam = find("^red$")[0]
            frame = x.frame_of(exam)
            assert frame != exam
            managed._procs[1].kill()  # openbox dies; its frame goes with it
            managed._procs[1].wait(timeout=10)
            qtbot.waitUntil(lambda: not x.window_manager_present(), timeout=5_000)
            frame = x.frame_of(exam)
            assert x.window_state(exam).viewable
            assert x.windows_above(frame, SCREEN, {exam, frame}) == []
            client("intruder.py")  # an ordinary window: nobody manages it now
            qtbot.waitUntil(lambda: bool(find("^intruder$")), timeout=10_000)
            above = x.windows_above(frame, SCREEN, {exam, frame})
            assert [(w.name, w.override_redirect) for w in above] == [("intruder", False)]
    finally:
        for proc in started:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


def test_a_window_that_is_gone_does_not_exist(
    exam: QWidget, x: X11Session, overlay: Overlay, qtbot: QtBot
) -> None:
    sheet, proc = overlay(10, 10, 40, 40)
    state = x.window_state(sheet)
    assert state.exists and state.viewable
    assert x.frame_of(sheet) == sheet  # override-redirect: no frame
    stop(proc)
    qtbot.waitUntil(lambda: not x.window_state(sheet).exists, timeout=5_000)
    assert x.window_state(sheet).desktop is None
    assert x.frame_of(sheet) == sheet
    x.raise_above_all(sheet)  # an X error (BadWindow), logged, not raised
    x.make_sticky(sheet)


def test_a_lost_connection_is_reopened_and_an_unreachable_display_raises(
    private_display: Callable[[bool], VirtualDisplay], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.x11")
    server = private_display(False)
    x = X11Session(server.display)
    root = x.root
    assert not x.window_manager_present()
    conn = x._conn
    fd = x._lib.xcb_get_file_descriptor(ctypes.c_void_p(conn))
    with socket.socket(fileno=os.dup(fd)) as sock:
        sock.shutdown(socket.SHUT_RDWR)  # the connection breaks under the session
    assert x.window_state(root).exists  # on a new connection
    assert [r.message for r in caplog.records] == ["the X connection was lost; reconnecting"]
    server.stop()
    with pytest.raises(X11Error):
        x.window_state(root)
    x.close()
    x.close()


def test_off_x11_the_watcher_does_nothing_and_says_so() -> None:
    code = "\n".join(
        [
            "import logging, sys",
            "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s')",
            "from kiosk.platform.qt import QApplication, QWidget",
            "from detectors.exam_window import ExamWindowWatcher",
            "app = QApplication(['offscreen-watcher'])",
            "window, seen = QWidget(), []",
            "window.show()",
            "watcher = ExamWindowWatcher(window, seen.append, lambda: [window], None)",
            "watcher.start()",
            "print('running', watcher.running, 'published', len(seen))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "the exam window is not watched: platform 'offscreen' is not X11",
        "running False published 0",
    ]
