"""The programs running on this computer, as ``/proc`` lists them, and the ones that start.

Every process the kiosk may see is listed with what names it (``comm``, the program's file,
its first argument: a program can change one, rarely all three) and who runs it. Which of them
matter is policies/processes.py's to say. The watcher lists only what is new at each look (a
pid it has not seen, or one reused: the start time tells them apart), so a quiet computer
costs a directory listing every ``interval`` seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from detectors.base import Observation, Publish
from detectors.periodic import Periodic

PROC = Path("/proc")
#: How often the watcher looks: a program started during the exam is found within this.
INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class RunningProcess:
    pid: int
    start: int  # clock ticks after boot: with the pid, names this process and no later one
    uid: int
    parent: int
    name: str  # /proc/PID/comm (the kernel cuts it to 15 bytes)
    program: str  # the executable's path, "" where it cannot be read (another user's)
    argv0: str  # the first word of its command line

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it goes by: its comm, its program's file name, its first argument's."""
        return tuple(
            dict.fromkeys(n for n in (self.name, _base(self.program), _base(self.argv0)) if n)
        )

    def as_detail(self) -> dict[str, object]:
        return {"name": self.name, "pid": self.pid, "program": self.program or self.argv0}


@dataclass(frozen=True)
class ProcessesStarted(Observation):
    processes: tuple[RunningProcess, ...]


def _base(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def read_process(pid: int, proc: Path = PROC) -> RunningProcess | None:
    """One process, or None when it ended while it was read."""
    where = proc / str(pid)
    try:
        stat = (where / "stat").read_text()
        uid = os.stat(where).st_uid
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    try:
        program = os.readlink(where / "exe")
    except OSError:
        program = ""
    try:
        argv0 = (where / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
    except OSError:
        argv0 = ""
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    return RunningProcess(pid, int(fields[19]), uid, int(fields[1]), name, program, argv0)


def ancestors(pid: int, parents: Mapping[int, int]) -> list[int]:
    """Parent, grandparent, ... up to init (a loop, which /proc read mid-change can show, ends
    the chain)."""
    chain: list[int] = []
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid in chain:
            break
        chain.append(pid)
    return chain


def list_processes(proc: Path = PROC) -> list[RunningProcess]:
    """Every process of the computer now (kernel threads, which run no program, left out)."""
    found = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            process = read_process(int(entry.name), proc)
            if process is not None and (process.program or process.argv0):
                found.append(process)
    return found


class ProcessWatcher(Periodic):
    """Publishes ``ProcessesStarted`` for the programs that started since its last look."""

    def __init__(self, publish: Publish, interval: float = INTERVAL_SECONDS) -> None:
        super().__init__("kiosk-processes", interval)
        self._publish = publish
        self._seen: dict[int, int] = {}  # pid -> start
        self._young: dict[
            int, RunningProcess
        ] = {}  # seen in its first two seconds: looked at again

    def begin(self) -> None:
        """What runs now is not new (setup looked at it)."""
        self._seen = {p.pid: p.start for p in list_processes()}
        self._young = {}

    def tick(self) -> None:
        self.look()

    def look(self) -> list[RunningProcess]:
        """One look: what is new is published (and returned). A process seen in its first
        seconds may not have exec'd its program yet (it still bears its parent's names): it is
        looked at again while it is young, and is new once it has become another program."""
        pids = {int(e) for e in os.listdir(PROC) if e.isdigit()}
        new = []
        now = _uptime_ticks()
        for pid, before in list(self._young.items()):
            again = read_process(pid) if pid in pids else None
            if again is None or again.start != before.start or now - again.start > _YOUNG:
                del self._young[pid]
            elif again.names != before.names:
                self._young[pid] = again
                new.append(again)
        for pid in pids - set(self._seen):
            process = read_process(pid)
            if process is None:
                continue
            self._seen[pid] = process.start
            if now - process.start < _YOUNG:
                self._young[pid] = process
            if process.program or process.argv0:
                new.append(process)
        for gone in set(self._seen) - pids:
            del self._seen[gone]
        if new:
            self._publish(ProcessesStarted(time.time(), tuple(new)))
        return new


_TICKS = os.sysconf("SC_CLK_TCK")
_YOUNG = 2 * _TICKS  # a process this young may still exec its program


def _uptime_ticks() -> float:
    try:
        return float((PROC / "uptime").read_text().split()[0]) * _TICKS
    except OSError:
        return 0.0
