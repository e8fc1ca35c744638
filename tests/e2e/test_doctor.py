"""``kiosk doctor``: one line per check, as the kiosk itself would find things at setup."""

from __future__ import annotations

from pathlib import Path

from tests.support.managed_etc import run_kiosk_managed
from tests.support.process import run_cli
from tests.support.pulse import PrivatePulse


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
    assert (
        table["web engine"][0] == "warning"
        and "QTWEBENGINE_DISABLE_SANDBOX" in table["web engine"][1]
    )
    assert set(table) == {"managed policy", "display", "web engine", "camera", "microphone",
                          "monitors", "keyring", "links"}  # fmt: skip


def test_what_setup_would_refuse_is_a_problem_and_exit_1(face_clip: Path) -> None:
    done = run_cli("doctor", "--camera", "7", "--microphone", "none")
    table = rows(done.stdout)
    assert done.returncode == 1
    assert table["camera"][0] == "problem" and "/dev/video" in table["camera"][1]
    assert table["microphone"] == ("warning", "none configured: exams that listen fail")


def test_a_broken_managed_policy_is_the_one_problem_said(tmp_path: Path) -> None:
    done = run_kiosk_managed(tmp_path, {"policy.toml": "[policy\n"}, "doctor")
    assert done.returncode == 1
    status, detail = rows(done.stdout)["managed policy"]
    assert status == "problem" and "/etc/kiosk/policy.toml: not valid TOML" in detail
