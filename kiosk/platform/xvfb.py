"""A private X server (Xvfb) with a window manager, for the demo on a server and for tests.

Without a window manager nothing ever gets or loses focus and fullscreen is only a hint, so
openbox is started too when it is installed, and we wait until it has announced itself
(``_NET_SUPPORTING_WM_CHECK`` on the root window) rather than sleeping.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field


class DisplayError(RuntimeError):
    pass


def _xcb() -> ctypes.CDLL:
    name = ctypes.util.find_library("xcb")
    if name is None:
        raise DisplayError("libxcb is missing (package libxcb1)")
    lib = ctypes.CDLL(name)
    lib.xcb_connect.restype = ctypes.c_void_p
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    lib.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    lib.xcb_disconnect.argtypes = [ctypes.c_void_p]
    lib.xcb_get_setup.restype = ctypes.c_void_p
    lib.xcb_get_setup.argtypes = [ctypes.c_void_p]
    lib.xcb_setup_roots_iterator.restype = _ScreenIterator
    lib.xcb_setup_roots_iterator.argtypes = [ctypes.c_void_p]
    lib.xcb_intern_atom.restype = ctypes.c_uint
    lib.xcb_intern_atom.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint8,
        ctypes.c_uint16,
        ctypes.c_char_p,
    ]
    lib.xcb_intern_atom_reply.restype = ctypes.POINTER(_AtomReply)
    lib.xcb_intern_atom_reply.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lib.xcb_get_property.restype = ctypes.c_uint
    lib.xcb_get_property.argtypes = [
        ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
        ctypes.c_uint32, ctypes.c_uint32,
    ]  # fmt: skip
    lib.xcb_get_property_reply.restype = ctypes.c_void_p
    lib.xcb_get_property_reply.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    lib.xcb_get_property_value_length.restype = ctypes.c_int
    lib.xcb_get_property_value_length.argtypes = [ctypes.c_void_p]
    return lib


class _ScreenIterator(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.POINTER(ctypes.c_uint32)),
        ("rem", ctypes.c_int),
        ("index", ctypes.c_int),
    ]


class _AtomReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("atom", ctypes.c_uint32),
    ]


def window_manager_running(display: str) -> bool:
    """True once an EWMH window manager has set _NET_SUPPORTING_WM_CHECK on the root window."""
    lib = _xcb()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.free.argtypes = [ctypes.c_void_p]
    conn = lib.xcb_connect(display.encode(), None)
    try:
        if lib.xcb_connection_has_error(conn):
            return False
        root = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn)).data[0]
        name = b"_NET_SUPPORTING_WM_CHECK"
        atom_reply = lib.xcb_intern_atom_reply(
            conn, lib.xcb_intern_atom(conn, 1, len(name), name), None
        )
        if not atom_reply:
            return False
        atom = atom_reply.contents.atom
        libc.free(atom_reply)
        if atom == 0:
            return False
        window_atom = 33  # XCB_ATOM_WINDOW
        reply = lib.xcb_get_property_reply(
            conn, lib.xcb_get_property(conn, 0, root, atom, window_atom, 0, 1), None
        )
        if not reply:
            return False
        found = lib.xcb_get_property_value_length(reply) > 0
        libc.free(reply)
        return bool(found)
    finally:
        lib.xcb_disconnect(conn)


@dataclass
class VirtualDisplay:
    """``Xvfb`` on a free display number, optionally with ``openbox`` running on it."""

    width: int = 1280
    height: int = 800
    window_manager: bool = True
    display: str = ""
    #: Several X screens ("WxHxD" each) instead of one of width x height; ``xinerama`` joins them.
    screens: tuple[str, ...] = ()
    xinerama: bool = False
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 15.0) -> VirtualDisplay:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise DisplayError("Xvfb is not installed (package xvfb)")
        read, write = os.pipe()
        args = [xvfb, "-displayfd", str(write), "-nolisten", "tcp", "-noreset"]
        for index, spec in enumerate(self.screens or (f"{self.width}x{self.height}x24",)):
            args += ["-screen", str(index), spec]
        if self.xinerama:
            args.append("+xinerama")
        proc = subprocess.Popen(
            args,
            pass_fds=(write,),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        self._procs.append(proc)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.stop()
            raise DisplayError("Xvfb did not start")
        self.display = f":{number.decode().strip()}"
        if self.window_manager and shutil.which("openbox"):
            env = {**os.environ, "DISPLAY": self.display}
            self._procs.append(
                subprocess.Popen(
                    ["openbox", "--sm-disable"],
                    env=env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            while not window_manager_running(self.display):
                if time.monotonic() > deadline:
                    self.stop()
                    raise DisplayError("openbox did not start on the virtual display")
                time.sleep(0.05)
        return self

    @property
    def has_window_manager(self) -> bool:
        return len(self._procs) > 1

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
