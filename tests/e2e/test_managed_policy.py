"""A school's managed policy at /etc/kiosk, read where the installed kiosk reads it.

Each test runs the real ``kiosk`` in a private mount namespace whose /etc has the test's own
/etc/kiosk laid over it (tests/support/managed_etc.py): the kiosk's fixed location, reached as
an administrator would fill it, with no switch a student could use.
"""

from __future__ import annotations

import json
import os
import plistlib
import signal
from pathlib import Path

from tests.support.managed_etc import finished, run_kiosk_managed, start_kiosk_managed
from tests.support.server import ReportServer, event_names

SCHOOL = """# the school's lockdown
[devices]
camera = "none"
microphone = "none"

[policy]
allow_zoom = false
clipboard = "block"
"""


def shown(done: object) -> dict[str, dict[str, object]]:
    assert getattr(done, "returncode", None) == 0, getattr(done, "stderr", "")
    return {row["key"]: row for row in json.loads(done.stdout)}  # type: ignore[attr-defined]


def test_config_show_says_what_the_managed_policy_sets_and_locks(tmp_path: Path) -> None:
    own = tmp_path / "mine.toml"
    own.write_text("[policy]\nallow_zoom = true\ncontext_menu = true\n")
    files = {"policy.toml": SCHOOL, "policy.d/50-reload.toml": "[policy]\nallow_reload = true\n"}
    rows = shown(run_kiosk_managed(tmp_path, files, "config", "show", "--config", str(own),
                                   "--json"))  # fmt: skip
    assert rows["policy.allow_zoom"] == {
        "key": "policy.allow_zoom", "value": False, "source": "managed", "locked": True
    }  # fmt: skip
    assert (rows["policy.allow_reload"]["source"], rows["policy.allow_reload"]["value"]) == (
        "managed", True
    )  # fmt: skip
    assert (rows["policy.context_menu"]["source"], rows["policy.context_menu"]["locked"]) == (
        "file", False
    )  # fmt: skip
    assert rows["devices.camera"]["value"] == "none"
    text = run_kiosk_managed(tmp_path / "t", {"policy.toml": SCHOOL}, "config", "show")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("managed policy: /etc/kiosk/policy.toml\n")
    assert any(
        line.split()[:2] == ["policy.clipboard", "managed"] for line in text.stdout.splitlines()
    )


def test_an_exams_own_configuration_cannot_change_a_locked_key(tmp_path: Path) -> None:
    seb = tmp_path / "exam.seb"
    seb.write_bytes(plistlib.dumps({
        "startURL": "http://127.0.0.1:9/exam", "allowQuit": True, "enableRightMouse": True,
    }))  # fmt: skip
    policy = SCHOOL + "context_menu = false\n"
    rows = shown(run_kiosk_managed(tmp_path, {"policy.toml": policy}, "config", "show",
                                   str(seb), "--json"))  # fmt: skip
    assert (rows["policy.context_menu"]["value"], rows["policy.context_menu"]["source"]) == (
        False, "managed"
    )  # fmt: skip
    assert rows["session.autostart"]["source"] == "seb"  # what the exam sets and nobody locked


def test_a_command_line_option_against_the_policy_is_refused(tmp_path: Path) -> None:
    done = run_kiosk_managed(
        tmp_path, {"policy.toml": SCHOOL}, "run", "http://127.0.0.1:9/exam", "--camera", "0"
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "kiosk: error: --camera: locked by the managed policy (/etc/kiosk/policy.toml)"
    )


def test_a_broken_policy_stops_the_kiosk(tmp_path: Path) -> None:
    done = run_kiosk_managed(
        tmp_path, {"policy.d/10-school.toml": "[policy]\nallow_zoom = 'no'\n"},
        "run", "http://127.0.0.1:9/exam",
    )  # fmt: skip
    assert done.returncode == 2
    assert "managed policy /etc/kiosk/policy.d/10-school.toml" in done.stderr
    assert "policy.allow_zoom" in done.stderr


def test_without_the_allowance_nothing_lets_an_unsafe_engine_setting_through(
    tmp_path: Path,
) -> None:
    """What the package ships: KIOSK_TEST_ALLOW_UNSAFE_ENGINE=1 and a disabled sandbox (the
    suite's own environment as root) are refused, as on a school's computer."""
    env = {**os.environ, "KIOSK_TEST_ALLOW_UNSAFE_ENGINE": "1",
           "QTWEBENGINE_CHROMIUM_FLAGS": "--remote-debugging-port=9222"}  # fmt: skip
    done = run_kiosk_managed(
        tmp_path, {"policy.toml": "[engine]\nunsafe_engine_allowance = false\n"},
        "run", "http://127.0.0.1:9/exam", env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--remote-debugging-port=9222" in done.stderr
    assert "managed policy allows none" in done.stderr


def test_a_run_follows_the_managed_policy(
    tmp_path: Path, server: ReportServer, run_id: str
) -> None:
    """The policy starts the session by itself on a page without the API."""
    proc = start_kiosk_managed(
        tmp_path, {"policy.toml": "[session]\nautostart = true\n[devices]\ncamera = 'none'\n"
                   "microphone = 'none'\n"},
        "run", server.url(f"plain.html?run={run_id}"), "--data-dir", str(tmp_path / "data"),
    )  # fmt: skip
    try:
        server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r), timeout=40)
    finally:
        proc.send_signal(signal.SIGTERM)
        done = finished(proc)
    assert done.returncode == 0, done.stderr
    assert event_names(server.reports_of(run_id))[-1] == "apMonitoringStopped"
