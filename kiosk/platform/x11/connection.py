"""The mechanics of one private libxcb connection: opening, replies, errors, properties.

``X11Session`` builds its questions and actions on this. Every reply is freed; X errors
(``BadWindow`` for a window that is gone) are answers, never exceptions; the only exception is
``X11Error`` when the display cannot be reached at all. A connection that died is reopened on
the next call.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from kiosk.platform.x11 import xcb
from kiosk.platform.x11.xcb import X11Error

log = logging.getLogger("kiosk.x11")

T = TypeVar("T")

NAME_BYTES = 1024  # of a window's name, at most
MAX_DESCENDANTS = 256  # looked at per level when naming a frame by its client


class Lost(Exception):
    """The connection broke during a call (a reply came back without reply or error)."""


class X11Connection:
    """One private libxcb connection to ``display`` (``None``: ``$DISPLAY``), and the reading of
    its replies: every reply freed, an X error an answer (``0`` or ``None``), a dead connection
    reopened once (``_run``).

    Opens on first use (or ``open()``/``with``); ``close()`` releases it. Not thread-safe: use
    it from one thread.
    """

    def __init__(self, display: str | None = None) -> None:
        self._display = display
        self._lib = xcb.library()
        self._libc = xcb.libc()
        self._conn: int | None = None
        self._screen = 0
        self._id_mask = 0  # the bits of a resource id a client chooses; the rest name the client
        self._root = 0
        self._atoms: dict[str, int] = {}

    # -- the connection ---------------------------------------------------------------------

    def open(self) -> Self:
        """Connects now (a no-op when connected). Raises ``X11Error`` if the display is
        unreachable."""
        if self._conn is not None and not self._lib.xcb_connection_has_error(self._conn):
            return self
        self._drop()
        screen = ctypes.c_int(0)
        name = None if self._display is None else self._display.encode()
        conn = self._lib.xcb_connect(name, ctypes.byref(screen))
        if not conn or self._lib.xcb_connection_has_error(conn):
            if conn:
                self._lib.xcb_disconnect(conn)
            raise X11Error(f"cannot connect to the X display {self._display or '$DISPLAY'}")
        setup = self._lib.xcb_get_setup(conn)
        # xcb_setup_t: status, pad, major, minor, length (8 bytes), release, base, mask.
        self._id_mask = ctypes.c_uint32.from_address(setup + 16).value
        iterator = self._lib.xcb_setup_roots_iterator(setup)
        for _ in range(screen.value):
            self._lib.xcb_screen_next(ctypes.byref(iterator))
        if iterator.rem <= 0 and screen.value > 0:
            self._lib.xcb_disconnect(conn)
            raise X11Error(f"the X display has no screen {screen.value}")
        self._conn = int(conn)
        self._screen = screen.value
        self._root = int(iterator.data[0])
        return self

    def close(self) -> None:
        """Disconnects (safe twice); a later call opens a new connection."""
        self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            self._lib.xcb_disconnect(self._conn)
        self._conn = None
        self._atoms.clear()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit ctypes may be half gone
            self._drop()

    @property
    def root(self) -> int:
        """The root window of the connection's screen."""
        self.open()
        return self._root

    def _run(self, op: Callable[[int], T]) -> T:
        """Runs ``op(conn)``; a connection found dead is reopened and ``op`` tried once more."""
        for _ in range(2):
            conn = self.open()._conn
            assert conn is not None
            self._drain(conn)
            try:
                return op(conn)
            except Lost:
                log.info("the X connection was lost; reconnecting")
                self._drop()
        raise X11Error(f"the X display {self._display or '$DISPLAY'} went away")

    def _drain(self, conn: int) -> None:
        """Frees events nobody asked for (MappingNotify reaches every client)."""
        while event := self._lib.xcb_poll_for_event(conn):
            self._libc.free(event)

    def display_clients(self) -> list[tuple[int, int | None]] | None:
        """Every client of the display but the server itself, as the X-Resource extension
        tells: (the base of its resource ids, its pid, or None for a client with no local
        process: one connected over the network). None where the server or this computer
        has no X-Resource."""
        res = xcb.res_library()
        if res is None:
            return None

        def ask(conn: int) -> list[tuple[int, int | None]] | None:
            self._lib.xcb_get_extension_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
            self._lib.xcb_get_extension_data.restype = ctypes.c_void_p
            ext = ctypes.addressof(ctypes.c_char.in_dll(res, "xcb_res_id"))
            data = self._lib.xcb_get_extension_data(conn, ext)
            if not data or not ctypes.c_uint8.from_address(data + 8).value:  # .present
                return None
            spec = xcb.ResClientIdSpec(0, xcb.RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID)
            clients_cookie = res.xcb_res_query_clients(conn)
            ids_cookie = res.xcb_res_query_client_ids(conn, 1, ctypes.byref(spec))
            pids: dict[int, int] = {}
            reply = self._res_reply(res, conn, "xcb_res_query_client_ids", ids_cookie)
            try:
                it = res.xcb_res_query_client_ids_ids_iterator(reply)
                while it.rem:
                    value = xcb.ResClientIdValue.from_address(it.data)
                    if value.length >= 4:
                        pids[value.spec.client] = res.xcb_res_client_id_value_value(it.data)[0]
                    res.xcb_res_client_id_value_next(ctypes.byref(it))
            finally:
                self._libc.free(reply)
            reply = self._res_reply(res, conn, "xcb_res_query_clients", clients_cookie)
            try:
                listed = res.xcb_res_query_clients_clients(reply)
                count = res.xcb_res_query_clients_clients_length(reply)
                bases = [listed[i].resource_base for i in range(count)]
            finally:
                self._libc.free(reply)
            return [(base, pids.get(base)) for base in bases if base != 0]

        return self._run(ask)

    def _res_reply(self, res: ctypes.CDLL, conn: int, fn: str, cookie: int) -> int:
        error = ctypes.c_void_p()
        reply = getattr(res, f"{fn}_reply")(conn, cookie, ctypes.byref(error))
        if error.value:
            self._libc.free(error.value)
            raise Lost  # the extension was there a moment ago: the connection is in trouble
        if not reply:
            raise Lost
        return int(reply)

    # -- requests and replies -----------------------------------------------------------------

    def _reply(self, conn: int, fn: str, cookie: int) -> tuple[int, int]:
        """(reply address or 0, X error code or 0). The caller frees the reply."""
        error = ctypes.c_void_p()
        reply = getattr(self._lib, f"{fn}_reply")(conn, cookie, ctypes.byref(error))
        if error.value:
            code = int(xcb.GenericError.from_address(error.value).error_code)
            self._libc.free(error.value)
            return 0, code
        if not reply:
            raise Lost
        return int(reply), 0

    def _checked(self, conn: int, cookie: int) -> int:
        """Waits for a void request: its X error code, or 0."""
        error = self._lib.xcb_request_check(conn, cookie)
        if error:
            code = int(xcb.GenericError.from_address(error).error_code)
            self._libc.free(error)
            return code
        if self._lib.xcb_connection_has_error(conn):
            raise Lost
        return 0

    def _atom(self, conn: int, name: str) -> int:
        if name not in self._atoms:
            raw = name.encode()
            cookie = self._lib.xcb_intern_atom(conn, 0, len(raw), raw)
            reply, code = self._reply(conn, "xcb_intern_atom", cookie)
            if code:
                return 0
            try:
                self._atoms[name] = int(xcb.AtomReply.from_address(reply).atom)
            finally:
                self._libc.free(reply)
        return self._atoms[name]

    def _get_property(self, conn: int, window: int, atom: int, kind: int, longs: int) -> int:
        return int(self._lib.xcb_get_property(conn, 0, window, atom, kind, 0, longs))

    def _property(self, conn: int, cookie: int) -> tuple[int, int, bytes] | None:
        """(type, format, value bytes) of a get_property reply; None if unset or an error."""
        reply, code = self._reply(conn, "xcb_get_property", cookie)
        if code:
            return None
        try:
            fields = xcb.Property.from_address(reply)
            if fields.type == 0:
                return None
            size = int(self._lib.xcb_get_property_value_length(reply))
            value = ctypes.string_at(self._lib.xcb_get_property_value(reply), size)
            return int(fields.type), int(fields.format), value
        finally:
            self._libc.free(reply)

    def _cardinal(self, conn: int, cookie: int) -> int | None:
        found = self._property(conn, cookie)
        if found is None or found[1] != 32 or len(found[2]) < 4:
            return None
        return int.from_bytes(found[2][:4], sys.byteorder)  # the client's own byte order

    def _attributes(self, conn: int, cookie: int) -> tuple[int, int, bool] | None:
        """(map_state, class, override_redirect) of a reply; None if the window is gone."""
        reply, code = self._reply(conn, "xcb_get_window_attributes", cookie)
        if code:
            return None
        try:
            a = xcb.WindowAttributes.from_address(reply)
            return int(a.map_state), int(a.window_class), bool(a.override_redirect)
        finally:
            self._libc.free(reply)

    def _geometry(self, conn: int, cookie: int) -> tuple[int, int, int, int] | None:
        reply, code = self._reply(conn, "xcb_get_geometry", cookie)
        if code:
            return None
        try:
            g = xcb.Geometry.from_address(reply)
            border = 2 * int(g.border_width)
            return int(g.x), int(g.y), int(g.width) + border, int(g.height) + border
        finally:
            self._libc.free(reply)

    def _tree(self, conn: int, window: int) -> tuple[int, list[int]] | None:
        """(parent, children bottom to top) of ``window``; None if it does not exist."""
        return self._tree_reply(conn, self._lib.xcb_query_tree(conn, window))

    def _tree_reply(self, conn: int, cookie: int) -> tuple[int, list[int]] | None:
        reply, code = self._reply(conn, "xcb_query_tree", cookie)
        if code:
            return None
        try:
            parent = int(xcb.Tree.from_address(reply).parent)
            count = int(self._lib.xcb_query_tree_children_length(reply))
            children = self._lib.xcb_query_tree_children(reply)
            return parent, [int(children[i]) for i in range(count)]
        finally:
            self._libc.free(reply)

    def _name(self, conn: int, window: int) -> str:
        """_NET_WM_NAME, else WM_NAME, of ``window``; "" if neither is set."""
        utf8 = self._atom(conn, "UTF8_STRING")
        longs = NAME_BYTES // 4
        net_wm_name = self._atom(conn, "_NET_WM_NAME")
        cookies = [
            self._get_property(conn, window, net_wm_name, xcb.ANY_PROPERTY_TYPE, longs),
            self._get_property(conn, window, xcb.ATOM_WM_NAME, xcb.ANY_PROPERTY_TYPE, longs),
        ]
        names = [self._property(conn, cookie) for cookie in cookies]
        for found in names:
            if found is not None and found[1] == 8 and found[2]:
                kind, _, value = found
                encoding = "utf-8" if kind == utf8 else "latin-1"
                return value.decode(encoding, errors="replace").rstrip("\0")
        return ""

    def _wm_client(self, conn: int) -> int | None:
        """The client part of the window manager's resource ids, from its check window."""
        check = self._atom(conn, "_NET_SUPPORTING_WM_CHECK")
        cookie = self._get_property(conn, self._root, check, xcb.ATOM_WINDOW, 1)
        found = self._property(conn, cookie)
        if found is None or len(found[2]) < 4:
            return None
        window = int.from_bytes(found[2][:4], sys.byteorder)
        # A dead window manager leaves the property behind, and the X server gives its client
        # number to the next program that connects: only a live check window counts.
        if (
            not window
            or self._attributes(conn, self._lib.xcb_get_window_attributes(conn, window)) is None
        ):
            return None
        return window & ~self._id_mask

    def _holds_client(self, conn: int, window: int) -> bool:
        """A frame around an application's window: it or a descendant carries WM_STATE."""
        wm_state = self._atom(conn, "WM_STATE")
        level = [window]
        for _ in range(4):
            states = [self._get_property(conn, w, wm_state, wm_state, 0) for w in level]
            if any(self._property(conn, c) for c in states):
                return True
            trees = [self._lib.xcb_query_tree(conn, w) for w in level]
            below: list[int] = []
            for cookie in trees:
                tree = self._tree_reply(conn, cookie)
                below.extend(tree[1] if tree is not None else [])
            level = below[:MAX_DESCENDANTS]
            if not level:
                return False
        return False

    def _client_name(self, conn: int, window: int) -> str:
        """The window's own name or, for a window manager's frame, its client's: the first
        descendant carrying WM_STATE (as xprop finds it), three levels down at most."""
        if name := self._name(conn, window):
            return name
        wm_state = self._atom(conn, "WM_STATE")
        level = [window]
        for _ in range(3):
            trees = [self._lib.xcb_query_tree(conn, w) for w in level]
            below: list[int] = []
            for cookie in trees:
                tree = self._tree_reply(conn, cookie)
                below.extend(tree[1] if tree is not None else [])
            below = below[:MAX_DESCENDANTS]
            states = [self._get_property(conn, w, wm_state, wm_state, 0) for w in below]
            clients = [w for w, c in zip(below, states, strict=True) if self._property(conn, c)]
            if clients:
                return self._name(conn, clients[0])
            level = below
        return ""
