"""More ways out through the exam's window, tried against a running kiosk: another program
reparenting the exam window into its own, and the exam's monitor swapped for another.

The reparenting row reuses test_escapes.py's ``exam`` (one kiosk per launch kind); the monitor
rows run a kiosk of their own on a display as wide as two monitors. Each records its attempt in
the tally.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.platform.x11.xvfb import VirtualDisplay
from tests.e2e import test_escapes
from tests.e2e.test_escapes import (
    OPTIONS,
    Exam,
    decided,
    evidence,
    locked,
    new_codes,
    wait,
    x_shown,
)
from tests.support.paths import REPO
from tests.support.process import KioskProcess
from tests.support.server import ReportServer
from tests.support.tally import ESCAPES
from tests.support.xdo import active_window, xdotool

#: That module's fixture (one kiosk per launch kind, for this module's rows).
exam = test_escapes.exam


class Host:
    """tests/support/host_window.py running: another program's window that takes the exam."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "tests/support/host_window.py"],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line[:1] == ["shown"], line
        self.window = int(line[1])

    def take(self, window: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"take {window}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "taken"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def host_window() -> Iterator[Host]:
    host = Host()
    try:
        yield host
    finally:
        host.close()


def placement(exam: Exam) -> tuple[int, bool]:
    """(the exam's parent, whether it carries WM_STATE) as the X server says."""
    from kiosk.platform.x11.session import X11Session

    with X11Session(exam.display) as x:
        conn = x.open()._conn
        assert conn is not None
        tree = x._tree(conn, int(exam.window))
        wm_state = x._atom(conn, "WM_STATE")
        cookie = x._get_property(conn, int(exam.window), wm_state, wm_state, 0)
        managed = x._property(conn, cookie) is not None
        return (0 if tree is None else tree[0]), managed


def test_another_program_reparenting_the_exam_into_its_window(exam: Exam) -> None:
    """An embedding tool takes the exam window into its own (under a server grab: the kiosk
    never sees it unmapped); the window manager lets go of it. The kiosk takes it back."""
    with host_window() as host:
        before, since = len(exam.codes()), len(exam.proc.decisions())
        host.take(exam.window)
        try:
            wait("5005 then 5006", lambda: new_codes(exam, before)[:2] == [5005, 5006])
        except AssertionError:
            raise AssertionError(
                f"{new_codes(exam, before)} {exam.proc.decisions()[since:]} {placement(exam)}"
            ) from None
        wait("the X server to show the exam", lambda: x_shown(exam), 5)
        problems = locked(exam)
        parent, managed = placement(exam)
        if parent == host.window:
            problems.append("the exam is still inside the other program's window")
        if not managed:
            problems.append("the window manager does not manage the exam")
    ESCAPES.record("reparent the exam into another window", bool(problems))
    assert not problems, problems
    back = evidence(exam, 5006)[-1]
    assert back["awaySeconds"] < 2.0, back
    shown = decided(exam, since, "window", "shown again")
    assert shown and "reparented" in shown[0][2]["cause"], exam.proc.decisions()[since:]


# -- the exam's monitor swapped ------------------------------------------------------------------


def xrandr_on(display: str, *args: str) -> None:
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xrandr", *args], check=True, capture_output=True, timeout=10, env=env)


@pytest.fixture
def two_monitor_exam(server: ReportServer, tmp_path: Path) -> Iterator[tuple[Exam, VirtualDisplay]]:
    """A kiosk on a display of its own, as wide as two monitors and carved into one (LEFT, which
    owns the output) when the exam starts; the test adds and removes monitors."""
    wide = VirtualDisplay(width=2560, height=800).start()
    proc: KioskProcess | None = None
    try:
        xrandr_on(wide.display, "--setmonitor", "LEFT", "1280/338x800/211+0+0", "screen")
        run = "swap-" + os.urandom(4).hex()
        url = server.exam_url(run, "", OPTIONS, page="escape.html")
        env = {**os.environ, "DISPLAY": wide.display, "KIOSK_LOG_LEVEL": "INFO"}
        proc = KioskProcess(tmp_path, url, env=env)
        ready = server.wait_for(
            run, lambda r: any(x["type"] in ("ready", "setup-failed") for x in r)
        )
        first = next(x for x in ready if x["type"] in ("ready", "setup-failed"))
        assert first["type"] == "ready", first
        found = xdotool("search", "--sync", "--onlyvisible", "--name", "^kiosk$", env=env)
        yield Exam(proc, server, run, found.split()[0], first["pageId"], url, wide.display), wide
        proc.assert_clean()
    finally:
        if proc is not None:
            proc.kill()
        wide.stop()


def monitors(display: str) -> list[str]:
    """The X server's monitors as "WxH+X+Y" (``xrandr --listmonitors``)."""
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run(
        ["xrandr", "--listmonitors"], capture_output=True, text=True, timeout=10, env=env
    ).stdout
    found = re.findall(r"(\d+)/\d+x(\d+)/\d+\+(\d+)\+(\d+)", out)
    return [f"{w}x{h}+{x}+{y}" for w, h, x, y in found]


def exam_geometry(exam: Exam) -> str:
    env = {**os.environ, "DISPLAY": exam.display}
    out = xdotool("getwindowgeometry", exam.window, env=env)
    place = re.search(r"Position: (-?\d+),(-?\d+).*Geometry: (\d+x\d+)", out, re.S)
    return "" if place is None else f"{place[3]}+{place[1]}+{place[2]}"


def present(exam: Exam) -> bool:
    """The kiosk reports the student present: another program's window drawn over the exam
    now starts an absence (a 5005 naming it) that ends (5006) when it goes. While an absence is
    open no new 5005 can come: this is the positive witness that none is left open."""
    seen = len(evidence(exam, 5005))
    x = int(exam_geometry(exam).split("+")[1])

    def witnessed() -> bool:
        return any("WITNESS" in e["cause"] for e in evidence(exam, 5005)[seen:])

    proc = subprocess.Popen(
        [sys.executable, "tests/support/overlay.py", str(x + 100), "100", "600", "300",
         "WITNESS"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "DISPLAY": exam.display},
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("shown")
        try:
            wait("a 5005 for the witness", witnessed, 5)
        except AssertionError:
            return False
        back = len(evidence(exam, 5006))
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    try:
        wait("the witness's 5006", lambda: len(evidence(exam, 5006)) > back, 5)
    except AssertionError:
        return False
    return True


#: Monitor changes, (what, xrandr arguments), each followed by the exam to a remaining monitor.
SWAPS = {
    # A monitor added, and the exam's own (which owns the output) removed: the output's own
    # monitor comes back under the new one; then the reverse.
    "added then removed": [
        ("RIGHT added", ["--setmonitor", "RIGHT", "1280/338x800/211+1280+0", "none"]),
        ("LEFT removed", ["--delmonitor", "LEFT"]),
        ("LEFT added", ["--setmonitor", "LEFT", "1280/338x800/211+0+0", "screen"]),
        ("RIGHT removed", ["--delmonitor", "RIGHT"]),
    ],
    # The output moves to a new monitor in one step (the exam's is gone at once), and back.
    "in one step": [
        ("RIGHT takes the output", ["--setmonitor", "RIGHT", "1280/338x800/211+1280+0", "screen"]),
        ("LEFT takes it back", ["--setmonitor", "LEFT", "1280/338x800/211+0+0", "screen"]),
    ],
}


@pytest.mark.parametrize("swap", list(SWAPS))
def test_the_exams_monitor_swapped_for_another_and_back(
    two_monitor_exam: tuple[Exam, VirtualDisplay], swap: str
) -> None:
    """The exam's monitor replaced by another, then back: after each change the exam covers one
    of the monitors that remain, is active, and the student is present again (each 5005 of the
    change has its 5006)."""
    exam, wide = two_monitor_exam
    env = {**os.environ, "DISPLAY": wide.display}
    problems: list[str] = []
    for what, args in SWAPS[swap]:
        before = len(exam.codes())
        xrandr_on(wide.display, *args)
        try:
            wait(f"the exam on a monitor after {what}",
                 lambda: exam_geometry(exam) in monitors(wide.display), 5)  # fmt: skip
        except AssertionError:
            problems.append(f"{what}: the exam at {exam_geometry(exam)}, monitors "
                            f"{monitors(wide.display)}")  # fmt: skip
        try:
            wait("the kiosk to be active", lambda: active_window(env) == exam.window, 5)
        except AssertionError:
            problems.append(f"{what}: the kiosk window is not the active window")
        if not present(exam):
            problems.append(f"{what}: the student is still counted away {new_codes(exam, before)}")
    answer = exam.run_js("return 1;")
    if answer["pageId"] != exam.page_id or answer["href"] != exam.url:
        problems.append(f"another page answers: {answer['href']}")
    ESCAPES.record(f"the exam's monitor swapped ({swap}), and back", bool(problems))
    assert not problems, (problems, exam.proc.decisions())
