"""Whether the student is away from the exam, and when that is 5005 (away) and 5006 (back).

Three facts each say the student cannot be working in the exam:
- the exam window lost the focus to another window (it counts when the page asked for
  ``tabSwitch``; the exam page's own dialog having the focus is no such window);
- the window left a fullscreen the kiosk enforces (minimised, by the window manager, smaller
  than its screen after a resolution change);
- the X server no longer shows it (unmapped, on another desktop, destroyed, or another
  program's window drawn over it).
Away is any of them, back is none. Facts are followed all the time; changes are reported only
while monitoring, one 5005 per absence and one 5006 when it ends, and a student who is away
when monitoring starts is reported away at once.

A kiosk that has just started is not away while its window is still coming up: until the window
manager has mapped, fullscreened and focused it once, "not there yet" is the launch, not the
student (a loaded machine or a slow window manager can take seconds, and the page may start
monitoring before). Only if it has not come up within ``COMING_UP_SECONDS`` does that count.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.page_dialogs import is_the_exam

AWAY = 5005
BACK = 5006

#: How long a just-started kiosk's window may take to come up before its absence counts.
COMING_UP_SECONDS = 10.0


@dataclass(frozen=True)
class AwayChange:
    code: int  # AWAY or BACK
    cause: str
    away_seconds: float = 0.0  # with BACK: how long the absence lasted


class AwayTracker:
    def __init__(self) -> None:
        self.tab_switch = False  # the page's tabSwitch (set at setup): whether focus counts
        self._focused = True
        self._fullscreen_ok = True  # fullscreen, or fullscreen is not enforced
        self._shown = True  # the X server shows the window, uncovered
        self._cause = ""  # what made the student away (the latest such fact)
        self._monitoring = False
        self._reported_away = False
        self._since = 0.0
        self._up = False  # the window has been shown, fullscreen and focused once
        self._first_seen: float | None = None  # the first observation: the launch

    @property
    def away(self) -> bool:
        unfocused = self.tab_switch and not self._focused
        return unfocused or not self._fullscreen_ok or not self._shown

    def focus(self, focused: bool, cause: str, t: float, dialog: str = "") -> AwayChange | None:
        """``dialog``: the kiosk's own window that has the focus instead (its object name); the
        exam page's own dialog (alert, confirm...) is the exam, not a switch away."""
        self._focused = focused or is_the_exam(dialog)
        return self._changed(cause, t)

    def fullscreen(
        self, fullscreen: bool, enforced: bool, cause: str, t: float
    ) -> AwayChange | None:
        """Leaving a fullscreen the kiosk does not enforce (the page turned forceFullScreen
        off, windowed development mode) is no absence."""
        self._fullscreen_ok = fullscreen or not enforced
        return self._changed(cause, t)

    def exam_window(self, shown: bool, covered: bool, cause: str, t: float) -> AwayChange | None:
        self._shown = shown and not covered
        return self._changed(cause, t)

    def start(self, t: float) -> AwayChange | None:
        """Monitoring starts: away already is reported now."""
        self._monitoring = True
        self._reported_away = False
        if not self.away or not self._up:
            return None
        return self._report(True, f"{self._cause} when monitoring started", t)

    def tick(self, t: float) -> AwayChange | None:
        """A window that has not come up within COMING_UP_SECONDS of the launch: from now on
        its absence counts (reported at once while monitoring)."""
        first = self._first_seen
        if self._up or first is None or t - first < COMING_UP_SECONDS:
            return None
        self._up = True
        if not self._monitoring or not self.away:
            return None
        return self._report(True, f"{self._cause} (the exam window did not come up)", t)

    def stop(self) -> None:
        self._monitoring = False

    def _changed(self, cause: str, t: float) -> AwayChange | None:
        if self._first_seen is None:
            self._first_seen = t
        away = self.away
        if away:
            self._cause = cause
        if not self._up:
            if not (self._focused and self._fullscreen_ok and self._shown):
                return None  # still coming up
            self._up = True
        if not self._monitoring or away == self._reported_away:
            return None
        return self._report(away, cause, t)

    def _report(self, away: bool, cause: str, t: float) -> AwayChange:
        self._reported_away = away
        if away:
            self._since = t
            return AwayChange(AWAY, cause)
        return AwayChange(BACK, cause, away_seconds=max(0.0, t - self._since))
