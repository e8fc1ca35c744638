"""A screen reader's view of the kiosk: the real AT-SPI accessibility bus in a private D-Bus
session, and a client that reads and operates what the kiosk shows through it.

``AccessibilityBus`` starts a session bus of its own, at-spi2-core's bus launcher on it (which
starts the accessibility bus and, on demand, the registry), and then does what Orca does when it
starts: sets ``org.a11y.Status.ScreenReaderEnabled``. A program started with ``env`` finds a
screen reader running and exposes its widgets and web pages on the accessibility bus; ``apps()``
are its roots, read with the same D-Bus calls Orca makes (``GetChildren``, ``GetRoleName``,
``GetText``, ``DoAction``, ``SetTextContents``), sent with jeepney.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, Properties, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
ACCESSIBLE = "org.a11y.atspi.Accessible"
REGISTRY = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")


class AccessibilityBus:
    def __init__(self, runtime: Path) -> None:
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._procs: list[subprocess.Popen[bytes]] = []
        daemon = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._procs.append(daemon)
        assert daemon.stdout is not None
        address = daemon.stdout.readline().decode().strip()
        assert address, "dbus-daemon printed no address"
        #: What a program needs in its environment to find this session (and the screen reader).
        self.env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address,
                    "XDG_RUNTIME_DIR": str(runtime)}  # fmt: skip
        self._session = open_dbus_connection(bus=address)
        launcher = subprocess.Popen(
            [LAUNCHER, "--launch-immediately"], env=self.env, stderr=subprocess.DEVNULL
        )
        self._procs.append(launcher)
        status = DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Status")
        bus = DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus")
        reply = until(lambda: self._call(Properties(status).set("ScreenReaderEnabled", "b", True)))
        assert reply.header.message_type is MessageType.method_return, reply.body
        self.address = self._call(new_method_call(bus, "GetAddress")).body[0]
        self.a11y: DBusConnection = open_dbus_connection(bus=self.address)

    def _call(self, message: Any) -> Any:
        reply = self._session.send_and_get_reply(message, timeout=5)
        if reply.header.message_type is MessageType.error:
            return None
        return reply

    def apps(self) -> list[Node]:
        """The programs on the accessibility bus, as a screen reader lists them."""
        return Node(self, *REGISTRY).children()

    def app_showing(self, role: str, name: str, timeout: float = 20) -> Node:
        """The first object with ``role`` and ``name`` in any program's tree, once there is one."""
        try:
            return until(lambda: next((n for a in self.apps() for n in a.find(role, name)), None),
                         timeout)  # fmt: skip
        except AssertionError:
            tree = self.dump()
            raise AssertionError(f"no {role} {name!r} on the accessibility bus:\n{tree}") from None

    def dump(self) -> str:
        """Every program's tree, a line per object: what a screen reader could reach."""
        return "\n".join(f"{'  ' * depth}{n.role} {n.name!r}"
                         for app in self.apps() for depth, n in app.walk())  # fmt: skip

    def close(self) -> None:
        for conn in (self.a11y, self._session):
            conn.close()
        for proc in reversed(self._procs):  # the launcher first: it tidies its X property up
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


@dataclass(frozen=True)
class Node:
    """One accessible object: a widget, a dialog, a web page's element."""

    bus: AccessibilityBus
    owner: str
    path: str

    def _call(self, method: str, signature: str | None = None, *args: Any,
              interface: str = ACCESSIBLE) -> Any:  # fmt: skip
        address = DBusAddress(self.path, self.owner, interface)
        message = new_method_call(address, method, signature, args)
        reply = self.bus.a11y.send_and_get_reply(message, timeout=5)
        assert reply.header.message_type is MessageType.method_return, (method, reply.body)
        return reply.body

    @property
    def name(self) -> str:
        address = DBusAddress(self.path, self.owner, ACCESSIBLE)
        reply = self.bus.a11y.send_and_get_reply(Properties(address).get("Name"), timeout=5)
        answered = reply.header.message_type is MessageType.method_return
        return str(reply.body[0][1]) if answered else ""

    @property
    def role(self) -> str:
        return str(self._call("GetRoleName")[0])

    def children(self) -> list[Node]:
        return [Node(self.bus, owner, path) for owner, path in self._call("GetChildren")[0]]

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        yield depth, self
        if depth < 40:
            for child in self.children():
                yield from child.walk(depth + 1)

    def find(self, role: str, name: str = "") -> list[Node]:
        """Objects below (and including) this one with ``role`` whose name contains ``name``."""
        try:
            return [n for _, n in self.walk() if n.role == role and name in n.name]
        except AssertionError:  # the tree changed while it was read: the caller looks again
            return []

    def text(self) -> str:
        """What a screen reader reads out of a text object (a label, a paragraph, a field)."""
        return str(self._call("GetText", "ii", 0, -1, interface="org.a11y.atspi.Text")[0])

    def all_text(self) -> str:
        """The names and texts of everything below, in reading order."""
        said = []
        for _, node in self.walk():
            said.append(node.name)
            with contextlib.suppress(AssertionError):  # no Text interface
                said.append(node.text())
        return "\n".join(s for s in said if s)

    def actions(self) -> list[str]:
        listed = self._call("GetActions", interface="org.a11y.atspi.Action")[0]
        return [str(name) for name, _description, _keys in listed]

    def do(self, action: str) -> None:
        """Performs the named action (``Press``, ``click``...) as a screen reader's user would."""
        names = self.actions()
        assert action in names, f"{self.role} {self.name!r} has the actions {names}"
        done = self._call("DoAction", "i", names.index(action), interface="org.a11y.atspi.Action")
        assert done[0], f"{action} on {self.role} {self.name!r} was refused"

    def type_in(self, text: str) -> None:
        """Puts ``text`` into an editable field, as a braille display or dictation would."""
        done = self._call("SetTextContents", "s", text, interface="org.a11y.atspi.EditableText")
        assert done[0], f"{self.role} {self.name!r} refused the text"


def until(get: Callable[[], Any], timeout: float = 10, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (got := get()):
        assert time.monotonic() < deadline, what or "timed out"
        time.sleep(0.1)
    return got
