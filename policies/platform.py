"""Can this platform be locked down, and may the test go on when it cannot capture the screen?

Pure decisions from the Qt platform name (``QGuiApplication.platformName()``) and
XDG_SESSION_TYPE. A lockdown needs three things a client can only enforce on some platforms:
grabbing the keyboard, staying on top, and keeping fullscreen. X11, Windows and macOS give them to
an application; a Wayland compositor never does (by design); ``offscreen``-like platforms have no
desktop to lock. When policy requires a lockdown that cannot be had, the test must not start
(4016); when it does not, the test starts and the record says it was not locked down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from policies.devices import page_code

NOT_LOCKABLE = 4016
CAPTURE_IMPOSSIBLE = 4017

_LOCKABLE = {
    "xcb": "X11: the keyboard can be grabbed, stacking and fullscreen enforced",
    "windows": "Windows: keyboard hooks, topmost and fullscreen are available to the app",
    "cocoa": "macOS: presentation options can hide the Dock and disable app switching",
}
_NO_DESKTOP = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
)


@dataclass(frozen=True)
class LockdownDecision:
    possible: bool
    proceed: bool
    code: int | None  # 4016 when a required lockdown is impossible
    why: str


@dataclass(frozen=True)
class CaptureDecision:
    proceed: bool
    code: int | None  # 4011, 4014 or 4017 when the test must not go on
    why: str


class CaptureCapabilityLike(Protocol):
    """What the policy reads of ``detectors.screen_capture.CaptureCapability``.

    Policies do not import detectors; the detector's frozen dataclass fits this shape.
    """

    @property
    def can_capture_others(self) -> bool: ...
    @property
    def platform(self) -> str: ...
    @property
    def why(self) -> str: ...
    @property
    def failure(self) -> str | None: ...


def _normalise(platform_name: str) -> str:
    return platform_name.strip().lower().split(":", 1)[0]


def _lockable(platform: str, session: str) -> tuple[bool, str]:
    if platform.startswith("wayland"):
        return False, (
            "Wayland: a client cannot grab the keyboard or keep itself on top; "
            "the compositor keeps its shortcuts and window switching"
        )
    if platform == "xcb" and session == "wayland":
        return False, (
            "XWayland (X11 inside a Wayland session): X grabs and stacking only reach X "
            "clients; the Wayland compositor keeps its shortcuts and window switching"
        )
    if platform in _LOCKABLE:
        return True, _LOCKABLE[platform]
    if platform in _NO_DESKTOP:
        return False, f"{platform}: no real desktop to lock down"
    return False, f"unknown platform {platform!r}: no known way to lock it down"


def decide_lockdown(
    platform_name: str, session_type: str | None, required: bool
) -> LockdownDecision:
    """Whether the kiosk can lock this session down and whether the test may start anyway."""
    possible, why = _lockable(_normalise(platform_name), (session_type or "").strip().lower())
    if possible:
        return LockdownDecision(possible=True, proceed=True, code=None, why=why)
    if required:
        return LockdownDecision(
            possible=False, proceed=False, code=NOT_LOCKABLE, why=f"lockdown is required; {why}"
        )
    return LockdownDecision(
        possible=False,
        proceed=True,
        code=None,
        why=f"the test runs NOT locked down (policy does not require it); {why}",
    )


def decide_capture(cap: CaptureCapabilityLike, requested: bool, forced: bool) -> CaptureDecision:
    """captureSwitchedTab: forced and impossible stops the test (4017); requested (by the page)
    and impossible stops it with the platform's reason (4011 denied, 4014 own windows only;
    a capability that names no failure counts as denied)."""
    if cap.can_capture_others:
        if requested or forced:
            return CaptureDecision(True, None, f"whole-screen capture available: {cap.why}")
        return CaptureDecision(True, None, "captureSwitchedTab not requested")
    if forced:
        return CaptureDecision(
            False, CAPTURE_IMPOSSIBLE, f"captureSwitchedTab is forced; {cap.why}"
        )
    if requested:
        code = page_code("screen", cap.failure or "denied").code
        return CaptureDecision(False, code, f"captureSwitchedTab is requested; {cap.why}")
    return CaptureDecision(
        True, None, f"captureSwitchedTab not requested (it could not: {cap.why})"
    )
