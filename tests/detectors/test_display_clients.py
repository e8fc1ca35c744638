"""The display's clients as the suite's own X server (Xvfb, with openbox) lists them."""

from __future__ import annotations

import os
import subprocess
import time

from detectors.base import Observation
from detectors.display_clients import (
    DisplayClientsConnected,
    DisplayClientWatcher,
    read_display_clients,
)
from kiosk.platform.x11.connection import X11Connection


def test_every_client_is_listed_with_its_process() -> None:
    with X11Connection() as connection:
        clients = read_display_clients(connection)
    assert clients is not None
    assert os.getpid() in {c.pid for c in clients}  # this very connection
    assert any("openbox" in c.names for c in clients)


def test_the_watcher_publishes_a_client_that_connected_and_stayed_once() -> None:
    seen: list[Observation] = []
    watcher = DisplayClientWatcher(seen.append)
    watcher.begin()
    try:
        assert watcher.look() == []
        with subprocess.Popen(["xdotool", "sleep", "20"]) as client:
            try:
                deadline = time.monotonic() + 10
                while not seen:
                    assert time.monotonic() < deadline, "xdotool never showed as a client"
                    watcher.look()
                    time.sleep(0.05)
            finally:
                client.kill()
    finally:
        watcher.stop()
    assert all(isinstance(o, DisplayClientsConnected) for o in seen)
    found = [c for o in seen if isinstance(o, DisplayClientsConnected) for c in o.clients]
    assert [(c.pid, c.names[0]) for c in found if c.pid == client.pid] == [(client.pid, "xdotool")]


def test_a_client_that_came_and_went_between_two_looks_is_not_published() -> None:
    seen: list[Observation] = []
    watcher = DisplayClientWatcher(seen.append)
    watcher.begin()
    try:
        with subprocess.Popen(["xdotool", "sleep", "20"]) as client:
            try:
                deadline = time.monotonic() + 10
                while not watcher._once:  # the look that saw it first, and only it
                    assert time.monotonic() < deadline, "xdotool never showed as a client"
                    watcher.look()
            finally:
                client.kill()
                client.wait()
        gone = time.monotonic() + 10
        with X11Connection() as connection:  # the X server lets go of it soon after it died
            while client.pid in {c.pid for c in read_display_clients(connection) or []}:
                assert time.monotonic() < gone
                time.sleep(0.05)
        assert watcher.look() == [] and not watcher._once
    finally:
        watcher.stop()
    assert seen == []
