"""A private X11 connection for what Qt cannot say about the exam window.

Qt believes its own window state: a window another client unmapped, moved to another desktop or
covered with an override-redirect window still ``isVisible()`` and stays the active window. The
X server knows better. ``X11Session`` asks it directly through libxcb (ctypes, the patterns of
``kiosk.platform.xvfb``) on a connection of its own, never Qt's, opened on ``$DISPLAY``.

Every reply is freed, X errors (``BadWindow`` for a window that is gone) are answers, never
exceptions; the only exception is ``X11Error`` when the display cannot be reached at all. A
connection that died is reopened on the next call.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

from kiosk.platform.xvfb import DisplayError, _AtomReply, _ScreenIterator, _xcb

log = logging.getLogger("kiosk.x11")

T = TypeVar("T")

#: ``_NET_WM_DESKTOP`` of a window that is on every desktop (sticky).
ALL_DESKTOPS = 0xFFFFFFFF

_ANY_PROPERTY_TYPE = 0
_ATOM_CARDINAL = 6
_ATOM_WINDOW = 33
_ATOM_WM_NAME = 39
_MAP_STATE_VIEWABLE = 2
_CLASS_INPUT_ONLY = 2
_CLIENT_MESSAGE = 33
_CONFIG_WINDOW_STACK_MODE = 64
_CW_OVERRIDE_REDIRECT = 512
_STACK_MODE_ABOVE = 0
_SUBSTRUCTURE_NOTIFY = 1 << 19
_SUBSTRUCTURE_REDIRECT = 1 << 20
_SOURCE_PAGER = 2  # EWMH source indication: a pager, i.e. the user's own tools
_NAME_BYTES = 1024
_MAX_DESCENDANTS = 256  # looked at per level when naming a frame by its client


class X11Error(RuntimeError):
    """The X display cannot be reached (not an X protocol error: those are answers)."""


@dataclass(frozen=True)
class WindowState:
    """What the X server says about one client window."""

    exists: bool
    viewable: bool  # mapped, and every ancestor mapped: it can be seen unless covered
    desktop: int | None  # its _NET_WM_DESKTOP; ALL_DESKTOPS when sticky; None when unset
    current_desktop: int | None  # the root's _NET_CURRENT_DESKTOP; None without a pager-aware WM

    @property
    def on_current_desktop(self) -> bool:
        """True unless both desktops are known and differ (a sticky window is on all)."""
        if self.desktop is None or self.current_desktop is None:
            return True
        return self.desktop in (ALL_DESKTOPS, self.current_desktop)


@dataclass(frozen=True)
class OtherWindow:
    """A viewable top-level window, in root coordinates (its border included)."""

    id: int
    x: int
    y: int
    width: int
    height: int
    override_redirect: bool
    name: str


# -- reply structures (xproto.h) ---------------------------------------------------------------

_u8, _u16, _u32, _i16 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_int16


class _GenericError(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("error_code", _u8), ("sequence", _u16),
        ("resource_id", _u32), ("minor_code", _u16), ("major_code", _u8),
    ]  # fmt: skip


class _WindowAttributes(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("backing_store", _u8), ("sequence", _u16), ("length", _u32),
        ("visual", _u32), ("window_class", _u16), ("bit_gravity", _u8), ("win_gravity", _u8),
        ("backing_planes", _u32), ("backing_pixel", _u32), ("save_under", _u8),
        ("map_is_installed", _u8), ("map_state", _u8), ("override_redirect", _u8),
        ("colormap", _u32), ("all_event_masks", _u32), ("your_event_mask", _u32),
        ("do_not_propagate_mask", _u16), ("pad0", _u8 * 2),
    ]  # fmt: skip


class _Geometry(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("depth", _u8), ("sequence", _u16), ("length", _u32),
        ("root", _u32), ("x", _i16), ("y", _i16), ("width", _u16), ("height", _u16),
        ("border_width", _u16), ("pad0", _u8 * 2),
    ]  # fmt: skip


class _Tree(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("pad0", _u8), ("sequence", _u16), ("length", _u32),
        ("root", _u32), ("parent", _u32), ("children_len", _u16), ("pad1", _u8 * 14),
    ]  # fmt: skip


class _Property(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("format", _u8), ("sequence", _u16), ("length", _u32),
        ("type", _u32), ("bytes_after", _u32), ("value_len", _u32), ("pad0", _u8 * 12),
    ]  # fmt: skip


class _SelectionOwner(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("pad0", _u8), ("sequence", _u16), ("length", _u32),
        ("owner", _u32),
    ]  # fmt: skip


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("format", _u8), ("sequence", _u16), ("window", _u32),
        ("type", _u32), ("data", _u32 * 5),
    ]  # fmt: skip


class _Lost(Exception):
    """The connection broke during a call (a reply came back without reply or error)."""


def _library() -> ctypes.CDLL:
    try:
        lib = _xcb()
    except DisplayError as exc:
        raise X11Error(str(exc)) from None
    vp, u8, u16, u32, uint = (ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16,
                              ctypes.c_uint32, ctypes.c_uint)  # fmt: skip
    err = ctypes.POINTER(ctypes.c_void_p)
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.xcb_screen_next.argtypes = [ctypes.POINTER(_ScreenIterator)]
    lib.xcb_screen_next.restype = None
    lib.xcb_flush.argtypes = [vp]
    lib.xcb_poll_for_event.argtypes = [vp]
    lib.xcb_poll_for_event.restype = vp
    lib.xcb_request_check.argtypes = [vp, uint]
    lib.xcb_request_check.restype = vp
    lib.xcb_intern_atom_reply.restype = vp
    lib.xcb_intern_atom_reply.argtypes = [vp, uint, err]
    for name, args in (
        ("xcb_get_window_attributes", [vp, u32]),
        ("xcb_get_geometry", [vp, u32]),
        ("xcb_query_tree", [vp, u32]),
        ("xcb_get_selection_owner", [vp, u32]),
        ("xcb_get_property", [vp, u8, u32, u32, u32, u32, u32]),
        ("xcb_configure_window_checked", [vp, u32, u16, vp]),
        ("xcb_send_event_checked", [vp, u8, u32, u32, ctypes.c_char_p]),
        ("xcb_change_window_attributes_checked", [vp, u32, u32, vp]),
        ("xcb_set_input_focus_checked", [vp, u8, u32, u32]),
        ("xcb_map_window_checked", [vp, u32]),
        ("xcb_grab_server", [vp]),
        ("xcb_ungrab_server", [vp]),
    ):
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = uint
    for name in (
        "xcb_get_window_attributes_reply",
        "xcb_get_geometry_reply",
        "xcb_query_tree_reply",
        "xcb_get_selection_owner_reply",
        "xcb_get_property_reply",
    ):
        getattr(lib, name).argtypes = [vp, uint, err]
        getattr(lib, name).restype = vp
    lib.xcb_query_tree_children.argtypes = [vp]
    lib.xcb_query_tree_children.restype = ctypes.POINTER(ctypes.c_uint32)
    lib.xcb_query_tree_children_length.argtypes = [vp]
    lib.xcb_query_tree_children_length.restype = ctypes.c_int
    lib.xcb_get_property_value.argtypes = [vp]
    lib.xcb_get_property_value.restype = vp
    return lib


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free.restype = None
    return libc


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


class X11Session:
    """One private libxcb connection to ``display`` (``None``: ``$DISPLAY``).

    Opens on first use (or ``open()``/``with``); ``close()`` releases it. Not thread-safe: use
    it from one thread.
    """

    def __init__(self, display: str | None = None) -> None:
        self._display = display
        self._lib = _library()
        self._libc = _libc()
        self._conn: int | None = None
        self._screen = 0
        self._id_mask = 0  # the bits of a resource id a client chooses; the rest name the client
        self._root = 0
        self._atoms: dict[str, int] = {}

    # -- the connection ---------------------------------------------------------------------

    def open(self) -> X11Session:
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

    def __enter__(self) -> X11Session:
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
            except _Lost:
                log.info("the X connection was lost; reconnecting")
                self._drop()
        raise X11Error(f"the X display {self._display or '$DISPLAY'} went away")

    def _drain(self, conn: int) -> None:
        """Frees events nobody asked for (MappingNotify reaches every client)."""
        while event := self._lib.xcb_poll_for_event(conn):
            self._libc.free(event)

    # -- requests and replies -----------------------------------------------------------------

    def _reply(self, conn: int, fn: str, cookie: int) -> tuple[int, int]:
        """(reply address or 0, X error code or 0). The caller frees the reply."""
        error = ctypes.c_void_p()
        reply = getattr(self._lib, f"{fn}_reply")(conn, cookie, ctypes.byref(error))
        if error.value:
            code = int(_GenericError.from_address(error.value).error_code)
            self._libc.free(error.value)
            return 0, code
        if not reply:
            raise _Lost
        return int(reply), 0

    def _checked(self, conn: int, cookie: int) -> int:
        """Waits for a void request: its X error code, or 0."""
        error = self._lib.xcb_request_check(conn, cookie)
        if error:
            code = int(_GenericError.from_address(error).error_code)
            self._libc.free(error)
            return code
        if self._lib.xcb_connection_has_error(conn):
            raise _Lost
        return 0

    def _atom(self, conn: int, name: str) -> int:
        if name not in self._atoms:
            raw = name.encode()
            cookie = self._lib.xcb_intern_atom(conn, 0, len(raw), raw)
            reply, code = self._reply(conn, "xcb_intern_atom", cookie)
            if code:
                return 0
            try:
                self._atoms[name] = int(_AtomReply.from_address(reply).atom)
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
            fields = _Property.from_address(reply)
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
            a = _WindowAttributes.from_address(reply)
            return int(a.map_state), int(a.window_class), bool(a.override_redirect)
        finally:
            self._libc.free(reply)

    def _geometry(self, conn: int, cookie: int) -> tuple[int, int, int, int] | None:
        reply, code = self._reply(conn, "xcb_get_geometry", cookie)
        if code:
            return None
        try:
            g = _Geometry.from_address(reply)
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
            parent = int(_Tree.from_address(reply).parent)
            count = int(self._lib.xcb_query_tree_children_length(reply))
            children = self._lib.xcb_query_tree_children(reply)
            return parent, [int(children[i]) for i in range(count)]
        finally:
            self._libc.free(reply)

    def _name(self, conn: int, window: int) -> str:
        """_NET_WM_NAME, else WM_NAME, of ``window``; "" if neither is set."""
        utf8 = self._atom(conn, "UTF8_STRING")
        cookies = [
            self._get_property(
                conn, window, self._atom(conn, "_NET_WM_NAME"), _ANY_PROPERTY_TYPE, _NAME_BYTES // 4
            ),
            self._get_property(conn, window, _ATOM_WM_NAME, _ANY_PROPERTY_TYPE, _NAME_BYTES // 4),
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
        found = self._property(conn, self._get_property(conn, self._root, check, _ATOM_WINDOW, 1))
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
            level = below[:_MAX_DESCENDANTS]
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
            below = below[:_MAX_DESCENDANTS]
            states = [self._get_property(conn, w, wm_state, wm_state, 0) for w in below]
            clients = [w for w, c in zip(below, states, strict=True) if self._property(conn, c)]
            if clients:
                return self._name(conn, clients[0])
            level = below
        return ""

    # -- the queries ---------------------------------------------------------------------------

    def window_state(self, wid: int) -> WindowState:
        """Whether ``wid`` exists, is viewable, and which desktop it and the screen are on."""

        def query(conn: int) -> WindowState:
            cardinal = _ATOM_CARDINAL
            attributes = self._lib.xcb_get_window_attributes(conn, wid)
            desktop = self._get_property(
                conn, wid, self._atom(conn, "_NET_WM_DESKTOP"), cardinal, 1
            )
            current = self._get_property(
                conn, self._root, self._atom(conn, "_NET_CURRENT_DESKTOP"), cardinal, 1
            )
            found = self._attributes(conn, attributes)
            on = self._cardinal(conn, desktop)
            now = self._cardinal(conn, current)
            if found is None:
                return WindowState(exists=False, viewable=False, desktop=None, current_desktop=now)
            return WindowState(
                exists=True,
                viewable=found[0] == _MAP_STATE_VIEWABLE,
                desktop=on,
                current_desktop=now,
            )

        return self._run(query)

    def frame_of(self, wid: int) -> int:
        """The ancestor of ``wid`` that is a child of the root: the window manager's frame, or
        ``wid`` itself when unmanaged. ``wid`` when it does not exist (or is the root)."""

        def query(conn: int) -> int:
            # The root's children come with the first parent: a frame is found in one round
            # trip when the client sits directly in it (openbox), one more per extra level.
            top_cookie = self._lib.xcb_query_tree(conn, self._root)
            own_cookie = self._lib.xcb_query_tree(conn, wid)
            top = self._tree_reply(conn, top_cookie)
            own = self._tree_reply(conn, own_cookie)
            if own is None or wid == self._root:
                return wid
            children = set(top[1]) if top is not None else set()
            window, parent = wid, own[0]
            for _ in range(32):  # a window tree is shallow; never loop on a strange server
                if parent in (0, self._root) or window in children:
                    return window
                if parent in children:
                    return parent
                tree = self._tree(conn, parent)
                if tree is None:
                    return wid
                window, parent = parent, tree[0]
            return wid

        return self._run(query)

    def windows_above(
        self, frame: int, area: tuple[int, int, int, int], ours: Iterable[int]
    ) -> list[OtherWindow]:
        """Every viewable window stacked above ``frame`` that overlaps ``area`` (x, y, width,
        height in root coordinates) and is not in ``ours``, bottom to top.

        Only children of the root are looked at (a window manager's frames, override-redirect
        windows); InputOnly windows and windows without area cannot draw and are skipped. If
        ``frame`` is not a child of the root, every window counts as above it.
        """
        mine = set(ours)

        def query(conn: int) -> list[OtherWindow]:
            tree = self._tree(conn, self._root)
            if tree is None:
                return []
            stack = tree[1]
            above = stack[stack.index(frame) + 1 :] if frame in stack else stack
            candidates = [w for w in above if w not in mine]
            # Most windows above are unmapped (hidden popups, selection owners): attributes
            # first, all requests in flight at once; geometry only for the viewable ones.
            cookies = [self._lib.xcb_get_window_attributes(conn, w) for w in candidates]
            viewable: list[tuple[int, bool]] = []
            for w, cookie in zip(candidates, cookies, strict=True):
                found = self._attributes(conn, cookie)
                if found is None:
                    continue  # gone in between
                map_state, window_class, override_redirect = found
                if map_state == _MAP_STATE_VIEWABLE and window_class != _CLASS_INPUT_ONLY:
                    viewable.append((w, override_redirect))
            places = [self._lib.xcb_get_geometry(conn, w) for w, _ in viewable]
            drawn: list[tuple[int, tuple[int, int, int, int], bool]] = []
            for (w, override_redirect), cookie in zip(viewable, places, strict=True):
                place = self._geometry(conn, cookie)
                if place is None or place[2] <= 0 or place[3] <= 0 or not _overlap(place, area):
                    continue
                drawn.append((w, place, override_redirect))
            # The window manager's own popups (openbox's desktop switcher...) are no intruder:
            # windows of the WM's client that hold no application window.
            wm = self._wm_client(conn)
            drawn = [
                d for d in drawn if wm is None or (d[0] & ~self._id_mask) != wm
                or self._holds_client(conn, d[0])
            ]  # fmt: skip
            return [
                OtherWindow(
                    id=w,
                    x=x,
                    y=y,
                    width=width,
                    height=height,
                    override_redirect=override_redirect,
                    name=self._client_name(conn, w),
                )
                for w, (x, y, width, height), override_redirect in drawn
            ]

        return self._run(query)

    def window_manager_present(self) -> bool:
        """A window manager runs: someone owns the ``WM_S<screen>`` selection (ICCCM), or the
        root's ``_NET_SUPPORTING_WM_CHECK`` names a live window that names itself (EWMH)."""

        def query(conn: int) -> bool:
            selection = self._atom(conn, f"WM_S{self._screen}")
            check = self._atom(conn, "_NET_SUPPORTING_WM_CHECK")
            owner_cookie = self._lib.xcb_get_selection_owner(conn, selection)
            check_cookie = self._get_property(conn, self._root, check, _ATOM_WINDOW, 1)
            reply, code = self._reply(conn, "xcb_get_selection_owner", owner_cookie)
            owner = 0
            if not code:
                owner = int(_SelectionOwner.from_address(reply).owner)
                self._libc.free(reply)
            supporting = self._cardinal(conn, check_cookie)
            if owner:
                return True
            if not supporting:
                return False
            itself = self._cardinal(
                conn, self._get_property(conn, supporting, check, _ATOM_WINDOW, 1)
            )
            return itself == supporting

        return self._run(query)

    # -- the actions ---------------------------------------------------------------------------

    def make_sticky(self, wid: int) -> None:
        """Asks the window manager, as a pager would, to put ``wid`` on every desktop
        (``_NET_WM_DESKTOP`` = 0xFFFFFFFF). Without a window manager nothing happens."""

        def send(conn: int) -> None:
            event = _ClientMessage()
            event.response_type = _CLIENT_MESSAGE
            event.format = 32
            event.window = wid
            event.type = self._atom(conn, "_NET_WM_DESKTOP")
            event.data[0] = ALL_DESKTOPS
            event.data[1] = _SOURCE_PAGER
            raw = ctypes.string_at(ctypes.addressof(event), 32)
            mask = _SUBSTRUCTURE_NOTIFY | _SUBSTRUCTURE_REDIRECT
            cookie = self._lib.xcb_send_event_checked(conn, 0, self._root, mask, raw)
            if code := self._checked(conn, cookie):
                log.warning("making 0x%x sticky failed: X error %d", wid, code)

        self._run(send)

    def map(self, wid: int) -> bool:
        """Maps ``wid`` again after someone else unmapped it: the window manager then manages
        it afresh (a MapRequest), as it does any new window; Qt sees a MapNotify."""

        def map_window(conn: int) -> bool:
            if code := self._checked(conn, self._lib.xcb_map_window_checked(conn, wid)):
                log.warning("mapping 0x%x failed: X error %d", wid, code)
                return False
            return True

        return self._run(map_window)

    def focus(self, wid: int) -> bool:
        """Gives ``wid`` the keyboard focus at the X server, as any client may: for when the
        window manager refuses an activation request (a window it has just mapped again)."""

        def set_focus(conn: int) -> bool:
            revert_to_parent, current_time = 2, 0
            cookie = self._lib.xcb_set_input_focus_checked(
                conn, revert_to_parent, wid, current_time
            )
            if code := self._checked(conn, cookie):
                log.warning("focusing 0x%x failed: X error %d", wid, code)
                return False
            return True

        return self._run(set_focus)

    def raise_above_all(self, frame: int) -> None:
        """Restacks ``frame`` (a child of the root) above every sibling, override-redirect
        windows included, until someone restacks again.

        A window manager holds SubstructureRedirect on the root, so a plain restack of its frame
        would only be a request to it, and openbox keeps its windows below override-redirect
        ones. So, under a server grab (atomically for other clients), the frame is made
        override-redirect for the one restack and restored at once.
        """

        def configure(conn: int) -> None:
            found = self._attributes(conn, self._lib.xcb_get_window_attributes(conn, frame))
            if found is None:
                log.info("raising 0x%x: the window is gone", frame)
                return
            toggle = not found[2]
            on, off = (ctypes.c_uint32 * 1)(1), (ctypes.c_uint32 * 1)(0)
            above = (ctypes.c_uint32 * 1)(_STACK_MODE_ABOVE)
            cookies = []
            self._lib.xcb_grab_server(conn)
            try:
                if toggle:
                    cookies.append(self._change_attributes(conn, frame, on))
                cookies.append(
                    self._lib.xcb_configure_window_checked(
                        conn, frame, _CONFIG_WINDOW_STACK_MODE, ctypes.addressof(above)
                    )
                )
                if toggle:
                    cookies.append(self._change_attributes(conn, frame, off))
            finally:
                self._lib.xcb_ungrab_server(conn)
            codes = [self._checked(conn, cookie) for cookie in cookies]
            if any(codes):
                log.info("raising 0x%x failed: X errors %s", frame, codes)

        self._run(configure)

    def _change_attributes(
        self, conn: int, window: int, value: ctypes.Array[ctypes.c_uint32]
    ) -> int:
        return int(
            self._lib.xcb_change_window_attributes_checked(
                conn, window, _CW_OVERRIDE_REDIRECT, ctypes.addressof(value)
            )
        )
