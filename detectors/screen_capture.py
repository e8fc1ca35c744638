"""Whole-screen capture: the evidence for ``captureSwitchedTab``.

When the student switches away, the kiosk stores a picture of the whole screen, so the reviewer
sees what was switched to. Only some platforms can show other applications' windows to us: on X11
(and Windows, macOS) grabbing the screen reads what the display shows; a Wayland client may not
read other clients' pixels without the screencast portal; Qt's ``offscreen`` (and ``vnc``,
``eglfs``...) platforms have no desktop at all, so a grab composes only the kiosk's own windows.
Each failure is classified into a catalogue code so the page and the record say why.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.photos import JPEG_QUALITY, EvidenceStore, Photo
from kiosk.platform.qt import QBuffer, QByteArray, QGuiApplication, QImage, QIODevice, QScreen, sip

DENIED = 4011  # the platform denies reading the screen (Wayland: no portal permission)
PLATFORM_ERROR = 4012  # a grab, encode or write that should have worked failed
NO_SCREEN = 4013  # nothing to capture
WINDOW_ONLY = 4014  # only the app's own window(s), not the whole screen
IMPOSSIBLE = 4017  # captureSwitchedTab is forced and the platform cannot capture other windows

CODES = frozenset({DENIED, PLATFORM_ERROR, NO_SCREEN, WINDOW_ONLY, IMPOSSIBLE})

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


class CaptureFailure(Exception):
    """A capture that could not give the whole screen; ``code`` is a 4011-4017 catalogue code."""

    def __init__(self, code: int, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"not a screen capture code: {code}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CaptureCapability:
    """Whether this platform lets the kiosk see other applications' windows, and why (not).

    ``failure_code`` is what a capture raises here (None when it can capture): 4011 when the
    platform denies it (Wayland, also XWayland), 4014 when only our own windows exist to grab.
    """

    can_capture_others: bool
    platform: str
    why: str
    failure_code: int | None = None


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
        return CaptureCapability(False, platform, why, DENIED)
    if platform == "xcb" and session == "wayland":
        why = (
            "XWayland (X11 inside a Wayland session): the X root window shows only X clients; "
            "native Wayland windows stay black without the xdg-desktop-portal screencast"
        )
        return CaptureCapability(False, platform, why, DENIED)
    if platform in _CAN_CAPTURE:
        return CaptureCapability(True, platform, _CAN_CAPTURE[platform])
    if platform in _OWN_WINDOWS_ONLY:
        why = (
            f"{platform}: no desktop of other applications; "
            "a grab shows at most the kiosk's own windows"
        )
        return CaptureCapability(False, platform, why, WINDOW_ONLY)
    why = f"unknown platform {platform!r}: not known to allow capturing other windows"
    return CaptureCapability(False, platform, why, DENIED)


def current_capability() -> CaptureCapability:
    """The capability of the running QGuiApplication and this login session."""
    return capability(QGuiApplication.platformName(), os.environ.get("XDG_SESSION_TYPE"))


def capture_screen(screen: QScreen | None = None) -> QImage:
    """The whole of ``screen`` (default: the primary one) as the display shows it.

    Raises CaptureFailure: the platform's failure code when it cannot see other windows (checked
    first, since offscreen returns a full-size image of only our windows), 4013 without a screen,
    4012 when the grab gives nothing, 4014 when it gives less than the screen.
    """
    if QGuiApplication.instance() is None:
        raise CaptureFailure(NO_SCREEN, "no QGuiApplication, so no screen")
    cap = current_capability()
    if not cap.can_capture_others:
        raise CaptureFailure(cap.failure_code or DENIED, cap.why)
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    if screen is None or sip.isdeleted(screen):
        raise CaptureFailure(NO_SCREEN, "no screen is attached")
    geometry = screen.geometry()
    if geometry.isEmpty():
        raise CaptureFailure(NO_SCREEN, f"screen {screen.name()!r} has no area")
    try:
        image = screen.grabWindow().toImage()  # window 0, the default: the whole screen
    except Exception as exc:  # a Qt or platform error must become a code, never a crash
        raise CaptureFailure(PLATFORM_ERROR, f"grabbing the screen failed: {exc!r}") from exc
    if image.isNull():
        raise CaptureFailure(PLATFORM_ERROR, f"the platform returned no image ({cap.platform})")
    ratio = screen.devicePixelRatio()
    want_w, want_h = int(geometry.width() * ratio), int(geometry.height() * ratio)
    if image.width() < want_w or image.height() < want_h:
        raise CaptureFailure(
            WINDOW_ONLY,
            f"got {image.width()}x{image.height()}, the screen is {want_w}x{want_h}",
        )
    return image


def to_bgr(image: QImage) -> Any:
    """A copy of ``image`` as an OpenCV BGR array (height x width x 3, uint8)."""
    import numpy as np

    bgr = image.convertToFormat(QImage.Format.Format_BGR888)
    bits = bgr.constBits()
    if bgr.isNull() or bits is None:
        raise CaptureFailure(PLATFORM_ERROR, "the capture could not be converted")
    # asstring copies: the pixels belong to ``bgr``, which is freed when this function returns.
    data = bits.asstring(bgr.sizeInBytes())
    rows = np.frombuffer(data, dtype=np.uint8).reshape(bgr.height(), bgr.bytesPerLine())
    return np.ascontiguousarray(rows[:, : bgr.width() * 3].reshape(bgr.height(), bgr.width(), 3))


def encode_jpeg(image: QImage) -> bytes:
    """JPEG bytes at the evidence photos' quality, encoded by Qt (no OpenCV needed)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "JPEG", JPEG_QUALITY)
    buffer.close()
    if not ok or data.isEmpty():
        raise CaptureFailure(PLATFORM_ERROR, "the capture could not be encoded as JPEG")
    return bytes(data.data())


_numbers = itertools.count(1)


def _write_private(folder: Path, kind: str, data: bytes) -> tuple[str, Path]:
    """A new 0600 file (never an existing one: O_EXCL), synced to disk before it is reported."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    while True:
        shot_id = f"screen-{next(_numbers):04d}"
        path = folder / f"{shot_id}-{kind}.jpg"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process (or an earlier run) has this number
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return shot_id, path


def save_capture(
    image: QImage, folder: Path, kind: str, t: float, store: EvidenceStore | None = None
) -> Photo | None:
    """Stores a capture as a private JPEG; None for a null image or when the pool is full.

    With a store the capture takes one of its slots (same numbering, capacity and file rules as
    the camera photos, in ``store.folder``, which must be ``folder``); without one, a
    ``screen-NNNN-<kind>.jpg`` in ``folder``. Encode or write errors raise CaptureFailure(4012).
    """
    if image.isNull():
        return None
    if store is None:
        data = encode_jpeg(image)
        try:
            shot_id, path = _write_private(folder, kind, data)
        except OSError as exc:
            raise CaptureFailure(PLATFORM_ERROR, f"writing the capture failed: {exc}") from exc
        return Photo(shot_id, path, t, kind)
    if Path(folder) != Path(store.folder):
        raise ValueError(f"the store writes to {store.folder}, not {folder}")
    if store.count >= store.capacity:
        return None  # full: the violation is still recorded, the picture is not
    try:
        return store.save(to_bgr(image), kind, t)
    except OSError as exc:
        raise CaptureFailure(PLATFORM_ERROR, f"writing the capture failed: {exc}") from exc
