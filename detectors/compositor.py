"""Which Wayland compositor the kiosk is a client of, as the operating system tells it.

A Wayland client cannot lock anything down; a compositor can. The kiosk's own login session
runs it as the one program of ``cage``, a kiosk compositor with no shortcuts, no window
switching and (without ``-s``) no switching to another console. Whether that is what runs here
is read from the kernel, never from what a process says of itself: the compositor is the peer of
the Wayland socket (SO_PEERCRED), its program is ``/proc/PID/exe``, its options its command line,
what it draws on what wlroots makes of its environment, and which programs it launched its
children in ``/proc``. A student's own build of cage, or cage nested in their desktop, or a
second program cage launched beside the kiosk, each shows here; the decision is
policies/platform.py's.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from detectors.processes import ancestors

PROC = Path("/proc")
XWAYLAND = "Xwayland"  # wlroots starts it for X clients; it is the compositor's, not another app


@dataclass(frozen=True)
class CompositorFact:
    socket: str  # the Wayland socket's path
    #: Why nothing more could be learned (no such socket, no peer); None when the rest is known.
    unknown: str | None = None
    pid: int = 0
    program: str = ""  # /proc/PID/exe
    #: The program file and every folder above it belong to root and only root may write them.
    system_program: bool = False
    arguments: tuple[str, ...] = ()  # its command line after the program's name
    #: What wlroots draws on and reads input from, as it decides from the compositor's own
    #: environment: drm and libinput (a real screen), headless, or wayland / x11 (nested in
    #: another desktop).
    backends: tuple[str, ...] = ()
    launched_us: bool = False  # the kiosk descends from it
    #: Other programs it launched (and theirs), besides the kiosk and Xwayland: "name (pid)".
    #: The kiosk's own children count: probed before the web engine starts, it has none of its
    #: own (a wrapper that starts a helper, then becomes the kiosk, leaves that helper here).
    others: tuple[str, ...] = ()


def socket_path(env: Mapping[str, str]) -> str | None:
    """Where a Wayland client of this environment connects (as libwayland resolves it)."""
    display = env.get("WAYLAND_DISPLAY")
    if not display:
        return None
    if display.startswith("/"):
        return display
    runtime = env.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, display) if runtime else None


def probe_compositor(env: Mapping[str, str], me: int | None = None) -> CompositorFact | None:
    """The compositor of ``env``'s Wayland display, or None when it names none."""
    path = socket_path(env)
    if path is None:
        return None
    try:
        pid = peer_pid(path)
    except OSError as exc:
        return CompositorFact(path, unknown=f"its socket {path} does not answer ({exc})")
    try:
        program = os.readlink(PROC / str(pid) / "exe")
        arguments = _cmdline(pid)[1:]
        their_env = _environ(pid)
    except OSError as exc:
        return CompositorFact(path, unknown=f"its process {pid} cannot be read ({exc})")
    parents = _parents()
    mine = os.getpid() if me is None else me
    return CompositorFact(
        socket=path,
        pid=pid,
        program=program,
        system_program=_system_owned(Path(program)),
        arguments=tuple(arguments),
        backends=wlroots_backends(their_env),
        launched_us=pid in ancestors(mine, parents),
        others=tuple(_others(pid, mine, parents)),
    )


def peer_pid(path: str) -> int:
    """The process at the other end of a Unix socket, as the kernel recorded it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2.0)
        sock.connect(path)
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid = int(struct.unpack("3i", creds)[0])
    if pid <= 0:
        raise OSError(f"no peer process for {path}")
    return pid


def wlroots_backends(env: Mapping[str, str]) -> tuple[str, ...]:
    """What wlroots' autocreate picks for a compositor started with ``env``: WLR_BACKENDS when
    set; else nested in the Wayland or X desktop it was started from; else the real hardware."""
    named = env.get("WLR_BACKENDS", "")
    if named.strip():
        return tuple(b.strip() for b in named.split(",") if b.strip())
    if env.get("WAYLAND_DISPLAY") or env.get("WAYLAND_SOCKET"):
        return ("wayland",)
    if env.get("DISPLAY"):
        return ("x11",)
    return ("drm", "libinput")


def _cmdline(pid: int) -> list[str]:
    raw = (PROC / str(pid) / "cmdline").read_bytes()
    return [part.decode(errors="replace") for part in raw.split(b"\0")[:-1]]


def _environ(pid: int) -> dict[str, str]:
    raw = (PROC / str(pid) / "environ").read_bytes()
    pairs = (p.decode(errors="replace").partition("=") for p in raw.split(b"\0") if b"=" in p)
    return {name: value for name, _, value in pairs}


def _system_owned(program: Path) -> bool:
    """Owned by root with no one else able to write it, nor any folder above it."""
    for path in (program, *program.parents):
        try:
            info = path.stat()
        except OSError:
            return False
        if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return True


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc (a process that ends while it is read is skipped)."""
    found: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        found[int(entry.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    return found


def _name(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return "?"


def _is_xwayland(pid: int) -> bool:
    """The system's Xwayland (a program merely named so is another program)."""
    try:
        program = Path(os.readlink(PROC / str(pid) / "exe"))
    except OSError:
        return False
    return program.name == XWAYLAND and _system_owned(program)


def _others(compositor: int, me: int, parents: Mapping[int, int]) -> list[str]:
    """The compositor's descendants that are neither the kiosk (nor the processes that led to
    it) nor Xwayland and its children."""
    between = set(ancestors(me, parents))
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found: list[str] = []
    todo = list(children.get(compositor, []))
    while todo:
        pid = todo.pop()
        if pid != me and _is_xwayland(pid):
            continue
        if pid == me or pid in between:  # the kiosk, or what led to it: what else they started
            todo.extend(children.get(pid, []))
            continue
        found.append(f"{_name(pid)} ({pid})")
        todo.extend(children.get(pid, []))
    return sorted(found)
