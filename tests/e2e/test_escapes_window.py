"""More ways out through the exam's window, tried against a running kiosk: another program
reparenting the exam window into its own.

The row reuses test_escapes.py's ``exam`` (one kiosk per launch kind) and records its attempt
in the tally.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

from tests.e2e import test_escapes
from tests.e2e.test_escapes import (
    Exam,
    decided,
    evidence,
    locked,
    new_codes,
    wait,
    x_shown,
)
from tests.support.paths import REPO
from tests.support.tally import ESCAPES

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
