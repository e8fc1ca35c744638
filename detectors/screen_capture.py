"""Whole-screen capture: the evidence for ``captureSwitchedTab``.

When the student switches away, the kiosk stores a picture of the whole screen, so the reviewer
sees what was switched to. Only some platforms can show other applications' windows to us: on X11
(and Windows, macOS) grabbing the screen reads what the display shows; a Wayland client may not
read other clients' pixels without the screencast portal; Qt's ``offscreen`` (and ``vnc``,
``eglfs``...) platforms have no desktop at all, so a grab composes only the kiosk's own windows.
Each failure is a ``DeviceError`` of the screen with the kind of problem it is (the page code is
policies/devices.py's), so the page and the record say why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from detectors.base import DeviceError, Problem
from kiosk.platform.qt import QGuiApplication, QImage, QScreen, sip

# Platforms without a desktop of other applications: a grab composes the app's own windows
# (measured on offscreen and vnc: a screen-sized image, black but for our windows) or nothing
# (minimal: a null image). Either way other windows cannot be seen.
_OWN_WINDOWS_ONLY = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
)
_CAN_CAPTURE = {
    "xcb": "X11: the root window shows every client's pixels",
    "windows": "Windows: the desktop can be read by any desktop application",
    "cocoa": "macOS: the display can be read (with the Screen Recording permission, else only "
    "the wallpaper and the kiosk's own windows appear)",
}


def _problem(problem: Problem, message: str) -> DeviceError:
    return DeviceError("screen", problem, message)


@dataclass(frozen=True)
class CaptureCapability:
    """Whether this platform lets the kiosk see other applications' windows, and why (not).

    ``failure`` is what a capture fails with here (None when it can capture): denied by the
    platform (Wayland, also XWayland), or only our own windows exist to grab.
    """

    can_capture_others: bool
    platform: str
    why: str
    failure: Problem | None = None


def _normalise(platform_name: str) -> str:
    # QT_QPA_PLATFORM may carry options ("offscreen:fontengine=freetype"); the key comes first.
    return platform_name.strip().lower().split(":", 1)[0]


def capability(platform_name: str, session_type: str | None) -> CaptureCapability:
    """Pure: what a platform (``QGuiApplication.platformName()``) and XDG_SESSION_TYPE allow."""
    platform = _normalise(platform_name)
    session = (session_type or "").strip().lower()
    if platform.startswith("wayland"):
        why = (
            "Wayland: a client cannot read other clients' pixels; that needs the "
            "xdg-desktop-portal screencast permission, which Qt widgets cannot obtain"
        )
        return CaptureCapability(False, platform, why, Problem.DENIED)
    if platform == "xcb" and session == "wayland":
        why = (
            "XWayland (X11 inside a Wayland session): the X root window shows only X clients; "
            "native Wayland windows stay black without the xdg-desktop-portal screencast"
        )
        return CaptureCapability(False, platform, why, Problem.DENIED)
    if platform in _CAN_CAPTURE:
        return CaptureCapability(True, platform, _CAN_CAPTURE[platform])
    if platform in _OWN_WINDOWS_ONLY:
        why = (
            f"{platform}: no desktop of other applications; "
            "a grab shows at most the kiosk's own windows"
        )
        return CaptureCapability(False, platform, why, Problem.OWN_WINDOWS_ONLY)
    why = f"unknown platform {platform!r}: not known to allow capturing other windows"
    return CaptureCapability(False, platform, why, Problem.DENIED)


def current_capability() -> CaptureCapability:
    """The capability of the running QGuiApplication and this login session."""
    return capability(QGuiApplication.platformName(), os.environ.get("XDG_SESSION_TYPE"))


def capture_screen(screen: QScreen | None = None) -> QImage:
    """The whole of ``screen`` (default: the primary one) as the display shows it.

    Raises the screen's DeviceError: the platform's failure when it cannot see other windows
    (checked first, since offscreen returns a full-size image of only our windows), no screen,
    a grab that gives nothing (failed), or less than the screen (own windows only).
    """
    if QGuiApplication.instance() is None:
        raise _problem(Problem.NO_SCREEN, "no QGuiApplication, so no screen")
    cap = current_capability()
    if not cap.can_capture_others:
        raise _problem(cap.failure or Problem.DENIED, cap.why)
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    if screen is None or sip.isdeleted(screen):
        raise _problem(Problem.NO_SCREEN, "no screen is attached")
    geometry = screen.geometry()
    if geometry.isEmpty():
        raise _problem(Problem.NO_SCREEN, f"screen {screen.name()!r} has no area")
    try:
        image = screen.grabWindow().toImage()  # window 0, the default: the whole screen
    except Exception as exc:  # a Qt or platform error must become a code, never a crash
        raise _problem(Problem.FAILED, f"grabbing the screen failed: {exc!r}") from exc
    if image.isNull():
        raise _problem(Problem.FAILED, f"the platform returned no image ({cap.platform})")
    ratio = screen.devicePixelRatio()
    want_w, want_h = int(geometry.width() * ratio), int(geometry.height() * ratio)
    if image.width() < want_w or image.height() < want_h:
        raise _problem(
            Problem.OWN_WINDOWS_ONLY,
            f"got {image.width()}x{image.height()}, the screen is {want_w}x{want_h}",
        )
    return image


def to_bgr(image: QImage) -> Any:
    """A copy of ``image`` as an OpenCV BGR array (height x width x 3, uint8)."""
    import numpy as np

    bgr = image.convertToFormat(QImage.Format.Format_BGR888)
    bits = bgr.constBits()
    if bgr.isNull() or bits is None:
        raise _problem(Problem.FAILED, "the capture could not be converted")
    # asstring copies: the pixels belong to ``bgr``, which is freed when this function returns.
    data = bits.asstring(bgr.sizeInBytes())
    rows = np.frombuffer(data, dtype=np.uint8).reshape(bgr.height(), bgr.bytesPerLine())
    return np.ascontiguousarray(rows[:, : bgr.width() * 3].reshape(bgr.height(), bgr.width(), 3))
