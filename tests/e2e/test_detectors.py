"""The on-device detectors end to end: a real clip and a real WAV through the real kiosk."""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import SCENE, SPEECH
from tests.support.process import KioskProcess
from tests.support.server import ReportServer, event_names, events

Start = Callable[..., KioskProcess]

OPTIONS = {
    "trackingOptions": {
        "numHumans": True,
        "audio": True,
        "photosAtRandom": True,
        "numPhotosAtRandom": 2,
        "testTakerPhoto": True,
    },
    "testDuration": 0.3,  # minutes: the two random photos fall within the 18 s observed
}
OBSERVED_S = 22.0


def test_the_scene_gives_exactly_the_expected_evidence(
    kiosk: Start,
    server: ReportServer,
    run_id: str,
    tmp_path: Path,
    scene_clip: Path,
    scene_wav: Path,
) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[proctoring]\nask_consent = false\n")
    proc = kiosk(
        server.exam_url(run_id, f"setup,start,sleep{int(OBSERVED_S * 1000)},stop", OPTIONS),
        "--camera", str(scene_clip), "--microphone", str(scene_wav), "--config", str(cfg),
    )  # fmt: skip
    reports = server.wait_for(
        run_id, lambda r: any(x["type"] == "steps-done" for x in r), timeout=OBSERVED_S + 30
    )
    names = event_names(reports)
    assert names[:6] == [
        "apSuccessEvent:2001",
        "apSuccessEvent:2002",
        "apSuccessEvent:2003",
        "apSetupComplete",
        "apSetupCompleted",
        "apMonitoringStarted",
    ], names
    got = {r["name"] + str(i): r["detail"] for i, r in enumerate(events(reports))}
    details = list(got.values())
    # The microphone starts capturing right after 2002 (before the face model loads); the
    # clip starts playing when the camera opens, just before 2003.
    audio_start = details[1]["timestamp"] / 1000
    clip_start = details[2]["timestamp"] / 1000

    def at(code: int) -> list[dict]:
        return [d for d in details if d.get("evidenceCode") == code]

    def clip_times(code: int) -> list[float]:
        return [round(d["timestamp"] / 1000 - clip_start, 1) for d in at(code)]

    table = [
        ("5001 no one looking", clip_times(5001)),
        ("5002 two people", clip_times(5002)),
        ("5004 audio", [round(d["timestamp"] / 1000 - audio_start, 1) for d in at(5004)]),
        ("5003 photos", [d["photo"]["kind"] for d in at(5003)]),
    ]
    print("\nevidence per segment (seconds of clip / audio time):")
    for label, value in table:
        print(f"  {label:22} {value}")
    print(f"  scene: {SCENE}, speech at {SPEECH}")

    # Empty room from 7 s: one 5001, after the 3 s debounce, before the two people arrive.
    assert len(at(5001)) == 1, table
    assert 9.0 <= clip_times(5001)[0] <= 12.5, table
    # Two people from 13 s: one 5002 after the 2 s debounce.
    assert len(at(5002)) == 1, table
    assert 14.0 <= clip_times(5002)[0] <= 18.5, table
    # Speech over the fan from 14 s: one 5004; the steady fan alone never fires.
    assert len(at(5004)) == 1, table
    assert SPEECH[0] - 0.2 <= table[2][1][0] <= SPEECH[1] + 1.0, table
    # One test-taker photo at start and the two random ones.
    assert sorted(d["photo"]["kind"] for d in at(5003)) == ["random", "random", "testTaker"]
    # One person looking in silence (clip 0-7 s): no evidence in that stretch.
    quiet = [t for code in (5001, 5002) for t in clip_times(code) if t < 7.0]
    assert quiet == [], table

    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    recorded, _ = proc.record()
    photos = [d["photo"] for d in at(5001) + at(5002) + at(5003)]
    assert all(p is not None for p in photos)
    for photo in photos:
        path = Path(photo["path"])
        assert path.parent == proc.session_folder() / "evidence"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert path.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    stopped = next(e for e in recorded if e["name"] == "apMonitoringStopped")["detail"]
    assert sorted(v["evidenceCode"] for v in stopped["violations"]) == [5001, 5002, 5004]
    assert {"5001", "5002", "5004"} <= set(stopped["penalties"])  # each lowered the score
