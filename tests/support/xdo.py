"""Acting on the display as the student, or another program, would: through xdotool.

One place for the commands the tests give the X server through XTEST and EWMH (keys, clicks,
activating, minimising, unmapping, desktops) and for the questions they ask of it (which
window is active, which windows have a name). ``DISPLAY`` is the suite's private display
unless ``env`` says otherwise.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping


def _run(args: tuple[str, ...], env: Mapping[str, str] | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xdotool", *args],
        capture_output=True,
        text=True,
        timeout=10,
        env=None if env is None else dict(env),
    )


def xdotool(*args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    """Runs ``xdotool ARGS``; its output, stripped. A failing command fails the test, unless
    ``check`` is off (putting things back in a ``finally``)."""
    done = _run(args, env)
    if check and done.returncode != 0:
        raise AssertionError(f"xdotool {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _asked(*args: str, env: Mapping[str, str] | None = None) -> str:
    """A question whose 'no' is a failure exit (no active window, nothing found): ""."""
    done = _run(args, env)
    return done.stdout.strip() if done.returncode == 0 else ""


def active_window(env: Mapping[str, str] | None = None) -> str:
    """The active window's id, or "" while there is none (between two windows)."""
    return _asked("getactivewindow", env=env)


def active_window_name(env: Mapping[str, str] | None = None) -> str:
    return _asked("getactivewindow", "getwindowname", env=env)


def windows_named(
    pattern: str, *, screen: int | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    """The ids of the viewable windows whose name matches ``pattern`` (a regex)."""
    where = [] if screen is None else ["--screen", str(screen)]
    return _asked("search", *where, "--onlyvisible", "--name", pattern, env=env).split()


def window_named(pattern: str, timeout: float = 10.0) -> str:
    """The first viewable window whose name matches ``pattern``, once there is one."""
    deadline = time.monotonic() + timeout
    while not (found := windows_named(pattern)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no window named {pattern!r} appeared")
        time.sleep(0.05)
    return found[0]


def wait_active(name: str, timeout: float = 15.0) -> None:
    """Waits until the window called ``name`` has the focus."""
    deadline = time.monotonic() + timeout
    while (now := active_window_name()) != name:
        if time.monotonic() > deadline:
            raise AssertionError(f"{name!r} never became the active window (last: {now!r})")
        time.sleep(0.05)
