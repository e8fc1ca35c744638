"""The guardian for real: a stand-in kiosk starts it and dies, and the guardian kills the
kiosk's engine processes (a stopped one too) and nothing else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.platform.processes import ENGINE_OWNER, ProcessIdentity, identify
from tests.support.engine_stand_in import engine_program
from tests.support.paths import REPO

#: A kiosk as far as the guardian knows one: it starts the guardian, then an engine process
#: (which inherits its identity), says their pids, and quits when its stdin closes.
KIOSK = textwrap.dedent(
    """
    import subprocess, sys
    from kiosk.platform import guardian
    guardian.start()
    engine = subprocess.Popen([sys.argv[1], "600"])
    print(engine.pid, guardian._running[0].pid, flush=True)
    sys.stdin.read()
    """
)


@contextmanager
def stand_in_kiosk(folder: Path) -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    """The running stand-in, its engine process's pid and its guardian's pid."""
    kiosk = subprocess.Popen(
        [sys.executable, "-c", KIOSK, str(engine_program(folder))],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if k != ENGINE_OWNER},
    )  # fmt: skip
    assert kiosk.stdout is not None and kiosk.stdin is not None
    engine, guardian = (int(x) for x in kiosk.stdout.readline().split())
    started = identify(engine)
    try:
        yield kiosk, engine, guardian
    finally:
        kiosk.kill()
        kiosk.wait()
        kiosk.stdin.close()
        kiosk.stdout.close()
        if started is not None and started.running():  # that very process, not its pid
            os.kill(engine, signal.SIGKILL)


def gone(identity: ProcessIdentity, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while identity.running():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_guardian_kills_the_stopped_engine_of_a_killed_kiosk(tmp_path: Path) -> None:
    unrelated = subprocess.Popen([str(engine_program(tmp_path)), "600"])
    try:
        with stand_in_kiosk(tmp_path) as (kiosk, engine_pid, guardian_pid):
            engine, guardian = identify(engine_pid), identify(guardian_pid)
            assert engine is not None and guardian is not None  # the witnesses: both run
            os.kill(engine_pid, signal.SIGSTOP)  # it cannot notice its kiosk's death itself
            kiosk.kill()
            kiosk.wait()
            assert gone(engine), "the stopped engine process outlived its kiosk"
            assert gone(guardian)
            assert unrelated.poll() is None  # same program, not the kiosk's: left alone
    finally:
        unrelated.kill()
        unrelated.wait()


def test_the_guardian_of_a_kiosk_that_quits_normally_ends_too(tmp_path: Path) -> None:
    with stand_in_kiosk(tmp_path) as (kiosk, engine_pid, guardian_pid):
        engine, guardian = identify(engine_pid), identify(guardian_pid)
        assert engine is not None and guardian is not None
        assert kiosk.stdin is not None
        kiosk.stdin.close()  # the stand-in quits; its engine process would run on
        assert kiosk.wait(10) == 0
        assert gone(engine) and gone(guardian)


def test_the_guardian_refuses_a_bad_argument() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.platform.guardian", "nonsense"],
        cwd=REPO, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "usage" in done.stderr
