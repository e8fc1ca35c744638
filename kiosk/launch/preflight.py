"""Checks made before Qt starts, so a missing display, library or sandbox is one clear line.

Qt aborts the whole process (no exception, no message worth reading) when the xcb plugin cannot
load or the display is unreachable, and Chromium exits silently when its sandbox cannot start as
root. Each is checked here first and turned into an EngineStartError (exit 3) or, for settings
the kiosk refuses, a UsageError (exit 2).
"""

from __future__ import annotations

import ctypes.util
import os
from collections.abc import Mapping

from kiosk.platform.errors import EngineStartError, UsageError
from kiosk.platform.x11.session import X11Error, X11Session
from policies.engine import ALLOW_UNSAFE_ENV, EngineVerdict, decide

SETUP_HINT = "run `make setup` (or scripts/ensure-system-packages.sh runtime as root)"

# Libraries Qt's xcb platform plugin loads, with the Debian package that ships each.
XCB_LIBRARIES = {
    "xcb": "libxcb1",
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "X11-xcb": "libx11-xcb1",
}


def check_engine_environment(env: Mapping[str, str], allowance: bool = True) -> EngineVerdict:
    """``allowance``: the managed policy lets test machines allow unsafe settings at all."""
    verdict = decide(env, allowance)
    if not verdict.allowed:
        if verdict.network:
            hint = "a proxy comes only from the exam's configuration, never from the environment"
        elif allowance:
            hint = f"only test machines may allow them, with {ALLOW_UNSAFE_ENV}=1"
        else:
            hint = "this computer's managed policy allows none (engine.unsafe_engine_allowance)"
        raise UsageError(
            "refusing unsafe web-engine settings from the environment: "
            f"{', '.join(verdict.unsafe)} ({hint})"
        )
    if os.geteuid() == 0 and not verdict.sandbox_disabled:
        raise EngineStartError(
            "Chromium's sandbox cannot start as root: run kiosk as a normal user "
            f"(test machines only: QTWEBENGINE_DISABLE_SANDBOX=1 {ALLOW_UNSAFE_ENV}=1)"
        )
    return verdict


def platform_name(env: Mapping[str, str]) -> str:
    explicit = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip()
    if explicit:
        return explicit
    if env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"):
        return "wayland"
    return "xcb"


def check_display(env: Mapping[str, str]) -> str:
    """Returns the Qt platform the kiosk will use; raises if it cannot possibly start."""
    platform = platform_name(env)
    if platform != "xcb":
        return platform
    display = env.get("DISPLAY")
    if not display:
        raise EngineStartError(
            "no display: kiosk needs a graphical session (DISPLAY is not set); on a server, "
            "run it under Xvfb (xvfb-run kiosk ...) or try `kiosk demo`"
        )
    missing = sorted(
        {pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None}
    )
    if missing:
        raise EngineStartError(
            f"Qt's X11 platform plugin needs missing libraries ({' '.join(missing)}): {SETUP_HINT}"
        )
    try:
        X11Session(display).open().close()
    except X11Error:
        raise EngineStartError(
            f"cannot connect to the X display {display!r}: is it running?"
        ) from None
    return platform


def import_qt() -> None:
    """Imports Qt once, turning a missing system library into a clear exit-3 line."""
    try:
        import kiosk.platform.qt  # noqa: F401
    except ImportError as exc:
        raise EngineStartError(f"the web engine cannot load ({exc}): {SETUP_HINT}") from None
