"""Which process is which, across a kiosk's death: identities that survive pid reuse, and the
web engine's processes of a kiosk that is gone.

A pid alone names nothing once its process has died: the kernel hands it to the next process.
``ProcessIdentity`` adds what a pid cannot repeat, its start time since boot and the boot itself.
The web engine's processes (a zygote and the renderers it forks, not children of one another in
a way that survives the kiosk's death, since orphans are handed to init) carry the identity of
the kiosk that started them in their environment (``ENGINE_OWNER``, set before the engine
starts and inherited by every process it execs or forks); that, and their program's name, is
what lets a guardian or the next start kill exactly those processes and nothing unrelated.
Linux only (``/proc``); elsewhere nothing is found and nothing killed.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROC = Path("/proc")

#: The environment variable naming the kiosk that started a web engine process.
ENGINE_OWNER = "KIOSK_ENGINE_OWNER"

#: The names (``/proc/PID/comm``, cut to 15 bytes by the kernel) of the web engine's programs.
ENGINE_PROGRAMS = ("QtWebEngineProc",)


@cache
def boot_id() -> str:
    """This boot of the computer (a pid and a start time only mean something within one)."""
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (``/proc/PID/stat`` field 22); None when
    no such process runs (a zombie has ended: it only waits for its parent)."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name, in parentheses, may hold spaces
    if fields[0] == "Z":
        return None
    return int(fields[19])


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    started: int  # clock ticks since boot
    boot: str

    @property
    def marker(self) -> str:
        return f"{self.boot}/{self.pid}/{self.started}"

    def as_meta(self) -> dict[str, Any]:
        return {"pid": self.pid, "started": self.started, "boot": self.boot}

    @classmethod
    def from_meta(cls, value: object) -> ProcessIdentity | None:
        if not isinstance(value, Mapping):
            return None
        pid, started, boot = value.get("pid"), value.get("started"), value.get("boot")
        if isinstance(pid, int) and isinstance(started, int) and isinstance(boot, str):
            return cls(pid, started, boot)
        return None

    @classmethod
    def from_marker(cls, marker: str) -> ProcessIdentity | None:
        boot, _, rest = marker.partition("/")
        pid, _, started = rest.partition("/")
        if boot and pid.isdigit() and started.isdigit():
            return cls(int(pid), int(started), boot)
        return None

    def running(self) -> bool:
        """This very process still runs (not merely a process with its pid)."""
        return self.boot == boot_id() and _start_ticks(self.pid) == self.started


def identify(pid: int) -> ProcessIdentity | None:
    started = _start_ticks(pid)
    return None if started is None else ProcessIdentity(pid, started, boot_id())


def this_process() -> ProcessIdentity:
    found = identify(os.getpid())
    return found if found is not None else ProcessIdentity(os.getpid(), 0, boot_id())


def mark_engine_processes() -> None:
    """Every web engine process started from now on carries this process's identity."""
    os.environ[ENGINE_OWNER] = this_process().marker


def _environment_says(pid: int, assignment: bytes) -> bool:
    try:
        return assignment in (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:  # gone, or not ours to read
        return False


def engine_processes(
    owner: ProcessIdentity, programs: Iterable[str] = ENGINE_PROGRAMS
) -> list[int]:
    """The running processes of the web engine ``owner`` started (``programs``: their names)."""
    names = tuple(programs)
    assignment = f"{ENGINE_OWNER}={owner.marker}".encode()
    found = []
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name in names and _environment_says(int(entry.name), assignment):
            found.append(int(entry.name))
    return found


def kill_engine_processes(
    owner: ProcessIdentity, programs: Iterable[str] = ENGINE_PROGRAMS
) -> list[int]:
    """SIGKILLs what is left of the web engine of ``owner``, a kiosk that is gone (never one that
    runs: its engine is alive and well). Returns the pids killed."""
    if owner.running():
        return []
    killed = []
    for pid in engine_processes(owner, programs):
        try:
            os.kill(pid, signal.SIGKILL)  # a stopped process dies too
        except ProcessLookupError:
            continue
        killed.append(pid)
    return killed
