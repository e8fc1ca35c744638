"""High contrast and reduced motion: what the exam page is told the student needs.

A student who reads better in high contrast, or is made ill by motion, has said so once, in the
desktop's accessibility settings. Chromium inside Qt WebEngine reads neither setting on Linux,
so a kiosk that did nothing would show every exam page as if nobody needed them. The kiosk reads
the desktop's (kiosk/platform/desktop_preferences.py) and passes them to the engine as Blink's
own preferences: the page's ``prefers-contrast: more`` and ``prefers-reduced-motion: reduce``
media queries then match, as they would in the student's own browser.

Each is ``allow`` (as the desktop says: the default), ``on`` (always: a school's accommodation
for a student, in that student's configuration) or ``off`` (never: an exam whose questions need
the page exactly as written). Zoom is the ``[policy]`` ``allow_zoom`` key (policies/keys.py).
Chromium reads its flags once per process, so the choice holds for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Choice = Literal["allow", "on", "off"]


@dataclass(frozen=True)
class Appearance:
    high_contrast: bool
    reduced_motion: bool
    #: Why each is as it is, for the session record and ``kiosk doctor``.
    checks: dict[str, str]

    def engine_flags(self) -> list[str]:
        """Chromium switches (one ``--blink-settings``: Chromium keeps only the last one)."""
        wanted = []
        if self.high_contrast:
            wanted.append("preferredContrast=more")
        if self.reduced_motion:
            wanted.append("prefersReducedMotion=true")
        return [f"--blink-settings={','.join(wanted)}"] if wanted else []


def _one(choice: Choice, desktop: bool | None) -> tuple[bool, str]:
    if choice == "on":
        return True, "on (the kiosk's settings)"
    if desktop is None:
        return False, "off (the desktop does not say)" if choice == "allow" else "off"
    asked = "the desktop asks for it" if desktop else "the desktop does not ask for it"
    if choice == "off":
        return False, f"off (the kiosk's settings; {asked})"
    return desktop, f"{'on' if desktop else 'off'} ({asked})"


def decide(
    high_contrast: Choice,
    reduced_motion: Choice,
    desktop_contrast: bool | None,
    desktop_motion: bool | None,
) -> Appearance:
    """``desktop_*``: whether the desktop asks for it (None: it does not say)."""
    contrast, contrast_why = _one(high_contrast, desktop_contrast)
    motion, motion_why = _one(reduced_motion, desktop_motion)
    return Appearance(contrast, motion, {"highContrast": contrast_why, "reducedMotion": motion_why})
