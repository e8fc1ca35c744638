"""What a platform lets the kiosk capture, decided from its name alone (no Qt needed)."""

from __future__ import annotations

import pytest

from detectors.base import Problem
from detectors.screen_capture import CaptureCapability, capability

NO_DESKTOP = ["offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"]


@pytest.mark.parametrize("session", [None, "", "x11", "X11", "tty", "unspecified"])
def test_x11_can_capture_other_windows(session: str | None) -> None:
    cap = capability("xcb", session)
    assert cap == CaptureCapability(True, "xcb", cap.why)
    assert cap.failure is None
    assert "X11" in cap.why


@pytest.mark.parametrize("platform", ["windows", "cocoa", "XCB", " xcb ", "xcb:option=1"])
def test_desktop_platforms_can_capture(platform: str) -> None:
    cap = capability(platform, None)
    assert cap.can_capture_others
    assert cap.platform == platform.strip().lower().split(":")[0]


def test_macos_says_it_needs_the_screen_recording_permission() -> None:
    assert "Screen Recording" in capability("cocoa", None).why


@pytest.mark.parametrize("platform", ["wayland", "wayland-egl", "Wayland-Brcm"])
@pytest.mark.parametrize("session", [None, "wayland", "x11"])
def test_wayland_is_denied(platform: str, session: str | None) -> None:
    cap = capability(platform, session)
    assert not cap.can_capture_others
    assert cap.failure == Problem.DENIED
    assert "xdg-desktop-portal screencast" in cap.why


def test_xwayland_is_denied_too() -> None:
    """xcb inside a Wayland session sees only X clients: other windows stay black."""
    cap = capability("xcb", "wayland")
    assert (cap.can_capture_others, cap.platform, cap.failure) == (False, "xcb", Problem.DENIED)
    assert "XWayland" in cap.why


@pytest.mark.parametrize("platform", NO_DESKTOP)
def test_platforms_without_a_desktop_only_have_our_windows(platform: str) -> None:
    cap = capability(platform, "x11")
    assert (cap.can_capture_others, cap.failure) == (False, Problem.OWN_WINDOWS_ONLY)
    assert "at most the kiosk's own windows" in cap.why


@pytest.mark.parametrize("platform", ["haiku", "android", "", "wasm"])
def test_unknown_platforms_are_denied_with_a_reason(platform: str) -> None:
    cap = capability(platform, None)
    assert (cap.can_capture_others, cap.failure) == (False, Problem.DENIED)
    assert cap.why.startswith("unknown platform")
