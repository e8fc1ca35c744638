"""Whether the camera's picture changed since the face detector last looked at it.

Most of an exam is a student sitting still: analysing the same picture four times a second
finds the same faces four times a second. A 32x24 thumbnail of each picture is compared with
the one of the last analysed picture; where no cell moved by more than a sensor's noise, the
last analysis stands and the model does not run. Each cell averages some 400 pixels, so noise
all but cancels in it, while a face that appears, leaves or turns moves the cells it covers
by tens of levels. Comparing with the last analysed picture, not the previous one, catches
slow change; and an unchanged picture is analysed again every ``refresh_s`` all the same.
"""

from __future__ import annotations

import math
from typing import Any

from detectors.cv import import_cv2

THUMB = (32, 24)
#: The most a thumbnail cell may move (of 255) in the same picture.
SAME_MAX = 8
REFRESH_S = 2.0


class FrameChange:
    def __init__(self, refresh_s: float = REFRESH_S, same_max: int = SAME_MAX) -> None:
        self._refresh_s = refresh_s
        self._same_max = same_max
        self._last: Any = None
        self._when = -math.inf

    def changed(self, frame_bgr: Any, now: float) -> bool:
        """True when ``frame_bgr`` must be analysed (it is then the one compared with next)."""
        cv2 = import_cv2()
        small = cv2.resize(frame_bgr, THUMB, interpolation=cv2.INTER_AREA)
        small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        if (self._last is not None and now - self._when < self._refresh_s
                and int(cv2.absdiff(small, self._last).max()) <= self._same_max):  # fmt: skip
            return False
        self._last, self._when = small, now
        return True
