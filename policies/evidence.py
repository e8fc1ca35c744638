"""When an observed condition becomes a violation: sustained long enough, once per episode.

Detectors report every frame or audio block; a violation is a condition that *lasts*. An
episode starts when the condition has held for ``after`` seconds without a break longer than
``grace`` (one missed frame is not a new episode), and ends once it has been absent for ``grace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Change = Literal["start", "end"] | None


@dataclass
class SustainedCondition:
    after: float  # seconds the condition must hold before it counts
    grace: float = 1.0  # seconds of absence that end an episode (and of flicker tolerated)
    _since: float | None = field(default=None, init=False)  # when the condition began
    _last_seen: float | None = field(default=None, init=False)
    _active: bool = field(default=False, init=False)  # an episode is running

    @property
    def active(self) -> bool:
        return self._active

    def update(self, present: bool, t: float) -> Change:
        if not present:
            return self.tick(t)
        if self._last_seen is None or t - self._last_seen > self.grace:
            if self._active:  # the episode ended unseen (no tick in between): close it first
                self._active = False
                self._last_seen = None
                return "end"
            self._since = t  # a new run of the condition begins
        self._last_seen = t
        if not self._active and self._since is not None and t - self._since >= self.after:
            self._active = True
            return "start"
        return None

    def tick(self, t: float) -> Change:
        """Time passing without the condition being seen."""
        if self._last_seen is None or t - self._last_seen <= self.grace:
            return None
        self._since = None
        self._last_seen = None
        if self._active:
            self._active = False
            return "end"
        return None
