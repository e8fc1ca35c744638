"""``kiosk doctor``: one line per check, as the kiosk itself would find things at setup."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.support.managed_etc import run_kiosk_managed
from tests.support.paths import REPO
from tests.support.process import kiosk_command, run_cli
from tests.support.pulse import PrivatePulse
from tests.support.strict import trouble_in
from tests.support.xdo import window_named, xdotool


def wait_connected(pid: int, timeout: float = 10) -> None:
    """Until the X server lists a client of process ``pid``."""
    from kiosk.platform.x11.connection import X11Connection

    deadline = time.monotonic() + timeout
    with X11Connection() as x:
        while pid not in {p for _, p in x.display_clients() or []}:
            assert time.monotonic() < deadline, f"pid {pid} never connected to the display"
            time.sleep(0.05)


def rows(out: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in out.splitlines():
        name, rest = line[:16].strip(), line[16:].split(None, 1)
        found[name] = (rest[0], rest[1] if len(rest) > 1 else "")
    return found


def test_a_ready_computer_is_all_ok_or_said_why_not(face_clip: Path, pulse: PrivatePulse) -> None:
    done = run_cli("doctor", "--camera", str(face_clip), env=pulse.env)
    table = rows(done.stdout)
    assert done.returncode == 0, done.stdout
    assert table["managed policy"] == ("ok", "none (nothing locked)")
    assert table["display"][0] == "ok" and "with a window manager" in table["display"][1]
    assert table["camera"][0] == "ok" and str(face_clip) in table["camera"][1]
    assert table["microphone"][0] == "ok", table["microphone"]
    assert table["monitors"] == ("ok", "one")
    # As root the suite runs with the sandbox off: allowed on a test machine, and said so.
    engine, said = table["web engine"]
    if os.geteuid() == 0:
        assert engine == "warning" and "QTWEBENGINE_DISABLE_SANDBOX=1" in said
    else:
        assert engine == "ok"
    assert table["programs"] == ("ok", "no remote session, nothing prohibited running")
    # a virtual machine (CI's is one) is let through on a test machine, and said so
    assert table["computer"][0] in ("ok", "warning"), table["computer"]
    assert table["accessibility"] == (
        "ok",
        "high contrast off (the desktop does not ask for "
        "it), reduced motion off (the desktop does not ask for it)",
    )
    # the window manager is a helper; this suite's own Qt process may be on the display too
    clients = table["display clients"]
    assert clients[0] in ("ok", "warning"), clients
    if clients[0] == "ok":
        assert "openbox (window manager)" in clients[1], clients
    else:
        assert clients[1].startswith("listed at setup: ") and "openbox" not in clients[1]
    assert set(table) == {"managed policy", "display", "web engine", "camera", "microphone",
                          "monitors", "keyring", "links", "accessibility", "computer",
                          "programs", "display clients"}  # fmt: skip


def test_a_program_on_the_display_is_named_and_block_makes_it_a_problem(
    program: Any, tmp_path: Path
) -> None:
    client = program("spyware", on_display=True)
    wait_connected(client.pid)
    done = run_cli("doctor", "--camera", "none", "--microphone", "none")
    status, said = rows(done.stdout)["display clients"]
    assert status == "warning" and said.startswith("listed at setup: "), said
    assert f"spyware (pid {client.pid})" in said and said.count("spyware") == 1, said
    config = tmp_path / "block.toml"
    config.write_text('[computer]\nunknown_display_clients = "block"\n')
    done = run_cli("doctor", "--config", str(config), "--camera", "none", "--microphone", "none")
    assert done.returncode == 1
    status, said = rows(done.stdout)["display clients"]
    assert status == "problem" and f"spyware (pid {client.pid})" in said and "(4104)" in said


def test_the_desktops_accessibility_settings_are_said(tmp_path: Path) -> None:
    desktop = {**os.environ, "GSETTINGS_BACKEND": "keyfile", "XDG_CONFIG_HOME": str(tmp_path)}
    subprocess.run(["gsettings", "set", "org.gnome.desktop.a11y.interface", "high-contrast",
                    "true"], env=desktop, check=True)  # fmt: skip
    done = run_cli("doctor", "--camera", "none", "--microphone", "none", env=desktop)
    assert rows(done.stdout)["accessibility"] == (
        "ok", "high contrast on (the desktop asks for it), reduced motion off (the desktop does "
        "not ask for it)",
    )  # fmt: skip


def test_what_setup_would_refuse_is_a_problem_and_exit_1(face_clip: Path) -> None:
    done = run_cli("doctor", "--camera", "7", "--microphone", "none")
    table = rows(done.stdout)
    assert done.returncode == 1
    assert table["camera"][0] == "problem" and "/dev/video" in table["camera"][1]
    assert table["microphone"] == ("warning", "none configured: exams that listen fail")


def test_a_program_setup_would_refuse_is_named_and_warn_makes_it_a_warning(
    program: Any, tmp_path: Path
) -> None:
    vnc = program("anydesk")
    done = run_cli("doctor", "--camera", "none", "--microphone", "none")
    assert done.returncode == 1
    assert rows(done.stdout)["programs"] == (
        "problem", f"a remote session: anydesk (pid {vnc.pid}, remote control) (4102)"
    )  # fmt: skip
    config = tmp_path / "warn.toml"
    config.write_text('[computer]\nremote_session = "warn"\n')
    done = run_cli("doctor", "--config", str(config), "--camera", "none", "--microphone", "none")
    assert rows(done.stdout)["programs"] == (
        "warning", "reported once the exam starts: anydesk (remote control)"
    )  # fmt: skip


def test_a_broken_managed_policy_is_the_one_problem_said(tmp_path: Path) -> None:
    done = run_kiosk_managed(tmp_path, {"policy.toml": "[policy\n"}, "doctor")
    assert done.returncode == 1
    status, detail = rows(done.stdout)["managed policy"]
    assert status == "problem" and "/etc/kiosk/policy.toml: not valid TOML" in detail


def test_the_gui_shows_the_same_and_closes_with_escape(face_clip: Path) -> None:
    proc = subprocess.Popen(
        kiosk_command("doctor", "--gui", "--camera", str(face_clip), "--microphone", "none"),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        window = window_named("^kiosk doctor$", timeout=30)
        xdotool("windowactivate", "--sync", window)
        xdotool("key", "Escape")
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert not trouble_in(err), err
    assert proc.returncode == 0, err
    assert rows(out)["camera"][0] == "ok"
