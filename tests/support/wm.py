"""Asking the window manager things a student could: EWMH state changes, as a pager sends them.

xdotool has no command to take a window out of fullscreen; a pager or a WM key binding does it
with a ``_NET_WM_STATE`` client message to the root window, which is what this sends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess

from kiosk.platform.xvfb import _AtomReply, _ScreenIterator

_REMOVE, _ADD = 0, 1


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("format", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("window", ctypes.c_uint32),
        ("type", ctypes.c_uint32),
        ("data", ctypes.c_uint32 * 5),
    ]


def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("xcb"))
    lib.xcb_connect.restype = ctypes.c_void_p
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    lib.xcb_get_setup.restype = ctypes.c_void_p
    lib.xcb_get_setup.argtypes = [ctypes.c_void_p]
    lib.xcb_setup_roots_iterator.restype = _ScreenIterator
    lib.xcb_setup_roots_iterator.argtypes = [ctypes.c_void_p]
    lib.xcb_intern_atom.restype = ctypes.c_uint
    lib.xcb_intern_atom.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16,
                                    ctypes.c_char_p]  # fmt: skip
    lib.xcb_intern_atom_reply.restype = ctypes.POINTER(_AtomReply)
    lib.xcb_intern_atom_reply.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lib.xcb_send_event.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32,
                                   ctypes.c_uint32, ctypes.c_char_p]  # fmt: skip
    lib.xcb_flush.argtypes = [ctypes.c_void_p]
    lib.xcb_disconnect.argtypes = [ctypes.c_void_p]
    lib.xcb_grab_keyboard.restype = ctypes.c_uint
    lib.xcb_grab_keyboard.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32,
                                      ctypes.c_uint32, ctypes.c_uint8, ctypes.c_uint8]  # fmt: skip
    lib.xcb_grab_keyboard_reply.restype = ctypes.POINTER(ctypes.c_uint8 * 8)
    lib.xcb_grab_keyboard_reply.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lib.xcb_ungrab_keyboard.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    return lib


def _atom(lib: ctypes.CDLL, conn: int, name: str) -> int:
    raw = name.encode()
    reply = lib.xcb_intern_atom_reply(conn, lib.xcb_intern_atom(conn, 0, len(raw), raw), None)
    return int(reply.contents.atom)


def set_fullscreen(display: str, window: int, on: bool) -> None:
    """Sends _NET_WM_STATE add/remove _NET_WM_STATE_FULLSCREEN for ``window``."""
    lib = _lib()
    conn = lib.xcb_connect(display.encode(), None)
    try:
        root = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn)).data[0]
        event = _ClientMessage()
        event.response_type = 33  # XCB_CLIENT_MESSAGE
        event.format = 32
        event.window = window
        event.type = _atom(lib, conn, "_NET_WM_STATE")
        event.data[0] = _ADD if on else _REMOVE
        event.data[1] = _atom(lib, conn, "_NET_WM_STATE_FULLSCREEN")
        event.data[3] = 2  # source: a pager, i.e. the user
        mask = (1 << 19) | (1 << 20)  # SubstructureNotify | SubstructureRedirect
        buffer = ctypes.string_at(ctypes.addressof(event), 32)
        lib.xcb_send_event(conn, 0, root, mask, buffer)
        lib.xcb_flush(conn)
    finally:
        lib.xcb_disconnect(conn)


def keyboard_grab_status(display: str) -> int:
    """Tries to grab the keyboard as another client would: 0 Success, 1 AlreadyGrabbed."""
    lib = _lib()
    conn = lib.xcb_connect(display.encode(), None)
    try:
        root = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn)).data[0]
        cookie = lib.xcb_grab_keyboard(conn, 0, root, 0, 1, 1)  # async, async
        reply = lib.xcb_grab_keyboard_reply(conn, cookie, None)
        status = int(reply.contents[1])
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
