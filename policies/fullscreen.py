"""Whether the kiosk keeps its window fullscreen, and whether leaving it is a violation.

The page's ``forceFullScreen`` is honoured; a managed policy (``policy.force_fullscreen``) forces
it whatever the page says. Before the page has called ``setup()`` the kiosk's own default holds:
it starts fullscreen and returns there. ``--windowed`` (development, where policy allows it)
enforces nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FullscreenDecision:
    restore: bool  # put the window back in fullscreen when it leaves
    why: str


def decide_fullscreen(
    window_fullscreen: bool, page_forces: bool | None, managed_force: bool
) -> FullscreenDecision:
    """``page_forces`` is the page's forceFullScreen, or None before setup()."""
    if not window_fullscreen:
        return FullscreenDecision(False, "windowed development mode")
    if managed_force:
        return FullscreenDecision(True, "forced by policy.force_fullscreen")
    if page_forces is None:
        return FullscreenDecision(True, "the kiosk starts fullscreen")
    if page_forces:
        return FullscreenDecision(True, "the page asked for forceFullScreen")
    return FullscreenDecision(False, "the page turned forceFullScreen off")


@dataclass(frozen=True)
class RefocusDecision:
    refocus: bool
    after: float  # seconds of grace before the kiosk takes the screen back


def decide_refocus(locked: bool, enabled: bool, grace: float) -> RefocusDecision:
    """A locked kiosk takes focus back after ``grace`` seconds, unless policy turned it off."""
    if not locked or not enabled:
        return RefocusDecision(False, 0.0)
    return RefocusDecision(True, max(0.0, grace))
