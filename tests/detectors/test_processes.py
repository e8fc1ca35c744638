"""The programs of this computer, read from the real /proc: a program started after a first
look is new at the next, even one caught between its fork and its exec."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from detectors.base import Observation
from detectors.processes import ProcessesStarted, ProcessWatcher, list_processes, read_process


def named(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    shutil.copy(shutil.which("sleep") or "/bin/sleep", path)
    return path


def test_a_process_is_known_by_all_its_names_and_its_owner(tmp_path: Path) -> None:
    path = named(tmp_path, "obs")
    with subprocess.Popen([str(path), "30"]) as proc:
        try:
            deadline = time.monotonic() + 10
            while (found := read_process(proc.pid)) is None or found.name != "obs":
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert found.names == ("obs",) and found.program == str(path)
            assert found.uid == os.getuid() and found.parent == os.getpid()
            assert proc.pid in {p.pid for p in list_processes()}
        finally:
            proc.kill()
    me = read_process(os.getpid())
    assert me is not None and me.start > 0


def test_the_watcher_publishes_what_started_since_it_last_looked(tmp_path: Path) -> None:
    seen: list[Observation] = []
    watcher = ProcessWatcher(seen.append)
    watcher.begin()
    assert all(p.pid != os.getpid() for p in watcher.look())  # what ran before is not new
    path = named(tmp_path, "kazam")
    # a shell that becomes the program later: seen first as "sh", then as what it exec'd
    with subprocess.Popen(["sh", "-c", f"sleep 0.5; exec {path} 30"]) as proc:
        try:
            deadline = time.monotonic() + 10
            while not any(p.pid == proc.pid and p.name == "kazam"
                          for o in seen if isinstance(o, ProcessesStarted)
                          for p in o.processes):  # fmt: skip
                assert time.monotonic() < deadline, seen
                watcher.look()
                time.sleep(0.1)
        finally:
            proc.kill()
    firsts = [p for o in seen if isinstance(o, ProcessesStarted) for p in o.processes
              if p.pid == proc.pid]  # fmt: skip
    assert [p.name for p in firsts] == ["sh", "kazam"]  # the fork, then the program it became
