"""What the detectors of the exam window observe, readable without Qt.

The window's detectors (focus.py, fullscreen.py, exam_window.py) need Qt and a display; what
they publish does not, so the session and the policies' callers can take these observations
(and be tested) without either.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.base import Observation


@dataclass(frozen=True)
class FocusChange(Observation):
    focused: bool  # the kiosk's window is the active window and not minimised
    cause: str
    # When not focused: the object name of the kiosk's own window over the exam that has the
    # focus instead (a dialog whose parent is the exam window), "" for another program's.
    dialog: str = ""


@dataclass(frozen=True)
class FullscreenChange(Observation):
    fullscreen: bool  # fullscreen, visible, not minimised, covering its screen
    cause: str


@dataclass(frozen=True)
class ExamWindowState(Observation):
    shown: bool  # the exam's X window exists, is viewable and is on the current desktop
    covered_by: tuple[str, ...]  # other programs' windows drawn over it (empty when not shown)
    window_manager: bool
    cause: str
    # A cover the window manager does not stack (override-redirect): only the X server can
    # put the exam above it; a managed window is beaten by raising and activating.
    unmanaged_cover: bool = False
    # The window manager's active window is the exam or one of the kiosk's own windows (True
    # when it does not say). Qt can believe its window active when the X server has moved on.
    active: bool = True
