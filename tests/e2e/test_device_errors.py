"""Device and permission errors, each from a real trigger, through the real kiosk process."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names, events
from tests.support.xdo import wait_active, xdotool

Start = Callable[..., KioskProcess]


def results(reports: list[dict]) -> list[dict]:
    return [r for r in reports if r["type"] == "result"]


def config(tmp_path: Path, text: str = "[proctoring]\nask_consent = false\n") -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return str(path)


def run_setup(
    kiosk: Start,
    server: ReportServer,
    run_id: str,
    options: dict,
    *args: str,
    env: dict[str, str] | None = None,
) -> tuple[KioskProcess, list[dict]]:
    proc = kiosk(server.exam_url(run_id, "setup", {"trackingOptions": options}), *args, env=env)
    reports = server.wait_for(run_id, lambda r: any(x["type"] == "steps-done" for x in r))
    return proc, reports


@pytest.mark.parametrize(
    ("options", "args", "code", "reason"),
    [
        ({"numHumans": True}, ("--camera", "none"), 4010, None),
        ({"audio": True}, ("--microphone", "none"), 4009, None),
        ({"photosAtRandom": True}, ("--camera", "none"), 4010, None),
    ],
)
def test_a_computer_without_the_device_rejects_setup(
    kiosk: Start,
    server: ReportServer,
    run_id: str,
    tmp_path: Path,
    options: dict,
    args: tuple[str, ...],
    code: int,
    reason: str | None,
) -> None:
    proc, reports = run_setup(kiosk, server, run_id, options, *args, "--config", config(tmp_path))
    assert event_names(reports) == [f"apErrorEvent:{code}"]
    assert results(reports)[0]["ok"] is False
    assert results(reports)[0]["code"] == code
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    recorded, meta = proc.record()
    assert [e["code"] for e in recorded] == [code]
    assert meta["ended"].startswith("signal 15 while idle")


def test_a_video_source_that_is_not_a_video_is_not_readable_and_setup_can_be_retried(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a video at all" * 10)
    proc = kiosk(
        server.exam_url(run_id, "setup,setup", {"trackingOptions": {"numHumans": True}}),
        "--camera", str(clip), "--config", config(tmp_path),
    )  # fmt: skip
    reports = server.wait_for(run_id, lambda r: any(x["type"] == "steps-done" for x in r))
    errors = [r["detail"] for r in events(reports) if r["name"] == "apErrorEvent"]
    assert [(e["errorCode"], e["reason"]) for e in errors] == [(4008, "not_readable")] * 2
    assert [r["code"] for r in results(reports)] == [4008, 4008]  # retried, same answer
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_a_video_source_removed_before_setup_is_not_found(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"placeholder")
    proc = kiosk(
        server.exam_url(run_id, "sleep1500,setup", {"trackingOptions": {"numHumans": True}}),
        "--camera", str(clip), "--config", config(tmp_path),
    )  # fmt: skip
    server.wait_for(run_id, lambda r: any(x["type"] == "info" for x in r))
    clip.unlink()  # the camera goes away between launch and setup
    reports = server.wait_for(run_id, lambda r: any(x["type"] == "steps-done" for x in r))
    detail = events(reports)[0]["detail"]
    assert (detail["errorCode"], detail["reason"]) == (4008, "not_found")
    assert results(reports)[0]["code"] == 4008
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_a_missing_face_model_is_error_4005_not_a_crash(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, face_clip: Path
) -> None:
    cfg = config(
        tmp_path, "[proctoring]\nask_consent = false\nface_model = '/nonexistent/model.tflite'\n"
    )
    proc, reports = run_setup(
        kiosk, server, run_id, {"numHumans": True}, "--camera", str(face_clip), "--config", cfg
    )
    names = event_names(reports)
    assert names[-1] == "apErrorEvent:4005", names
    assert "model" in events(reports)[-1]["detail"]["cause"]
    assert results(reports)[0]["code"] == 4005
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_a_user_who_never_set_anything_up_finds_the_face_model(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, face_clip: Path
) -> None:
    """An administrator set the kiosk up; a student's first run, with a home of their own and
    nothing in their cache, still has the model (the checkout's shared one), not 4005."""
    home = tmp_path / "student"
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_MODEL_DIR"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    proc, reports = run_setup(
        kiosk, server, run_id, {"numHumans": True}, "--camera", str(face_clip),
        "--config", config(tmp_path), env=env,
    )  # fmt: skip
    assert "apSetupComplete" in event_names(reports), event_names(reports)
    assert not (home / ".cache" / "kiosk" / "models").exists()
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0


@pytest.mark.parametrize(("key", "allowed"), [("Escape", False), ("alt+a", True)])
def test_the_consent_screen_decides(
    kiosk: Start,
    server: ReportServer,
    run_id: str,
    tmp_path: Path,
    face_clip: Path,
    display: object,
    key: str,
    allowed: bool,
) -> None:
    proc = kiosk(
        server.exam_url(run_id, "setup", {"trackingOptions": {"numHumans": True}}),
        "--camera", str(face_clip),
    )  # fmt: skip
    wait_active("kiosk: consent", timeout=20)  # modal: it takes the focus from the exam
    xdotool("key", key)
    reports = server.wait_for(run_id, lambda r: any(x["type"] == "steps-done" for x in r))
    result = results(reports)[0]
    if allowed:
        assert result["ok"] is True, result
        assert event_names(reports)[:3] == [
            "apSuccessEvent:2001",
            "apSuccessEvent:2002",
            "apSuccessEvent:2003",
        ]
        assert events(reports)[0]["detail"]["checks"]["camera"] == "granted"
    else:
        assert (result["ok"], result["code"]) == (False, 4004)
        assert event_names(reports) == ["apErrorEvent:4004"]
        assert "declined" in events(reports)[0]["detail"]["cause"]
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def test_a_camera_lost_during_the_exam_is_a_violation_and_comes_back(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, face_clip: Path
) -> None:
    clip = tmp_path / "camera.mp4"
    clip.write_bytes(face_clip.read_bytes())  # 4 s, looping: reopened at each loop
    proc = kiosk(
        server.exam_url(run_id, "setup,start", {"trackingOptions": {"numHumans": True}}),
        "--camera", str(clip), "--config", config(tmp_path),
    )  # fmt: skip
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    hidden = tmp_path / "unplugged.mp4"
    clip.rename(hidden)  # the camera is unplugged
    lost = server.wait_for(run_id, lambda r: "apErrorEvent:4008" in event_names(r))
    detail = next(r["detail"] for r in events(lost) if r["name"] == "apErrorEvent")
    assert (detail["reason"], detail["duringMonitoring"]) == ("not_readable", True)
    hidden.rename(clip)  # and plugged back in
    back = server.wait_for(run_id, lambda r: event_names(r).count("apSuccessEvent:2003") == 2)
    assert events(back)[-1]["detail"]["recovered"] == "camera"
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    recorded, _ = proc.record()
    stopped = recorded[-1]["detail"]
    lost_episodes = [v for v in stopped["violations"] if v["evidenceCode"] == 4008]
    assert len(lost_episodes) == 1 and lost_episodes[0]["seconds"] > 0
    assert stopped["penalties"]["4008"] > 0
