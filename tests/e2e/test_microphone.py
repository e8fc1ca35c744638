"""The kiosk hears the room through the real microphone path: PortAudio, ALSA, PulseAudio."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from tests.support.audio import speech_wav
from tests.support.process import KioskProcess
from tests.support.pulse import PrivatePulse
from tests.support.server import ReportServer, event_names, events

Start = Callable[..., KioskProcess]


def test_the_default_microphone_hears_speech_played_into_the_room(
    kiosk: Start, server: ReportServer, run_id: str, tmp_path: Path, pulse: PrivatePulse
) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[proctoring]\nask_consent = false\n")
    proc = kiosk(
        server.exam_url(run_id, "setup,start", {"trackingOptions": {"audio": True}}),
        "--microphone", "default", "--config", str(cfg),
        env=pulse.env,
    )  # fmt: skip
    speech = speech_wav(tmp_path / "speech.wav", "Can anyone tell me the answer to question four?")
    reports = server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    checks = events(reports)[0]["detail"]["checks"]
    assert checks["microphone"] == "granted"
    assert pulse.play(speech).wait(30) == 0
    try:
        reports = server.wait_for(run_id, lambda r: "apEvidenceEvent:5004" in event_names(r))
    except AssertionError as exc:  # say what the kiosk and the sound server saw
        pulse_log = pulse.log.read_text(errors="replace")[-2000:] if pulse.log.exists() else ""
        raise AssertionError(
            f"{exc}\nkiosk:\n{proc.stderr()[-3000:]}\npulse:\n{pulse_log}"
        ) from None
    assert event_names(reports).count("apEvidenceEvent:5004") == 1
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0
