"""What the student's desktop says about high contrast and motion (policies/accessibility.py).

GNOME and the desktops built on GSettings keep both in the desktop's own settings
(``org.gnome.desktop.a11y.interface high-contrast``, ``org.gnome.desktop.interface
enable-animations``), read here with the desktop's ``gsettings``, whichever backend it uses.
Qt's own contrast preference (the platform theme's: KDE's, the desktop portal's) and a high
contrast GTK theme count too. A desktop that says nothing gives None: not "no".
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger("kiosk.accessibility")

CONTRAST = ("org.gnome.desktop.a11y.interface", "high-contrast")
ANIMATIONS = ("org.gnome.desktop.interface", "enable-animations")
#: gsettings answers in a few milliseconds; a desktop that hangs must not hold the launch.
TIMEOUT = 2.0


@dataclass(frozen=True)
class DesktopPreferences:
    high_contrast: bool | None
    reduced_motion: bool | None


def _gsettings(schema: str, key: str, env: Mapping[str, str]) -> bool | None:
    program = shutil.which("gsettings", path=env.get("PATH"))
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "get", schema, key], env=dict(env), capture_output=True, text=True,
            timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("gsettings did not answer for %s %s: %s", schema, key, exc)
        return None
    answer = done.stdout.strip()
    if done.returncode != 0 or answer not in ("true", "false"):
        return None  # no such schema on this desktop
    return answer == "true"


def _qt_contrast() -> bool | None:
    from kiosk.platform.qt import QGuiApplication, Qt

    if QGuiApplication.instance() is None:
        return None
    hints = QGuiApplication.styleHints()
    if hints is None or (a11y := hints.accessibility()) is None:
        return None
    return True if a11y.contrastPreference() == Qt.ContrastPreference.HighContrast else None


def read_desktop_preferences(env: Mapping[str, str] | None = None) -> DesktopPreferences:
    env = os.environ if env is None else env
    contrast = _gsettings(*CONTRAST, env)
    if not contrast and ("highcontrast" in env.get("GTK_THEME", "").lower() or _qt_contrast()):
        contrast = True
    animations = _gsettings(*ANIMATIONS, env)
    return DesktopPreferences(contrast, None if animations is None else not animations)
