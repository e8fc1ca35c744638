"""How the exam page is shown to this student: the desktop's accessibility settings, as the
``[accessibility]`` settings allow them (policies/accessibility.py), as the engine's flags."""

from __future__ import annotations

from kiosk.config.settings import AccessibilitySettings
from kiosk.platform.desktop_preferences import DesktopPreferences, read_desktop_preferences
from policies.accessibility import Appearance, decide


def engine_appearance(settings: AccessibilitySettings) -> Appearance:
    """Reads the desktop only where the settings leave it the choice."""
    asks = "allow" in (settings.high_contrast, settings.reduced_motion)
    desktop = read_desktop_preferences() if asks else DesktopPreferences(None, None)
    return decide(
        settings.high_contrast, settings.reduced_motion, desktop.high_contrast,
        desktop.reduced_motion,
    )  # fmt: skip
