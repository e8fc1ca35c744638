"""Processes that stand in for a kiosk and its web engine, for the tests of who kills what.

A stand-in engine process is a real program named like the engine's (a copy of ``sleep`` called
``QtWebEngineProcess``: the kernel names it ``QtWebEngineProc``), started with a kiosk's identity
in its environment as the real engine inherits it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.platform.processes import ENGINE_OWNER, ProcessIdentity, identify


def engine_program(folder: Path) -> Path:
    path = folder / "QtWebEngineProcess"
    if not path.exists():
        sleep = shutil.which("sleep")
        assert sleep is not None
        shutil.copy(sleep, path)
    return path


@contextmanager
def engine_process(
    folder: Path, owner: ProcessIdentity | None
) -> Iterator[subprocess.Popen[bytes]]:
    """A stand-in engine process of ``owner`` (None: of nobody), killed at the end."""
    env = {k: v for k, v in os.environ.items() if k != ENGINE_OWNER}
    if owner is not None:
        env[ENGINE_OWNER] = owner.marker
    proc = subprocess.Popen([str(engine_program(folder)), "600"], env=env)
    try:
        # Until it has exec'd, the child is a copy of this process, with its name and its
        # environment: wait until it is the stand-in, as a running engine would be.
        comm = Path(f"/proc/{proc.pid}/comm")
        deadline = time.monotonic() + 5
        while comm.read_text().strip() != "QtWebEngineProc":
            assert time.monotonic() < deadline, "the stand-in engine did not start"
            time.sleep(0.01)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def dead_identity() -> ProcessIdentity:
    """The identity of a process that ran a moment ago and is gone (its pid may be reused)."""
    proc = subprocess.Popen(["sleep", "600"])
    deadline = time.monotonic() + 5
    while (found := identify(proc.pid)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return found


def ended(proc: subprocess.Popen[bytes], timeout: float = 5.0) -> int | None:
    """The exit status once ``proc`` has ended within ``timeout``, else None."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return None
