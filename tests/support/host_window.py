"""Another program's window that takes the exam window into itself, as an embedding tool does
(suckless ``tabbed``, a screen-sharing "window picker"): on ``take WID`` (a line on stdin) it
unmaps WID, reparents it into its own window and maps it there, under a server grab, so no
other client sees anything in between. The window manager then lets go of the window, and
unmaps it, or puts it back on the root: so the tool takes it again, until it holds it, mapped
inside its own window, for a few checks in a row (at most five takes).

Usage: ``python host_window.py``; prints ``shown WID`` (its own X id, decimal) once mapped,
``taken`` after each take; exits on SIGTERM or when stdin closes.
"""

import ctypes
import os
import signal
import sys
import time

from PyQt6.QtCore import QSocketNotifier, Qt, QTimer
from PyQt6.QtWidgets import QApplication, QWidget

from kiosk.platform.x11 import xcb


def _held(lib: ctypes.CDLL, conn: int, exam: int, into: int) -> bool:
    """``exam`` is mapped, inside ``into``."""
    tree = lib.xcb_query_tree_reply(conn, lib.xcb_query_tree(conn, exam), None)
    attributes = lib.xcb_get_window_attributes_reply(
        conn, lib.xcb_get_window_attributes(conn, exam), None
    )
    try:
        parent = xcb.Tree.from_address(tree).parent if tree else 0
        mapped = bool(attributes) and xcb.WindowAttributes.from_address(attributes).map_state
        return parent == into and bool(mapped)
    finally:
        xcb.libc().free(tree)
        xcb.libc().free(attributes)


def take(exam: int, into: int) -> None:
    """Takes ``exam`` until it holds it for three checks 5 ms apart (at most five takes)."""
    lib = xcb.library()
    vp, u32 = ctypes.c_void_p, ctypes.c_uint32
    # This helper's own prototypes (run as a script, it may import another checkout's binding).
    for name, args in (
        ("xcb_grab_server", [vp]),
        ("xcb_ungrab_server", [vp]),
        ("xcb_unmap_window_checked", [vp, u32]),
        ("xcb_map_window_checked", [vp, u32]),
        ("xcb_reparent_window_checked", [vp, u32, u32, ctypes.c_int16, ctypes.c_int16]),
        ("xcb_query_tree", [vp, u32]),
        ("xcb_get_window_attributes", [vp, u32]),
    ):
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = ctypes.c_uint
    for name in ("xcb_query_tree_reply", "xcb_get_window_attributes_reply"):
        getattr(lib, name).argtypes = [vp, ctypes.c_uint, vp]
        getattr(lib, name).restype = vp
    conn = lib.xcb_connect(os.environ["DISPLAY"].encode(), None)
    try:
        takes = held = 0
        while held < 3:
            if _held(lib, conn, exam, into):
                held += 1
            elif takes < 5:
                takes, held = takes + 1, 0
                lib.xcb_grab_server(conn)
                cookies = [
                    lib.xcb_unmap_window_checked(conn, exam),
                    lib.xcb_reparent_window_checked(conn, exam, into, 0, 0),
                    lib.xcb_map_window_checked(conn, exam),
                ]
                lib.xcb_ungrab_server(conn)
                errors = [lib.xcb_request_check(conn, c) for c in cookies]
                assert not any(errors), "the X server refused the take"
            else:
                break
            time.sleep(0.005)
    finally:
        lib.xcb_disconnect(conn)


app = QApplication(sys.argv[:1])
signal.signal(signal.SIGTERM, lambda *_: app.quit())
tick = QTimer()  # Python only sees SIGTERM between bytecodes: let the handler run
tick.timeout.connect(lambda: None)
tick.start(100)
host = QWidget(None, Qt.WindowType.WindowDoesNotAcceptFocus)
host.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
host.setWindowTitle("host")
host.setGeometry(200, 150, 500, 300)
host.show()
QTimer.singleShot(100, lambda: print("shown", int(host.winId()), flush=True))


def command() -> None:
    line = sys.stdin.readline().split()
    if not line:
        app.quit()
    elif line[0] == "take":
        take(int(line[1]), int(host.winId()))
        print("taken", flush=True)


reader = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
reader.activated.connect(command)
sys.exit(app.exec())
