"""The real capture path: PortAudio -> ALSA's pulse plugin -> a private PulseAudio null sink.

What ``paplay`` plays on the null sink is what the default microphone records, so this is
the device code path of a machine with a sound card, minus the card. PulseAudio must start:
if it cannot, these tests fail (with its log), they do not skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from detectors.audio_level import AudioLevel
from detectors.base import DeviceError
from detectors.microphone import MicrophoneDetector
from detectors.sources import MicrophoneSource
from tests.support.audio import Collector, loud_fraction, speech_wav
from tests.support.devices import page_key
from tests.support.paths import REPO
from tests.support.pulse import PrivatePulse


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pulse") / "speech.wav"
    return speech_wav(path, "Can you tell me the answer to question seven, please?")


def summary(name: str, part: list[AudioLevel]) -> str:
    return (
        f"{name:<10}{len(part) / 10:>6.1f} s  loud {loud_fraction(part):.2f}  level "
        f"{np.median([o.level_db for o in part]):6.1f} dB  background "
        f"{np.median([o.background_db for o in part]):6.1f} dB"
    )


def test_the_default_microphone_hears_what_is_played(
    pulse: PrivatePulse, speech_file: Path
) -> None:
    got = Collector()
    detector = MicrophoneDetector(MicrophoneSource("default"), got)
    detector.open()
    detector.start()
    try:
        assert got.wait_for(15, timeout=10), f"{len(got.levels)} blocks in 10 s from the mic"
        played_from = time.time()
        player = pulse.play(speech_file)
        assert player.wait(30) == 0, player.stderr.read() if player.stderr else ""
        played_to = time.time()
        assert got.wait_for(5, timeout=10, after=played_to + 0.5), "no blocks after the speech"
    finally:
        detector.stop()
    assert not got.errors, got.errors
    before = [o for o in got.levels if o.t < played_from]
    during = [o for o in got.levels if played_from + 0.3 <= o.t <= played_to]
    after = [o for o in got.levels if o.t > played_to + 0.5]
    first_loud = next(o.t for o in got.levels if o.loud) - played_from
    print(f"\n{summary('before', before)}\n{summary('playing', during)}")
    print(f"{summary('after', after)}\nfirst loud block {first_loud * 1000:.0f} ms after paplay")
    assert len(before) >= 10 and loud_fraction(before) == 0.0
    assert loud_fraction(during) >= 0.5
    assert loud_fraction(after) == 0.0
    assert 0.0 < first_loud < 1.0


@pytest.mark.parametrize(
    "source",
    [MicrophoneSource("device", name="no-such-microphone"), MicrophoneSource("device", index=99)],
)
def test_a_device_that_does_not_exist_is_4007_not_found(
    pulse: PrivatePulse, source: MicrophoneSource
) -> None:
    with pytest.raises(DeviceError) as caught:
        MicrophoneDetector(source, lambda _: None).open()
    assert page_key(caught.value) == "4007:not_found"
    assert "pulse" in str(caught.value)  # the message lists the inputs there are


def test_a_named_device_opens(pulse: PrivatePulse) -> None:
    got = Collector()
    detector = MicrophoneDetector(MicrophoneSource("device", name="pulse"), got)
    detector.start()
    try:
        assert got.wait_for(5, timeout=10)
    finally:
        detector.stop()


_OUTAGES = """
import json, sys, time
import detectors.audio_capture
from tests.support.devices import page_key
from detectors.microphone import MicrophoneDetector
from detectors.sources import MicrophoneSource
from tests.support.audio import Collector
from tests.support.pulse import PrivatePulse

pulse = PrivatePulse().start()
got = Collector()
detector = MicrophoneDetector(MicrophoneSource("default"), got)
detector.start()
result = {"started": got.wait_for(5, 10), "outages": []}
for _ in range(int(sys.argv[1])):
    before, backs = len(got.errors), len(got.backs)
    pulse.stop()  # the sound server dies: for PortAudio the device is gone
    lost = time.monotonic()
    while len(got.errors) == before and time.monotonic() - lost < 6:
        time.sleep(0.02)
    reported = time.monotonic() - lost
    time.sleep(1.5)  # the server stays down while the detector retries every second; the
    # resumption below is the witness that any second report would have come by then
    pulse.start()
    back, blocks = time.monotonic(), len(got.levels)
    resumed = got.wait_for(blocks + 5, 10)
    result["outages"].append({
        "keys": [page_key(e) for e in got.errors[before:]],
        "backs": len(got.backs) - backs,
        "reported_s": round(reported, 2),
        "resumed_s": round(time.monotonic() - back, 2) if resumed else None,
    })
detector.stop()
pulse.stop()
result["abandoned_a_stream"] = detectors.audio_capture._WEDGED.is_set()
print(json.dumps(result), flush=True)
"""


def test_a_lost_device_is_reported_once_and_capture_resumes_when_it_is_back() -> None:
    """In a process of its own: PortAudio is process-wide, and a lost stream may have to be
    abandoned (see detectors.audio_capture._WEDGED). That process must still exit."""
    # Not the module's server: once its own is down the child must find no microphone at all.
    env = {k: v for k, v in os.environ.items() if k != "PULSE_SERVER"}
    result = subprocess.run(
        [sys.executable, "-c", _OUTAGES, "2"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nabandoned a stream that would not close: {answer['abandoned_a_stream']}")
    for i, outage in enumerate(answer["outages"]):
        print(
            f"outage {i}: reported {outage['keys']} after {outage['reported_s']} s, "
            f"resumed {outage['resumed_s']} s after PulseAudio was back"
        )
    assert answer["started"]
    for outage in answer["outages"]:
        assert outage["keys"] == ["4007:not_readable"], outage
        assert outage["resumed_s"] is not None, outage
        assert outage["backs"] == 1, outage  # DeviceBack, published once it works again
