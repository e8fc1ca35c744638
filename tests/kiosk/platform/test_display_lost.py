"""Qt's last word on a lost X connection ends the process with exit 4, after what the
application closes (a real process: the end is an _exit)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.platform.x11 import display_lost
from tests.support.paths import REPO

#: The application's side: it closes its record (here, writes the cause to a file), then Qt
#: says what it says before its exit(1).
PROGRAM = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kiosk.platform.x11 import display_lost
    display_lost.on_display_lost(lambda cause: Path(sys.argv[1]).write_text(cause))
    display_lost.noticed(sys.argv[2])
    print("carried on")
    """
)


def run(closed: Path, qt_said: str, display: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, str(closed), qt_said],
        cwd=REPO, capture_output=True, text=True, timeout=30,
        env={**os.environ, "DISPLAY": display},
    )  # fmt: skip


@pytest.mark.parametrize(
    "qt_said",
    [
        "The X11 connection broke (error 1). Did the X11 server die?",
        "The X11 connection broke: I/O error (code 1)",
    ],
)
def test_a_killed_connection_closes_then_exits_4(tmp_path: Path, qt_said: str) -> None:
    closed = tmp_path / "closed"
    done = run(closed, qt_said, os.environ["DISPLAY"])  # the suite's display still answers
    assert done.returncode == 4, done.stderr
    assert closed.read_text() == "another X client killed the kiosk's X connection (XKillClient)"
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "kiosk: error: the display connection was lost: another X client killed the kiosk's X "
        "connection (XKillClient); the session record is closed"
    ]


def test_a_display_that_is_gone_is_named_as_such(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    done = run(closed, "The X11 connection broke: I/O error (code 1)", ":4077")
    assert done.returncode == 4
    assert closed.read_text() == "the X server went away"


def test_a_close_that_fails_is_said_and_the_exit_is_still_4(tmp_path: Path) -> None:
    """The record could not be closed (here: its folder is gone): the line says so, no lie."""
    done = run(tmp_path / "gone" / "closed", "The X11 connection broke: I/O error (code 1)",
               os.environ["DISPLAY"])  # fmt: skip
    assert done.returncode == 4
    assert "closing the session after the display connection was lost failed" in done.stderr
    assert done.stderr.splitlines()[-1].endswith("; the session record could not be closed")


def test_any_other_message_carries_on(tmp_path: Path) -> None:
    done = run(tmp_path / "closed", "QXcbConnection: XCB error: 3 (BadWindow)", ":4077")
    assert done.returncode == 0 and done.stdout == "carried on\n"
    assert not (tmp_path / "closed").exists()
    assert display_lost.X_CONNECTION_BROKE == "The X11 connection broke"
