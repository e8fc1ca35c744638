"""The desktop's own settings, written and read by the desktop's real ``gsettings`` (its keyfile
backend, in a private configuration folder, so the machine's settings are never touched)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk.platform.desktop_preferences import DesktopPreferences, read_desktop_preferences


@pytest.fixture
def desktop(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "GSETTINGS_BACKEND": "keyfile", "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("GTK_THEME", None)
    return env


def gsettings(env: dict[str, str], schema: str, key: str, value: str) -> None:
    subprocess.run(["gsettings", "set", schema, key, value], env=env, check=True, timeout=10)


def test_a_desktop_left_as_installed_asks_for_neither(desktop: dict[str, str]) -> None:
    assert read_desktop_preferences(desktop) == DesktopPreferences(False, False)


def test_high_contrast_and_no_animations_are_read_as_the_student_set_them(
    desktop: dict[str, str],
) -> None:
    gsettings(desktop, "org.gnome.desktop.a11y.interface", "high-contrast", "true")
    assert read_desktop_preferences(desktop) == DesktopPreferences(True, False)
    gsettings(desktop, "org.gnome.desktop.interface", "enable-animations", "false")
    assert read_desktop_preferences(desktop) == DesktopPreferences(True, True)


def test_a_high_contrast_theme_counts_and_a_desktop_without_gsettings_says_nothing(
    desktop: dict[str, str], tmp_path: Path
) -> None:
    assert read_desktop_preferences({**desktop, "GTK_THEME": "HighContrast"}).high_contrast
    empty = tmp_path / "no-programs"
    empty.mkdir()
    assert read_desktop_preferences({**desktop, "PATH": str(empty)}) == DesktopPreferences(
        None, None
    )
