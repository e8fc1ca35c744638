"""The Wayland compositor as the kernel tells it: the peer of a real Unix socket, its program,
its children, read from /proc. A small Python program plays the compositor: it listens on a
socket and launches the probe (and, in one row, another program beside it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detectors.compositor import probe_compositor, socket_path, wlroots_backends
from tests.support.paths import REPO

# Listens where WAYLAND_DISPLAY says, starts what argv names beside the probe, prints the probe.
COMPOSITOR = """
import json, os, socket, subprocess, sys
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(os.path.join(os.environ["XDG_RUNTIME_DIR"], os.environ["WAYLAND_DISPLAY"]))
listener.listen(4)
beside = [subprocess.Popen(word.split()) for word in sys.argv[1:]]
probe = "import dataclasses, json, os; from detectors.compositor import probe_compositor; " \\
        "print(json.dumps(dataclasses.asdict(probe_compositor(os.environ))))"
via = ["sh", "-c", '"$@"; exit $?', "sh"] if os.environ.get("VIA_SHELL") else []
out = subprocess.run([*via, sys.executable, "-c", probe], capture_output=True, text=True,
                     check=True)
for child in beside:
    child.kill()
print(json.dumps({"me": os.getpid(), "beside": [c.pid for c in beside],
                  "fact": json.loads(out.stdout)}))
"""


def run_compositor(tmp_path: Path, *beside: str, via_shell: bool = False) -> dict[str, object]:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-test",
           "WLR_BACKENDS": "headless", "VIA_SHELL": "1" if via_shell else ""}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", COMPOSITOR, *beside], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=30, check=True)  # fmt: skip
    return dict(json.loads(done.stdout))


def test_the_compositor_is_the_sockets_peer_with_its_program_and_environment(
    tmp_path: Path,
) -> None:
    found = run_compositor(tmp_path)
    fact = found["fact"]
    assert isinstance(fact, dict)
    assert fact["unknown"] is None and fact["pid"] == found["me"]
    assert fact["program"] == os.path.realpath(sys.executable)
    assert fact["arguments"][0] == "-c" and fact["backends"] == ["headless"]
    assert fact["launched_us"] is True and fact["others"] == []
    assert fact["socket"] == str(tmp_path / "wayland-test")


def test_a_program_between_the_compositor_and_the_kiosk_is_what_led_to_it(tmp_path: Path) -> None:
    """A session entry's wrapper (a shell that waits for the kiosk, as /usr/bin scripts do)
    stands between cage and the kiosk: cage still launched the kiosk, and the shell is no other
    program."""
    fact = run_compositor(tmp_path, via_shell=True)["fact"]
    assert isinstance(fact, dict)
    assert fact["launched_us"] is True and fact["others"] == []


def test_a_program_it_launched_beside_the_kiosk_is_named(tmp_path: Path) -> None:
    found = run_compositor(tmp_path, "sleep 30")
    fact = found["fact"]
    assert isinstance(fact, dict) and isinstance(found["beside"], list)
    assert fact["others"] == [f"sleep ({found['beside'][0]})"]


def test_a_compositor_that_did_not_launch_the_kiosk_says_so(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", "import socket, sys, time; s = socket.socket(socket.AF_UNIX); "
         "s.bind(sys.argv[1]); s.listen(1); print('up', flush=True); time.sleep(30)",
         str(tmp_path / "wayland-1")], stdout=subprocess.PIPE, text=True,
    ) as server:  # fmt: skip
        try:
            assert server.stdout is not None and server.stdout.readline() == "up\n"
            env = {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-1"}
            fact = probe_compositor(env)
        finally:
            server.kill()
    assert fact is not None and fact.pid == server.pid and not fact.launched_us


def test_no_wayland_display_is_no_compositor_and_a_dead_socket_is_unknown(tmp_path: Path) -> None:
    assert probe_compositor({"XDG_RUNTIME_DIR": str(tmp_path)}) is None
    fact = probe_compositor({"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-9"})
    assert fact is not None and fact.unknown is not None
    assert f"its socket {tmp_path}/wayland-9 does not answer" in fact.unknown


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ({"XDG_RUNTIME_DIR": "/run/u", "WAYLAND_DISPLAY": "wayland-0"}, "/run/u/wayland-0"),
        ({"WAYLAND_DISPLAY": "/tmp/w/sock"}, "/tmp/w/sock"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"XDG_RUNTIME_DIR": "/run/user/5", "WAYLAND_DISPLAY": ""}, None),
    ],
)  # fmt: skip
def test_the_socket_is_where_libwayland_looks(env: dict[str, str], path: str | None) -> None:
    assert socket_path(env) == path


@pytest.mark.parametrize(
    ("env", "backends"),
    [
        ({}, ("drm", "libinput")),
        ({"WLR_BACKENDS": "headless"}, ("headless",)),
        ({"WLR_BACKENDS": "drm, libinput,headless", "WAYLAND_DISPLAY": "w"},
         ("drm", "libinput", "headless")),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ("wayland",)),
        ({"WAYLAND_SOCKET": "7"}, ("wayland",)),
        ({"DISPLAY": ":0"}, ("x11",)),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, ("wayland",)),
    ],
)  # fmt: skip
def test_backends_are_what_wlroots_picks_from_the_compositors_environment(
    env: dict[str, str], backends: tuple[str, ...]
) -> None:
    assert wlroots_backends(env) == backends
