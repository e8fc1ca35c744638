"""A private X server (Xvfb) with a window manager, for the demo on a server and for tests.

Without a window manager nothing ever gets or loses focus and fullscreen is only a hint, so
openbox is started too when it is installed, and we wait until it has announced itself
(``X11Session.window_manager_present``) rather than sleeping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from kiosk.platform.x11.session import X11Error, X11Session


class DisplayError(RuntimeError):
    pass


def window_manager_running(display: str) -> bool:
    """True once a window manager has announced itself on ``display`` (ICCCM or EWMH)."""
    try:
        with X11Session(display) as x:
            return x.window_manager_present()
    except X11Error:
        return False


@dataclass
class VirtualDisplay:
    """``Xvfb`` on a free display number, optionally with ``openbox`` running on it."""

    width: int = 1280
    height: int = 800
    window_manager: bool = True
    display: str = ""
    #: Several X screens ("WxHxD" each) instead of one of width x height; ``xinerama`` joins them.
    screens: tuple[str, ...] = ()
    xinerama: bool = False
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 15.0) -> VirtualDisplay:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise DisplayError("Xvfb is not installed (package xvfb)")
        read, write = os.pipe()
        args = [xvfb, "-displayfd", str(write), "-nolisten", "tcp", "-noreset"]
        for index, spec in enumerate(self.screens or (f"{self.width}x{self.height}x24",)):
            args += ["-screen", str(index), spec]
        if self.xinerama:
            args.append("+xinerama")
        proc = subprocess.Popen(
            args,
            pass_fds=(write,),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        self._procs.append(proc)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.stop()
            raise DisplayError("Xvfb did not start")
        self.display = f":{number.decode().strip()}"
        if self.window_manager and shutil.which("openbox"):
            env = {**os.environ, "DISPLAY": self.display}
            self._procs.append(
                subprocess.Popen(
                    ["openbox", "--sm-disable"],
                    env=env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            while not window_manager_running(self.display):
                if time.monotonic() > deadline:
                    self.stop()
                    raise DisplayError("openbox did not start on the virtual display")
                time.sleep(0.05)
        return self

    @property
    def has_window_manager(self) -> bool:
        return len(self._procs) > 1

    @property
    def window_manager_pid(self) -> int | None:
        return self._procs[1].pid if self.has_window_manager else None

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
