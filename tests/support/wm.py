"""Asking the window manager and the X server things a student's program could.

xdotool has no command to take a window out of fullscreen; a pager or a WM key binding does it
with a ``_NET_WM_STATE`` client message to the root window, which is what ``set_fullscreen``
sends (through the product's own ``X11Session``, acting as another client would).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
from collections.abc import Iterator

from kiosk.platform.x11 import xcb
from kiosk.platform.x11.session import X11Session
from kiosk.platform.x11.xvfb import VirtualDisplay

_REMOVE, _ADD = 0, 1


def set_fullscreen(display: str, window: int, on: bool) -> None:
    """Sends _NET_WM_STATE add/remove _NET_WM_STATE_FULLSCREEN for ``window``."""
    with X11Session(display) as x:
        action = _ADD if on else _REMOVE
        fullscreen = "_NET_WM_STATE_FULLSCREEN"
        x.ask_window_manager(window, "_NET_WM_STATE", action, fullscreen, 0, xcb.SOURCE_PAGER)


def keyboard_grab_status(display: str) -> int:
    """Tries to grab the keyboard as another client would: 0 Success, 1 AlreadyGrabbed."""
    lib = xcb.library()
    vp, u8, u32, uint = ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint
    # Only this helper grabs the keyboard: its three prototypes live here, not in the binding.
    lib.xcb_grab_keyboard.argtypes = [vp, u8, u32, u32, u8, u8]
    lib.xcb_grab_keyboard.restype = uint
    lib.xcb_grab_keyboard_reply.argtypes = [vp, uint, vp]
    lib.xcb_grab_keyboard_reply.restype = ctypes.POINTER(ctypes.c_uint8 * 8)
    lib.xcb_ungrab_keyboard.argtypes = [vp, u32]
    conn = lib.xcb_connect(display.encode(), None)
    try:
        root = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn)).data[0]
        cookie = lib.xcb_grab_keyboard(conn, 0, root, 0, 1, 1)  # async, async
        reply = lib.xcb_grab_keyboard_reply(conn, cookie, None)
        status = int(reply.contents[1])
        xcb.libc().free(reply)
        if status == 0:
            lib.xcb_ungrab_keyboard(conn, 0)
            lib.xcb_flush(conn)
        return status
    finally:
        lib.xcb_disconnect(conn)


def net_wm_state(window: str) -> str:
    """The window's _NET_WM_STATE as xprop prints it (e.g. '_NET_WM_STATE_FULLSCREEN')."""
    out = subprocess.run(
        ["xprop", "-id", window, "_NET_WM_STATE"], capture_output=True, text=True, timeout=10
    ).stdout
    return out.split("=", 1)[1].strip() if "=" in out else ""


@contextlib.contextmanager
def stalled_window_manager(display: VirtualDisplay) -> Iterator[None]:
    """The window manager stopped (SIGSTOP) for the block, as a loaded machine's can be for
    seconds: windows mapped meanwhile wait for it (their map request is redirected to it)."""
    pid = display.window_manager_pid
    assert pid is not None, "openbox is needed (make setup)"
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
