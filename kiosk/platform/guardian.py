"""The guardian: a small process that outlives the kiosk by a moment, to kill what is left of
the kiosk's web engine however the kiosk died.

Chromium's processes notice their browser's death (their IPC channel closes) and exit by
themselves, when they can: one that cannot (stopped by a debugger or another program, stuck in
the kernel) runs on after the kiosk is SIGKILLed, and a SIGKILLed kiosk runs no code of its own.
``PR_SET_PDEATHSIG`` cannot help: the kernel clears it in every fork, and the renderers are forks
of the engine's zygote; a subreaper only adopts orphans while it lives. So the kiosk starts this
guardian once per process, holding the only write end of a pipe to it: the pipe's end is the
kiosk's death, whatever killed it, and the guardian then kills every web engine process that
carries the kiosk's identity (kiosk/platform/processes.py), and nothing else. It runs in a
session of its own (a Ctrl+C meant for the kiosk does not reach it) and holds none of the
kiosk's output. A guardian killed too is what the next kiosk start makes up for
(kiosk/session/unfinished.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from kiosk.platform.processes import (
    ProcessIdentity,
    kill_engine_processes,
    mark_engine_processes,
    this_process,
)

#: How long the guardian lets the kiosk take to be gone once its pipe has closed.
DYING_SECONDS = 10.0

_running: list[subprocess.Popen[bytes]] = []  # held: one guardian for the process's lifetime


def start() -> None:
    """Marks every web engine process started from now on as this process's, and starts the
    guardian that kills them when this process dies (once; later calls do nothing)."""
    if _running:
        return
    mark_engine_processes()
    me = this_process()
    _running.append(
        subprocess.Popen(
            [sys.executable, "-m", "kiosk.platform.guardian", me.marker],
            stdin=subprocess.PIPE,  # never written: its end is the kiosk's death
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    )


def guard(owner: ProcessIdentity) -> list[int]:
    """In the guardian: waits for ``owner`` to die, then kills its engine's leftovers."""
    while os.read(0, 4096):
        pass  # nothing is ever written; only the end matters
    deadline = time.monotonic() + DYING_SECONDS
    while owner.running() and time.monotonic() < deadline:  # closed while dying
        time.sleep(0.01)
    return kill_engine_processes(owner)


def main(argv: list[str]) -> int:
    owner = ProcessIdentity.from_marker(argv[1]) if len(argv) == 2 else None
    if owner is None:
        print("usage: python -m kiosk.platform.guardian BOOT/PID/STARTED", file=sys.stderr)
        return 2
    guard(owner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
