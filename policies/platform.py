"""Can this platform be locked down, and may the test go on when it cannot capture the screen?

Pure decisions from the Qt platform name (``QGuiApplication.platformName()``) and
XDG_SESSION_TYPE. A lockdown needs three things a client can only enforce on some platforms:
grabbing the keyboard, staying on top, and keeping fullscreen. X11, Windows and macOS give them to
an application; a Wayland compositor never does (by design), so Wayland is lockable only inside
the kiosk's own session: cage, a kiosk compositor with none of a desktop's shortcuts, that
launched the kiosk alone (the facts are ``detectors.compositor``'s); ``offscreen``-like
platforms have no desktop to lock. When policy requires a lockdown that cannot be had, the
test must not start (4016); when it does not, the test starts and the record says it was not
locked down.
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


class CompositorLike(Protocol):
    """What the policy reads of ``detectors.compositor.CompositorFact``."""

    @property
    def unknown(self) -> str | None: ...
    @property
    def program(self) -> str: ...
    @property
    def system_program(self) -> bool: ...
    @property
    def arguments(self) -> tuple[str, ...]: ...
    @property
    def backends(self) -> tuple[str, ...]: ...
    @property
    def launched_us(self) -> bool: ...
    @property
    def others(self) -> tuple[str, ...]: ...


CAGE = "cage"
_CAGE_TAKES_VALUE = "m"  # cage 0.1.4's getopt string is "dhm:rsv"
HEADLESS = "headless"


def cage_allows_vt_switching(arguments: tuple[str, ...]) -> bool:
    """Whether cage's options include ``-s``, read as GNU getopt reads them: anywhere before
    ``--`` (it moves the application's words after its options), clustered (``-ds``), with
    ``-m``'s value (``-mlast``, ``-m last``) not an option."""
    i = 0
    while i < len(arguments):
        arg = arguments[i]
        if arg == "--":
            return False
        if not arg.startswith("-") or arg == "-":
            i += 1
            continue
        for j, letter in enumerate(arg[1:], start=1):
            if letter == "s":
                return True
            if letter in _CAGE_TAKES_VALUE:
                i += 0 if j + 1 < len(arg) else 1  # the value is the rest, or the next one
                break
        i += 1
    return False


def kiosk_compositor(fact: CompositorLike, headless_allowed: bool) -> tuple[bool, str]:
    """Whether the Wayland compositor is the kiosk's own session: cage, the system's, with no
    console switching, on real hardware, launched the kiosk and nothing else. ``headless_allowed``:
    a test machine's allowance for cage's headless backend (no screen a student sees)."""
    if fact.unknown is not None:
        return False, f"the Wayland compositor is unknown: {fact.unknown}"
    name = fact.program.rpartition("/")[2]
    if name != CAGE:
        return False, f"the Wayland compositor is {fact.program}, not the kiosk's own cage session"
    if not fact.system_program:
        return False, f"{fact.program} is not the system's cage (root must own it and its folders)"
    if cage_allows_vt_switching(fact.arguments):
        return False, "cage was started with -s: the student can switch to another console"
    nested = [b for b in fact.backends if b in ("wayland", "x11")]
    if nested:
        return False, f"cage runs inside another desktop (its {', '.join(nested)} backend)"
    if HEADLESS in fact.backends and not headless_allowed:
        return False, "cage runs headless: no screen the student sees is locked"
    if not fact.launched_us:
        return False, "the kiosk is not the program this cage session launched"
    if fact.others:
        return False, f"cage launched other programs besides the kiosk: {', '.join(fact.others)}"
    if HEADLESS in fact.backends:
        return True, "cage kiosk session, headless (a test machine's allowance)"
    return True, "cage kiosk session: the kiosk is its only program; no shortcuts, no VT switching"


def _normalise(platform_name: str) -> str:
    return platform_name.strip().lower().split(":", 1)[0]


def _lockable(
    platform: str, session: str, compositor: CompositorLike | None, headless_allowed: bool
) -> tuple[bool, str]:
    inside_wayland = platform.startswith("wayland") or (platform == "xcb" and session == "wayland")
    which = ""
    if inside_wayland and compositor is not None:
        own, why = kiosk_compositor(compositor, headless_allowed)
        if own:
            return True, why
        which = f" ({why})"
    if platform.startswith("wayland"):
        return False, (
            "Wayland: a client cannot grab the keyboard or keep itself on top; "
            f"the compositor keeps its shortcuts and window switching{which}"
        )
    if platform == "xcb" and session == "wayland":
        return False, (
            "XWayland (X11 inside a Wayland session): X grabs and stacking only reach X "
            f"clients; the Wayland compositor keeps its shortcuts and window switching{which}"
        )
    if platform in _LOCKABLE:
        return True, _LOCKABLE[platform]
    if platform in _NO_DESKTOP:
        return False, f"{platform}: no real desktop to lock down"
    return False, f"unknown platform {platform!r}: no known way to lock it down"


def decide_lockdown(
    platform_name: str,
    session_type: str | None,
    required: bool,
    compositor: CompositorLike | None = None,
    headless_allowed: bool = False,
) -> LockdownDecision:
    """Whether the kiosk can lock this session down and whether the test may start anyway.
    ``compositor``: the Wayland compositor it is a client of, if any (Wayland is lockable only
    inside the kiosk's own cage session)."""
    session = (session_type or "").strip().lower()
    possible, why = _lockable(_normalise(platform_name), session, compositor, headless_allowed)
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
