"""What Qt cannot say about the exam window, asked of the X server itself.

Qt believes its own window state: a window another client unmapped, moved to another desktop or
covered with an override-redirect window still ``isVisible()`` and stays the active window. The
X server knows better. ``X11Session`` asks it directly through libxcb on a connection of its
own, never Qt's, opened on ``$DISPLAY``; the application opens one and lends it to whoever
watches or keeps the exam window. X errors are answers; only an unreachable display raises
``X11Error``.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.platform.geometry import overlap
from kiosk.platform.x11 import xcb
from kiosk.platform.x11.connection import X11Connection
from kiosk.platform.x11.xcb import ALL_DESKTOPS, X11Error

log = logging.getLogger("kiosk.x11")

__all__ = ["ALL_DESKTOPS", "OtherWindow", "Placement", "WindowState", "X11Error", "X11Session"]


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
class Placement:
    """Where a client window hangs in the window tree, and whether the window manager has it.

    ``host``: an ancestor below the root that belongs neither to the window's own client nor
    to the window manager (another program reparented the window into its own), or None.
    ``managed``: False when a window manager runs but no longer manages the window (a child of
    the root without ICCCM's WM_STATE, as a window the window manager let go of is left).
    """

    host: int | None
    host_name: str
    managed: bool


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


class X11Session(X11Connection):
    """What the kiosk asks the X server about its window, and what it does there itself.

    Opens on first use (or ``open()``/``with``); ``close()`` releases it. Not thread-safe: use
    it from one thread.
    """

    # -- the queries ---------------------------------------------------------------------------

    def window_state(self, wid: int) -> WindowState:
        """Whether ``wid`` exists, is viewable, and which desktop it and the screen are on."""

        def query(conn: int) -> WindowState:
            cardinal = xcb.ATOM_CARDINAL
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
                viewable=found[0] == xcb.MAP_STATE_VIEWABLE,
                desktop=on,
                current_desktop=now,
            )

        return self._run(query)

    def placement(self, wid: int) -> Placement:
        """Who holds ``wid``: its ancestors' clients, and the window manager's WM_STATE on it."""

        def query(conn: int) -> Placement:
            wm_state = self._atom(conn, "WM_STATE")
            state_cookie = self._get_property(conn, wid, wm_state, wm_state, 0)
            wm = {c for c in (self._wm_client(conn), self._wm_selection_client(conn)) if c}
            ours = wm | {wid & ~self._id_mask}
            host: int | None = None
            tree, depth = self._tree(conn, wid), 0
            while tree is not None and tree[0] not in (0, self._root) and depth < 32:
                if host is None and (tree[0] & ~self._id_mask) not in ours:
                    host = tree[0]
                tree, depth = self._tree(conn, tree[0]), depth + 1
            has_state = self._property(conn, state_cookie) is not None
            on_root = tree is not None and depth == 0
            name = "" if host is None else self._client_name(conn, host)
            return Placement(host, name, managed=not (wm and on_root and not has_state))

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
                if map_state == xcb.MAP_STATE_VIEWABLE and window_class != xcb.CLASS_INPUT_ONLY:
                    viewable.append((w, override_redirect))
            places = [self._lib.xcb_get_geometry(conn, w) for w, _ in viewable]
            drawn: list[tuple[int, tuple[int, int, int, int], bool]] = []
            for (w, override_redirect), cookie in zip(viewable, places, strict=True):
                place = self._geometry(conn, cookie)
                if place is None or place[2] <= 0 or place[3] <= 0 or not overlap(place, area):
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

    def _selection_owner(self, conn: int, name: str) -> int:
        """The window that owns the selection ``name`` (0: nobody)."""
        cookie = self._lib.xcb_get_selection_owner(conn, self._atom(conn, name))
        reply, code = self._reply(conn, "xcb_get_selection_owner", cookie)
        if code:
            return 0
        owner = int(xcb.SelectionOwner.from_address(reply).owner)
        self._libc.free(reply)
        return owner

    def selection_owner(self, name: str) -> int:
        """Who owns a selection (``PRIMARY``, ``CLIPBOARD``, ``XdndSelection``...): 0 for
        nobody. Its owner serves its content to any client that asks."""
        return self._run(lambda conn: self._selection_owner(conn, name))

    def _wm_selection_client(self, conn: int) -> int | None:
        """The client part of the ids of whoever owns ``WM_S<screen>`` (ICCCM's manager)."""
        owner = self._selection_owner(conn, f"WM_S{self._screen}")
        return owner & ~self._id_mask if owner else None

    def window_manager_present(self) -> bool:
        """A window manager runs: someone owns the ``WM_S<screen>`` selection (ICCCM), or the
        root's ``_NET_SUPPORTING_WM_CHECK`` names a live window that names itself (EWMH)."""

        def query(conn: int) -> bool:
            check = self._atom(conn, "_NET_SUPPORTING_WM_CHECK")
            check_cookie = self._get_property(conn, self._root, check, xcb.ATOM_WINDOW, 1)
            if self._wm_selection_client(conn) is not None:
                self._property(conn, check_cookie)  # read (and freed) all the same
                return True
            supporting = self._cardinal(conn, check_cookie)
            if not supporting:
                return False
            itself = self._cardinal(
                conn, self._get_property(conn, supporting, check, xcb.ATOM_WINDOW, 1)
            )
            return itself == supporting

        return self._run(query)

    def active_window(self) -> int | None:
        """The window manager's active window (``_NET_ACTIVE_WINDOW``, EWMH): 0 when it says
        none is, None when no window manager says (the property is not there)."""

        def query(conn: int) -> int | None:
            atom = self._atom(conn, "_NET_ACTIVE_WINDOW")
            any_type = 0  # WINDOW, as EWMH says; a window manager writing CARDINAL is read too
            return self._cardinal(conn, self._get_property(conn, self._root, atom, any_type, 1))

        return self._run(query)

    # -- the actions ---------------------------------------------------------------------------

    def ask_window_manager(self, wid: int, message: str, *data: int | str) -> None:
        """Sends the EWMH client message ``message`` about ``wid`` to the root window, as a pager
        does (atom names in ``data`` are interned). Without a window manager nothing happens."""

        def send(conn: int) -> None:
            event = xcb.ClientMessage()
            event.response_type = xcb.CLIENT_MESSAGE
            event.format = 32
            event.window = wid
            event.type = self._atom(conn, message)
            for i, value in enumerate(data):
                event.data[i] = self._atom(conn, value) if isinstance(value, str) else value
            raw = ctypes.string_at(ctypes.addressof(event), 32)
            mask = xcb.SUBSTRUCTURE_NOTIFY | xcb.SUBSTRUCTURE_REDIRECT
            cookie = self._lib.xcb_send_event_checked(conn, 0, self._root, mask, raw)
            if code := self._checked(conn, cookie):
                log.warning("%s for 0x%x failed: X error %d", message, wid, code)

        self._run(send)

    def make_sticky(self, wid: int) -> None:
        """Asks the window manager to put ``wid`` on every desktop (``_NET_WM_DESKTOP``)."""
        self.ask_window_manager(wid, "_NET_WM_DESKTOP", ALL_DESKTOPS, xcb.SOURCE_PAGER)

    def map(self, wid: int) -> bool:
        """Maps ``wid`` again after someone else unmapped it: the window manager then manages
        it afresh (a MapRequest), as it does any new window; Qt sees a MapNotify."""

        def map_window(conn: int) -> bool:
            if code := self._checked(conn, self._lib.xcb_map_window_checked(conn, wid)):
                log.warning("mapping 0x%x failed: X error %d", wid, code)
                return False
            return True

        return self._run(map_window)

    def put_on_root(self, wid: int, x: int, y: int, fullscreen: bool) -> bool:
        """Takes ``wid`` back from whoever holds it: unmapped, made a child of the root at
        ``x``, ``y`` and mapped again, so the window manager manages it as a new window (a
        MapRequest) and no other program's window contains it. A window manager that let go
        of a window forgets its state: ``fullscreen`` asks for it again, as a new window does
        (``_NET_WM_STATE`` set before mapping, EWMH)."""

        def reparent(conn: int) -> bool:
            cookies = [
                self._lib.xcb_unmap_window_checked(conn, wid),
                self._lib.xcb_reparent_window_checked(conn, wid, self._root, x, y),
            ]
            if fullscreen:
                state = (ctypes.c_uint32 * 1)(self._atom(conn, "_NET_WM_STATE_FULLSCREEN"))
                net_wm_state = self._atom(conn, "_NET_WM_STATE")
                change = self._lib.xcb_change_property_checked
                replace, atom = xcb.PROP_MODE_REPLACE, xcb.ATOM_ATOM
                cookies.append(
                    change(conn, replace, wid, net_wm_state, atom, 32, 1, ctypes.addressof(state))
                )
            cookies.append(self._lib.xcb_map_window_checked(conn, wid))
            codes = [self._checked(conn, cookie) for cookie in cookies]
            if any(codes):
                log.warning("putting 0x%x back on the root failed: X errors %s", wid, codes)
                return False
            return True

        return self._run(reparent)

    def focus(self, wid: int, via_root: bool = False) -> bool:
        """Gives ``wid`` the keyboard focus at the X server, as any client may: for when the
        window manager refuses an activation request (a window it has just mapped again).

        ``via_root``: the focus goes to the root first. A window manager that believes ``wid``
        focused already ignores both an activation and a focus that changes nothing, and keeps
        saying another window is active; a focus that leaves and comes back it hears of."""

        def set_focus(conn: int) -> bool:
            revert_to_parent, current_time, pointer_root = 2, 0, 1
            targets = [pointer_root, wid] if via_root else [wid]
            cookies = [
                self._lib.xcb_set_input_focus_checked(conn, revert_to_parent, w, current_time)
                for w in targets
            ]
            if codes := [c for c in (self._checked(conn, k) for k in cookies) if c]:
                log.warning("focusing 0x%x failed: X errors %s", wid, codes)
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
            above = (ctypes.c_uint32 * 1)(xcb.STACK_MODE_ABOVE)
            cookies = []
            self._lib.xcb_grab_server(conn)
            try:
                if toggle:
                    cookies.append(self._change_attributes(conn, frame, on))
                cookies.append(
                    self._lib.xcb_configure_window_checked(
                        conn, frame, xcb.CONFIG_WINDOW_STACK_MODE, ctypes.addressof(above)
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
                conn, window, xcb.CW_OVERRIDE_REDIRECT, ctypes.addressof(value)
            )
        )
