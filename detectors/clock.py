"""Time itself: the kiosk frozen or the computer suspended, and the wall clock set.

A thread of its own beats four times a second (the GUI thread may be busy a moment without that
being an interruption) and reads three clocks at each beat. A beat that comes more than
``gap_seconds`` late is an interruption (the process was stopped, SIGSTOP or a debugger, or
the computer slept), its length the real time between the two beats (CLOCK_BOOTTIME, which
runs on while the computer sleeps). CLOCK_MONOTONIC does not count sleep: the difference is
how much of it the computer was suspended. The wall clock moving against CLOCK_BOOTTIME by more
than ``jump_seconds`` is the clock being set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from detectors.base import Observation, Publish
from detectors.periodic import Periodic

#: Short, so that an interruption's length is known to a quarter of a second.
BEAT_SECONDS = 0.25


@dataclass(frozen=True)
class Interrupted(Observation):
    seconds: float  # from the last beat before to the first beat after
    suspended: float  # how much of it the computer slept


@dataclass(frozen=True)
class ClockJumped(Observation):
    seconds: float  # how far the wall clock moved beyond real time (negative: set back)


@dataclass(frozen=True)
class Clocks:
    wall: float
    monotonic: float
    boottime: float


def read_clocks() -> Clocks:
    return Clocks(time.time(), time.monotonic(), time.clock_gettime(time.CLOCK_BOOTTIME))


class ClockWatcher(Periodic):
    def __init__(
        self,
        publish: Publish,
        gap_seconds: float = 3.0,
        jump_seconds: float = 5.0,
        clocks: Callable[[], Clocks] = read_clocks,
        beat_seconds: float = BEAT_SECONDS,
    ) -> None:
        super().__init__("kiosk-clock", beat_seconds)
        self._publish = publish
        self._gap = gap_seconds
        self._jump = jump_seconds
        self._clocks = clocks
        self._beat = beat_seconds
        self._last = clocks()

    def begin(self) -> None:
        self._last = self._clocks()

    def tick(self) -> None:
        self._last = self.beat(self._last, self._clocks())

    def beat(self, before: Clocks, now: Clocks) -> Clocks:
        """Compares one beat with the one before; publishes what it finds; returns ``now``."""
        ran = now.monotonic - before.monotonic
        real = now.boottime - before.boottime
        if real - self._beat > self._gap:
            slept = round(max(0.0, real - ran), 1)
            self._publish(Interrupted(now.wall, round(real, 1), slept))
        jumped = (now.wall - before.wall) - real
        if abs(jumped) > self._jump:
            self._publish(ClockJumped(now.wall, round(jumped, 3)))
        return now
