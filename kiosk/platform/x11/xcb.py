"""libxcb through ctypes: the prototypes, the reply structures and the protocol's numbers.

The one binding of the X protocol in the project: ``X11Connection`` and ``VirtualDisplay`` use
it, and so do the test helpers that act as another X client. Loaded once (``library()``); a
missing libxcb is an ``X11Error``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


class X11Error(RuntimeError):
    """The X display cannot be reached (not an X protocol error: those are answers)."""


#: ``_NET_WM_DESKTOP`` of a window that is on every desktop (sticky).
ALL_DESKTOPS = 0xFFFFFFFF

ANY_PROPERTY_TYPE = 0
ATOM_ATOM = 4
ATOM_CARDINAL = 6
ATOM_WINDOW = 33
ATOM_WM_NAME = 39
MAP_STATE_VIEWABLE = 2
CLASS_INPUT_ONLY = 2
CLIENT_MESSAGE = 33
CONFIG_WINDOW_STACK_MODE = 64
CW_OVERRIDE_REDIRECT = 512
STACK_MODE_ABOVE = 0
SUBSTRUCTURE_NOTIFY = 1 << 19
SUBSTRUCTURE_REDIRECT = 1 << 20
PROP_MODE_REPLACE = 0
SOURCE_PAGER = 2  # EWMH source indication: a pager, i.e. the user's own tools
NAME_BYTES = 1024
MAX_DESCENDANTS = 256  # looked at per level when naming a frame by its client


class ScreenIterator(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.POINTER(ctypes.c_uint32)),
        ("rem", ctypes.c_int),
        ("index", ctypes.c_int),
    ]


class AtomReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8),
        ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16),
        ("length", ctypes.c_uint32),
        ("atom", ctypes.c_uint32),
    ]


# -- reply structures (xproto.h) ---------------------------------------------------------------

_u8, _u16, _u32, _i16 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_int16


class GenericError(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("error_code", _u8), ("sequence", _u16),
        ("resource_id", _u32), ("minor_code", _u16), ("major_code", _u8),
    ]  # fmt: skip


class WindowAttributes(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("backing_store", _u8), ("sequence", _u16), ("length", _u32),
        ("visual", _u32), ("window_class", _u16), ("bit_gravity", _u8), ("win_gravity", _u8),
        ("backing_planes", _u32), ("backing_pixel", _u32), ("save_under", _u8),
        ("map_is_installed", _u8), ("map_state", _u8), ("override_redirect", _u8),
        ("colormap", _u32), ("all_event_masks", _u32), ("your_event_mask", _u32),
        ("do_not_propagate_mask", _u16), ("pad0", _u8 * 2),
    ]  # fmt: skip


class Geometry(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("depth", _u8), ("sequence", _u16), ("length", _u32),
        ("root", _u32), ("x", _i16), ("y", _i16), ("width", _u16), ("height", _u16),
        ("border_width", _u16), ("pad0", _u8 * 2),
    ]  # fmt: skip


class Tree(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("pad0", _u8), ("sequence", _u16), ("length", _u32),
        ("root", _u32), ("parent", _u32), ("children_len", _u16), ("pad1", _u8 * 14),
    ]  # fmt: skip


class Property(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("format", _u8), ("sequence", _u16), ("length", _u32),
        ("type", _u32), ("bytes_after", _u32), ("value_len", _u32), ("pad0", _u8 * 12),
    ]  # fmt: skip


class SelectionOwner(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("pad0", _u8), ("sequence", _u16), ("length", _u32),
        ("owner", _u32),
    ]  # fmt: skip


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8), ("format", _u8), ("sequence", _u16), ("window", _u32),
        ("type", _u32), ("data", _u32 * 5),
    ]  # fmt: skip


@functools.cache
def library() -> ctypes.CDLL:
    """libxcb with the prototype of every function the kiosk (and its tests) call."""
    name = ctypes.util.find_library("xcb")
    if name is None:
        raise X11Error("libxcb is missing (package libxcb1)")
    lib = ctypes.CDLL(name)
    vp, u8, u16, u32, uint = (ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16,
                              ctypes.c_uint32, ctypes.c_uint)  # fmt: skip
    err = ctypes.POINTER(ctypes.c_void_p)
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.xcb_connect.restype = vp
    lib.xcb_connection_has_error.argtypes = [vp]
    lib.xcb_disconnect.argtypes = [vp]
    lib.xcb_get_setup.argtypes = [vp]
    lib.xcb_get_setup.restype = vp
    lib.xcb_setup_roots_iterator.argtypes = [vp]
    lib.xcb_setup_roots_iterator.restype = ScreenIterator
    lib.xcb_intern_atom.argtypes = [vp, u8, u16, ctypes.c_char_p]
    lib.xcb_intern_atom.restype = uint
    lib.xcb_screen_next.argtypes = [ctypes.POINTER(ScreenIterator)]
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
        ("xcb_unmap_window_checked", [vp, u32]),
        ("xcb_change_property_checked", [vp, u8, u32, u32, u32, u8, u32, vp]),
        ("xcb_reparent_window_checked", [vp, u32, u32, ctypes.c_int16, ctypes.c_int16]),
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
    lib.xcb_get_property_value_length.argtypes = [vp]
    lib.xcb_get_property_value_length.restype = ctypes.c_int
    return lib


class ResClientIdSpec(ctypes.Structure):
    _fields_ = [("client", _u32), ("mask", _u32)]


class ResClientIdValue(ctypes.Structure):
    _fields_ = [("spec", ResClientIdSpec), ("length", _u32)]


class ResIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class ResClient(ctypes.Structure):
    _fields_ = [("resource_base", _u32), ("resource_mask", _u32)]


RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID = 2


@functools.cache
def res_library() -> ctypes.CDLL | None:
    """libxcb-res (the X-Resource extension: every client of the display and its pid), or None
    where it is not installed."""
    name = ctypes.util.find_library("xcb-res")
    if name is None:
        return None
    res = ctypes.CDLL(name)
    vp, uint = ctypes.c_void_p, ctypes.c_uint
    err = ctypes.POINTER(ctypes.c_void_p)
    res.xcb_res_query_clients.argtypes = [vp]
    res.xcb_res_query_clients.restype = uint
    res.xcb_res_query_clients_reply.argtypes = [vp, uint, err]
    res.xcb_res_query_clients_reply.restype = vp
    res.xcb_res_query_clients_clients.argtypes = [vp]
    res.xcb_res_query_clients_clients.restype = ctypes.POINTER(ResClient)
    res.xcb_res_query_clients_clients_length.argtypes = [vp]
    res.xcb_res_query_clients_clients_length.restype = ctypes.c_int
    res.xcb_res_query_client_ids.argtypes = [vp, ctypes.c_uint32, ctypes.POINTER(ResClientIdSpec)]
    res.xcb_res_query_client_ids.restype = uint
    res.xcb_res_query_client_ids_reply.argtypes = [vp, uint, err]
    res.xcb_res_query_client_ids_reply.restype = vp
    res.xcb_res_query_client_ids_ids_iterator.argtypes = [vp]
    res.xcb_res_query_client_ids_ids_iterator.restype = ResIterator
    res.xcb_res_client_id_value_next.argtypes = [ctypes.POINTER(ResIterator)]
    res.xcb_res_client_id_value_next.restype = None
    res.xcb_res_client_id_value_value.argtypes = [vp]
    res.xcb_res_client_id_value_value.restype = ctypes.POINTER(ctypes.c_uint32)
    return res


@functools.cache
def libc() -> ctypes.CDLL:
    """The C library, for ``free()`` of what libxcb hands back."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free.restype = None
    return libc
