"""Time itself, beat by beat: an interruption, a suspend and a clock set are told apart."""

from __future__ import annotations

import time

from detectors.base import Observation
from detectors.clock import BEAT_SECONDS, ClockJumped, Clocks, ClockWatcher, Interrupted


def _watcher() -> tuple[ClockWatcher, list[Observation]]:
    seen: list[Observation] = []
    return ClockWatcher(seen.append), seen


def test_a_beat_on_time_says_nothing_and_a_late_one_is_an_interruption() -> None:
    watcher, seen = _watcher()
    t0 = Clocks(wall=1000.0, monotonic=50.0, boottime=60.0)
    on_time = Clocks(1000.25, 50.25, 60.25)
    assert watcher.beat(t0, on_time) == on_time and seen == []
    stopped = Clocks(1005.5, 55.5, 65.5)  # SIGSTOP for about 5 s: every clock ran on
    watcher.beat(on_time, stopped)
    assert seen == [Interrupted(1005.5, seconds=5.2, suspended=0.0)]


def test_a_suspend_is_the_boot_clock_running_on_without_the_process_clock() -> None:
    watcher, seen = _watcher()
    before = Clocks(1000.0, 50.0, 60.0)
    watcher.beat(before, Clocks(1600.25, 50.5, 660.25))  # ten minutes asleep
    assert seen == [Interrupted(1600.25, seconds=600.2, suspended=599.8)]


def test_the_wall_clock_set_forward_or_back_is_a_jump_not_an_interruption() -> None:
    watcher, seen = _watcher()
    before = Clocks(1000.0, 50.0, 60.0)
    watcher.beat(before, Clocks(4600.25, 50.25, 60.25))
    watcher.beat(before, Clocks(940.25, 50.25, 60.25))
    watcher.beat(before, Clocks(1002.25, 50.25, 60.25))  # NTP's small step: nothing
    assert seen == [ClockJumped(4600.25, 3600.0), ClockJumped(940.25, -60.0)]


def test_the_thread_beats_and_stops() -> None:
    beats: list[Clocks] = []

    def clocks() -> Clocks:
        now = Clocks(time.time(), time.monotonic(), time.clock_gettime(time.CLOCK_BOOTTIME))
        beats.append(now)
        return now

    seen: list[Observation] = []
    watcher = ClockWatcher(seen.append, clocks=clocks)
    watcher.start()
    deadline = time.monotonic() + 5
    while len(beats) < 4:
        assert time.monotonic() < deadline
        time.sleep(BEAT_SECONDS / 2)
    watcher.stop()
    count = len(beats)
    watcher.stop()  # twice is safe
    assert seen == [] and len(beats) == count
