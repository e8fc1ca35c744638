"""setup() refuses what cannot be locked down: the platform (4016), the screen capture
(4014, 4017) and extra monitors (4015), each with its real trigger."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names

Start = Callable[..., KioskProcess]


def setup_outcome(server: ReportServer, run: str) -> tuple[dict[str, Any], list[str]]:
    reports = server.wait_for(run, lambda r: any(x["type"] == "steps-done" for x in r))
    result = next(r for r in reports if r["type"] == "result" and r["step"] == "setup")
    return result, event_names(reports)


def run_exam(
    kiosk: Start, server: ReportServer, run: str, tmp_path: Path, cfg: str, options: Any,
    env: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[str], KioskProcess]:  # fmt: skip
    config = tmp_path / f"{run}.toml"
    config.write_text(cfg)
    proc = kiosk(server.exam_url(run, "setup,start", options), "--config", str(config), env=env)
    result, names = setup_outcome(server, run)
    return result, names, proc


OFFSCREEN = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
NOT_REQUIRED = "[policy]\nrequire_lockdown = false\n"


@pytest.mark.parametrize(
    ("cfg", "options", "code"),
    [
        ("", {}, 4016),  # nothing can be locked on offscreen, and policy requires it
        (NOT_REQUIRED, {"trackingOptions": {"captureSwitchedTab": True}}, 4014),
        (NOT_REQUIRED + "force_capture_switched_tab = true\n", {}, 4017),
    ],
    ids=["4016-not-lockable", "4014-only-own-windows", "4017-capture-forced"],
)
def test_offscreen_platform_refuses_setup(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, cfg: str, options: Any,
    code: int,
) -> None:  # fmt: skip
    result, names, proc = run_exam(kiosk, server, run_id, tmp_path, cfg, options, OFFSCREEN)
    assert result["ok"] is False and result["code"] == code, result
    assert f"apErrorEvent:{code}" in names
    assert "apSuccessEvent:2001" not in names
    if code == 4016:
        assert ("lockdown", "refused: cannot be locked down") in [d[:2] for d in proc.decisions()]


def test_without_the_requirement_offscreen_runs_and_says_it_is_not_locked(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    result, _, proc = run_exam(kiosk, server, run_id, tmp_path, NOT_REQUIRED, {}, OFFSCREEN)
    assert result["ok"] is True, result
    reports = server.reports_of(run_id)
    checks = next(r for r in reports if r.get("detail", {}).get("successCode") == 2001)
    locked = checks["detail"]["checks"]["lockdown"]
    assert locked.startswith("not locked down") and "offscreen" in locked
    assert ("lockdown", "not locked down") in [(d[0], d[1]) for d in proc.decisions()]


@pytest.fixture
def extra_monitor() -> Iterator[str]:
    name = "KIOSK-SETUP-EXTRA"
    subprocess.run(["xrandr", "--setmonitor", name, "640/169x800/211+640+0", "none"], check=True)
    try:
        yield name
    finally:
        subprocess.run(["xrandr", "--delmonitor", name], check=True)


def test_an_extra_monitor_blocks_setup_by_default(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, extra_monitor: str,
    display: object,
) -> None:  # fmt: skip
    result, names, _ = run_exam(kiosk, server, run_id, tmp_path, "", {})
    assert result["ok"] is False and result["code"] == 4015, result
    assert names == ["apErrorEvent:4015"]


def test_warn_reports_4015_continues_and_fires_5007_at_start(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, extra_monitor: str,
    display: object,
) -> None:  # fmt: skip
    cfg = '[policy]\nmultiple_monitors = "warn"\n'
    result, _, _ = run_exam(kiosk, server, run_id, tmp_path, cfg, {})
    assert result["ok"] is True, result
    names = server.wait_for(run_id, lambda r: "apEvidenceEvent:5007" in event_names(r))
    names = event_names(names)
    assert names.index("apErrorEvent:4015") < names.index("apSetupComplete")
    assert names.index("apMonitoringStarted") < names.index("apEvidenceEvent:5007")


def test_warn_follows_the_page_turning_detect_multiple_screens_off(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, extra_monitor: str,
    display: object,
) -> None:  # fmt: skip
    cfg = '[policy]\nmultiple_monitors = "warn"\n'
    options = {"trackingOptions": {"detectMultipleScreens": False}}
    result, names, _ = run_exam(kiosk, server, run_id, tmp_path, cfg, options)
    assert result["ok"] is True, result
    assert "apErrorEvent:4015" not in names


def test_an_x11_session_inside_wayland_denies_the_capture_4011(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    # XWayland: the X root window shows only X clients, so the kiosk cannot capture the
    # screen; the login session says which it is (XDG_SESSION_TYPE), as on a real desktop.
    env = {**os.environ, "XDG_SESSION_TYPE": "wayland"}
    options = {"trackingOptions": {"captureSwitchedTab": True}}
    result, names, _ = run_exam(kiosk, server, run_id, tmp_path, NOT_REQUIRED, options, env)
    assert result["ok"] is False and result["code"] == 4011, result
    assert "apErrorEvent:4011" in names


def test_an_x11_session_inside_wayland_cannot_be_locked_down_4016(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    env = {**os.environ, "XDG_SESSION_TYPE": "wayland"}
    result, names, _ = run_exam(kiosk, server, run_id, tmp_path, "", {}, env)
    assert result["ok"] is False and result["code"] == 4016, result
    assert names == ["apErrorEvent:4016"]
