"""The programs connected to the exam's X display, as the X server itself lists them.

Every X client can read the screen's pixels and inject input (XTEST); X11 cannot stop either.
It can name them: the X-Resource extension gives each client's pid, and the process behind it
says what it is. A client without a local process came over the network. Which are helpers
(the window manager, an input method, a screen reader) is policies/display_clients.py's to say.
The watcher looks every ``interval`` seconds on a connection of its own and publishes the
clients that connected since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from detectors.base import Observation, Publish
from detectors.periodic import Periodic
from detectors.processes import RunningProcess, read_process
from kiosk.platform.x11.connection import X11Connection
from kiosk.platform.x11.xcb import X11Error

INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class DisplayClient:
    base: int  # the X server's name for the client: the base of its resource ids
    process: RunningProcess | None  # None: no local process (over the network), or it ended

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def names(self) -> tuple[str, ...]:
        return () if self.process is None else self.process.names

    def as_detail(self) -> dict[str, object]:
        if self.process is None:
            return {"client": hex(self.base), "name": "a client with no local process"}
        return {"client": hex(self.base), **self.process.as_detail()}


@dataclass(frozen=True)
class DisplayClientsConnected(Observation):
    clients: tuple[DisplayClient, ...]


def read_display_clients(connection: X11Connection) -> list[DisplayClient] | None:
    """Every client of the display now (None: the server has no X-Resource)."""
    listed = connection.display_clients()
    if listed is None:
        return None
    return [DisplayClient(base, None if pid is None else read_process(pid)) for base, pid in listed]


class DisplayClientWatcher(Periodic):
    """Publishes ``DisplayClientsConnected`` for the clients that connected and stayed: seen
    at two looks in a row (a client is known by its base and its process: a base the server
    reuses is a new one). A client that stays is one that can watch the exam; one that came and
    went between two looks is gone before anything could be done, and would make the evidence a
    matter of luck."""

    def __init__(
        self, publish: Publish, display: str | None = None, interval: float = INTERVAL_SECONDS
    ) -> None:
        super().__init__("kiosk-display-clients", interval)
        self._publish = publish
        self._display = display
        self._connection: X11Connection | None = None
        self._seen: set[tuple[int, int | None, int | None]] = set()
        self._once: set[tuple[int, int | None, int | None]] = set()  # seen at the last look only

    @staticmethod
    def _key(client: DisplayClient) -> tuple[int, int | None, int | None]:
        return (client.base, client.pid, None if client.process is None else client.process.start)

    def begin(self) -> None:
        self._connection = X11Connection(self._display)
        self._seen = {self._key(c) for c in self._clients()}
        self._once = set()

    def _clients(self) -> list[DisplayClient]:
        if self._connection is None:
            return []
        try:
            return read_display_clients(self._connection) or []
        except X11Error:  # the display went away: the kiosk hears of that elsewhere
            return []

    def tick(self) -> None:
        self.look()

    def look(self) -> list[DisplayClient]:
        now = self._clients()
        keys = {self._key(c) for c in now}
        stayed = [c for c in now if self._key(c) in self._once]
        self._once = keys - self._seen - {self._key(c) for c in stayed}
        self._seen = keys - self._once
        if stayed:
            self._publish(DisplayClientsConnected(time.time(), tuple(stayed)))
        return stayed

    def stop(self) -> None:
        super().stop()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
