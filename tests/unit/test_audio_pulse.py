"""The real capture path: PortAudio -> ALSA's pulse plugin -> a private PulseAudio null sink.

What ``paplay`` plays on the null sink is what the default microphone records, so this is
the device code path of a machine with a sound card, minus the card. PulseAudio must start:
if it cannot, these tests fail (with its log), they do not skip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from detectors.audio import AudioError, AudioLevel, MicrophoneDetector
from kiosk.sources import MicrophoneSource
from tests.support.audio import Collector, loud_fraction, speech_wav
from tests.support.pulse import PrivatePulse, PulseError


@pytest.fixture(scope="module")
def pulse() -> Iterator[PrivatePulse]:
    server = PrivatePulse()
    try:
        server.start()
    except PulseError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


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
    detector = MicrophoneDetector(MicrophoneSource("default"), got, on_error=got.error)
    detector.open()
    detector.start()
    try:
        assert got.wait_for(15, timeout=10), f"{len(got.levels)} blocks in 10 s from the mic"
        played_from = time.time()
        player = pulse.play(speech_file)
        assert player.wait(30) == 0, player.stderr.read() if player.stderr else ""
        played_to = time.time()
        time.sleep(1.0)
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
    with pytest.raises(AudioError) as caught:
        MicrophoneDetector(source, lambda _: None).open()
    assert caught.value.key == "4007:not_found"
    assert "pulse" in str(caught.value)  # the message lists the inputs there are


def test_a_named_device_opens(pulse: PrivatePulse) -> None:
    got = Collector()
    detector = MicrophoneDetector(MicrophoneSource("device", name="pulse"), got)
    detector.start()
    try:
        assert got.wait_for(5, timeout=10)
    finally:
        detector.stop()


def test_a_lost_device_is_reported_once_and_capture_resumes_when_it_is_back(
    pulse: PrivatePulse,
) -> None:
    got = Collector()
    detector = MicrophoneDetector(MicrophoneSource("default"), got, on_error=got.error)
    detector.start()
    try:
        assert got.wait_for(5, timeout=10)
        pulse.stop()  # the sound server dies: for PortAudio the device is gone
        deadline = time.monotonic() + 6
        while not got.errors and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e.key for e in got.errors] == ["4007:not_readable"], got.errors
        time.sleep(2.5)  # the detector keeps retrying meanwhile, without new reports
        count = len(got.levels)
        pulse.start()
        back = time.monotonic()
        assert got.wait_for(count + 5, timeout=10), "capture did not resume"
        print(f"\ncapture resumed {time.monotonic() - back:.1f} s after PulseAudio was back")
    finally:
        detector.stop()
    assert len(got.errors) == 1
