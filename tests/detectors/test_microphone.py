"""The microphone detector (input of 5004): level analysis, WAV capture in real time, errors.

The analysis is checked on synthetic signals, then end to end on a WAV file the suite builds
from real espeak-ng speech over a steady fan. The real device path is in test_audio_pulse.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import detectors.audio_capture as audio
from detectors.audio_capture import classify_portaudio_error, pick_input_device
from detectors.audio_level import (
    AudioLevel,
    AudioSettings,
    LevelTracker,
    block_level_db,
    pcm_to_mono,
)
from detectors.base import DeviceError, Problem
from detectors.microphone import MicrophoneDetector
from detectors.sources import MicrophoneSource
from tests.support.audio import (
    RATE,
    Collector,
    Segment,
    concat,
    exam_room_wav,
    loud_fraction,
    mix,
    noise,
    read_wav,
    write_wav,
)
from tests.support.devices import page_key
from tests.support.paths import REPO

BLOCK = round(RATE * 0.1)


def track(signal: np.ndarray, settings: AudioSettings | None = None) -> list[AudioLevel]:
    """Feeds ``signal`` block by block; ``t`` is the time into the signal."""
    tracker = LevelTracker(settings)
    return [
        tracker.feed(signal[i : i + BLOCK], i / RATE)
        for i in range(0, signal.size - BLOCK + 1, BLOCK)
    ]


def between(levels: list[AudioLevel], start: float, end: float) -> list[AudioLevel]:
    return [o for o in levels if start - 1e-6 <= o.t < end - 1e-6]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), np.float32)


# -- level and background --------------------------------------------------------------------


def test_levels_are_rms_dbfs_with_a_floor() -> None:
    t = np.arange(RATE) / RATE
    sine = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    assert block_level_db(sine) == pytest.approx(-3.01, abs=0.01)
    assert block_level_db(0.1 * sine) == pytest.approx(-23.01, abs=0.01)
    assert block_level_db(np.zeros(100, np.float32)) == -90.0
    assert block_level_db(np.zeros(100, np.float32), floor_db=-120.0) == -120.0
    assert block_level_db(np.zeros(0, np.float32)) == -90.0


def test_digital_silence_is_never_loud_and_keeps_a_finite_background() -> None:
    levels = track(silence(3))
    assert all(o.level_db == -90.0 and o.background_db == -90.0 for o in levels)
    assert not any(o.loud for o in levels)


def test_quiet_sounds_in_a_silent_room_are_not_loud() -> None:
    """20 dB above digital silence is still inaudible (below quiet_db); a voice is not."""
    levels = track(concat(silence(2), noise(0.5, -70), silence(1), noise(0.5, -30)))
    assert not any(o.loud for o in between(levels, 2.0, 2.5))
    assert loud_fraction(between(levels, 3.5, 4.0)) == 1.0


def test_steady_noise_becomes_the_background_within_seconds() -> None:
    """A fan switched on is loud at first, then it is the room: loud must fall back to False."""
    levels = track(concat(noise(3, -65, seed=1), noise(10, -40, hum_hz=100, seed=2)))
    fan = between(levels, 3.0, 13.0)
    assert fan[0].loud, "a fan switched on 25 dB above the room is loud at first"
    settled_after = next(o.t for o in fan if not o.loud) - 3.0
    assert settled_after <= 4.0, f"the fan was loud for {settled_after:.1f} s"
    assert not any(o.loud for o in between(levels, 3.0 + settled_after, 13.0)), "loud came back"
    assert fan[-1].background_db == pytest.approx(-40.0, abs=1.0)


def test_bursts_above_the_background_stay_loud() -> None:
    """Speech-like: 250 ms bursts with 150 ms gaps over a fan, for 8 s - longer than the
    window. The gaps keep the background on the fan, so the bursts stay loud throughout."""
    bursts = concat(*[concat(noise(0.25, -20, seed=i), silence(0.15)) for i in range(20)])
    signal = mix(noise(11, -50, hum_hz=100, seed=99), concat(silence(3), bursts))
    levels = track(signal)
    burst_blocks = [o for o in between(levels, 3.0, 11.0) if o.level_db > -30]
    assert len(burst_blocks) >= 40
    assert loud_fraction(burst_blocks) == 1.0
    assert max(o.background_db for o in between(levels, 3.0, 11.0)) < -48.0


def test_a_step_to_louder_steady_noise_is_loud_then_adapts_and_the_way_down_is_fast() -> None:
    quiet, louder = noise(5, -50, hum_hz=60, seed=3), noise(8, -30, hum_hz=60, seed=4)
    levels = track(concat(quiet, louder, noise(3, -50, hum_hz=60, seed=5)))
    assert not any(o.loud for o in between(levels, 0.0, 5.0))
    step = between(levels, 5.0, 13.0)
    assert all(o.loud for o in step[:20]), "a 20 dB step is loud for the first seconds"
    assert not any(o.loud for o in step[-30:]), "a steady noise must not stay loud"
    back = between(levels, 13.0, 16.0)
    assert not any(o.loud for o in back)
    fell_after = next(o.t for o in back if o.background_db < -45.0) - 13.0
    assert fell_after <= 0.6, f"the background took {fell_after:.1f} s to fall back"


def test_margin_is_configurable() -> None:
    signal = concat(noise(4, -50, seed=6), noise(0.3, -42, seed=7))
    assert not any(o.loud for o in track(signal))  # 8 dB: under the default 12 dB margin
    assert any(o.loud for o in track(signal, AudioSettings(margin_db=6.0)))


# -- PCM conversion --------------------------------------------------------------------------


@pytest.mark.parametrize("sampwidth", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2])
def test_any_pcm_wav_reads_as_float_mono(tmp_path: Path, sampwidth: int, channels: int) -> None:
    t = np.arange(800) / 8000
    original = (0.5 * np.sin(2 * np.pi * 300 * t) - 0.25).astype(np.float32)
    path = write_wav(tmp_path / "x.wav", original, 8000, sampwidth=sampwidth, channels=channels)
    back, rate = read_wav(path)
    assert rate == 8000 and back.dtype == np.float32 and back.shape == original.shape
    assert np.max(np.abs(back - original)) <= 1.0 / (1 << (8 * sampwidth - 1)) + 1e-6


def test_stereo_is_mixed_to_mono() -> None:
    left_right = np.array([[1000, -1000], [2000, 0]], "<i2").tobytes()
    assert pcm_to_mono(left_right, 2, 2).tolist() == [0.0, 1000 / 32768]


# -- the WAV path end to end, real time ------------------------------------------------------


@pytest.fixture(scope="module")
def exam_room(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Segment]]:
    path = tmp_path_factory.mktemp("audio") / "exam-room.wav"
    # 24-bit stereo: the capture converts it like any other PCM WAV.
    return path, exam_room_wav(path, sampwidth=3, channels=2)


def test_wav_file_in_real_time_speech_is_loud_the_fan_and_room_are_not(
    exam_room: tuple[Path, list[Segment]],
) -> None:
    path, segments = exam_room
    duration = segments[-1].end
    blocks = int(duration / 0.1)
    got = Collector(until=blocks)
    detector = MicrophoneDetector(MicrophoneSource("file", path=path), got)
    detector.open()
    started = time.monotonic()
    detector.start()
    try:
        assert got.done.wait(duration + 10), f"only {len(got.levels)} of {blocks} blocks"
        elapsed = time.monotonic() - started
    finally:
        detector.stop()
    assert not got.errors and not detector.running

    # Real time at the file's own rate: one block per 100 ms of audio, not faster.
    levels = got.levels[:blocks]
    assert elapsed == pytest.approx(blocks * 0.1, abs=0.3)
    steps = np.diff([o.t for o in levels])
    assert float(np.mean(steps)) == pytest.approx(0.1, abs=0.005)

    # Block i holds media time [i * 0.1, (i + 1) * 0.1).
    by_media = [AudioLevel(t=i * 0.1, level_db=o.level_db, background_db=o.background_db,
                           loud=o.loud) for i, o in enumerate(levels)]  # fmt: skip
    rows = {s.name: between(by_media, s.start, s.end) for s in segments}
    fan_onset = between(by_media, segments[1].start, segments[1].start + 1.0)
    fan_settled = between(by_media, segments[1].end - 2.0, segments[1].end)
    print(f"\n{'segment':<24}{'seconds':>9}{'loud':>7}{'level dB':>10}{'background':>12}")
    for name, part in [
        *rows.items(),
        ("fan, first 1 s", fan_onset),
        ("fan, last 2 s", fan_settled),
    ]:
        print(
            f"{name:<24}{len(part) / 10:>9.1f}{loud_fraction(part):>7.2f}"
            f"{np.median([o.level_db for o in part]):>10.1f}"
            f"{np.median([o.background_db for o in part]):>12.1f}"
        )
    assert loud_fraction(rows["room tone"]) == 0.0
    assert loud_fraction(fan_onset) == 1.0, "the fan switching on is loud"
    assert loud_fraction(fan_settled) == 0.0, "the steady fan must have become the background"
    assert loud_fraction(rows["speech over fan"]) >= 0.5
    assert loud_fraction(rows["fan again"]) == 0.0


def test_a_short_wav_file_loops_at_its_own_rate(tmp_path: Path) -> None:
    """0.45 s at 11025 Hz (a block is 1102.5 frames there): looped for 1.5 s, paced by frames."""
    path = write_wav(tmp_path / "short.wav", noise(0.45, -30, rate=11025), 11025, sampwidth=1)
    got = Collector(until=15)
    detector = MicrophoneDetector(MicrophoneSource("file", path=path), got)
    started = time.monotonic()
    detector.start()  # open() implied
    try:
        assert got.done.wait(5)
        elapsed = time.monotonic() - started
    finally:
        detector.stop()
    assert elapsed == pytest.approx(1.5, abs=0.2)
    assert all(o.level_db == pytest.approx(-30.0, abs=1.5) for o in got.levels)


def test_a_truncated_wav_ending_mid_frame_still_loops(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "cut.wav", noise(0.3, -30), RATE, channels=2)
    path.write_bytes(path.read_bytes()[:-3])  # the header still counts the lost frame
    got = Collector(until=6)
    detector = MicrophoneDetector(MicrophoneSource("file", path=path), got)
    detector.start()
    try:
        assert got.done.wait(3)
    finally:
        detector.stop()
    assert not got.errors


@pytest.mark.expect_log(r"kiosk.detectors.audio: publishing AudioLevel failed")
def test_a_failing_subscriber_does_not_end_the_capture(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "tone.wav", noise(1, -30), RATE)
    seen: list[AudioLevel] = []

    def publish(level: AudioLevel) -> None:
        seen.append(level)
        raise RuntimeError("subscriber bug")

    detector = MicrophoneDetector(MicrophoneSource("file", path=path), publish)
    detector.start()
    deadline = time.monotonic() + 5
    while len(seen) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert detector.running
    detector.stop()
    assert len(seen) >= 5 and not detector.running


def test_stop_is_prompt_and_no_audio_is_written(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "tone.wav", noise(1, -30), RATE)
    before = set(tmp_path.rglob("*"))
    got = Collector()
    detector = MicrophoneDetector(MicrophoneSource("file", path=path), got)
    detector.start()
    assert got.wait_for(3, timeout=5)  # capturing, and analysing what it captured
    started = time.monotonic()
    detector.stop()
    assert time.monotonic() - started < 0.5
    assert set(tmp_path.rglob("*")) == before


# -- errors: the kind of problem, and the code the page gets for it ---------------------------


def expect(source: MicrophoneSource) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        MicrophoneDetector(source, lambda _: None).open()
    assert caught.value.device == "microphone"
    return caught.value


def test_no_microphone_is_4009() -> None:
    err = expect(MicrophoneSource("none"))
    assert (err.problem, page_key(err)) == (Problem.ABSENT, "4009")


def test_missing_wav_is_4007_not_found(tmp_path: Path) -> None:
    err = expect(MicrophoneSource("file", path=tmp_path / "gone.wav"))
    assert (err.problem, page_key(err)) == (Problem.NOT_FOUND, "4007:not_found")


@pytest.mark.parametrize("content", [b"", b"RIFF....WAVEfmt nonsense", b"not audio at all"])
def test_a_file_that_is_no_pcm_wav_is_4007_not_readable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    assert page_key(expect(MicrophoneSource("file", path=path))) == "4007:not_readable"


_OPEN_AS_NOBODY = """
import json, os, sys
from pathlib import Path
from detectors.base import DeviceError
from detectors.microphone import MicrophoneDetector
from detectors.sources import MicrophoneSource
from tests.support.devices import page_key
if os.geteuid() == 0:  # drop to nobody after the imports: root reads any file
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
try:
    MicrophoneDetector(MicrophoneSource("file", path=Path(sys.argv[1])), print).open()
    print(json.dumps({"uid": os.getuid(), "key": "opened"}))
except DeviceError as exc:
    print(json.dumps({"uid": os.getuid(), "key": page_key(exc), "message": str(exc)}))
"""


def open_in_subprocess(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _OPEN_AS_NOBODY, str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_a_wav_the_os_will_not_let_us_read_is_4003(world_dir: Path) -> None:
    """A real EACCES from the kernel: mode 000, opened by an unprivileged process (as root the
    check runs in a subprocess that drops to nobody; root itself may read anything)."""
    path = write_wav(world_dir / "locked.wav", noise(0.5, -30), RATE)
    path.chmod(0o644)
    control = open_in_subprocess(path)
    assert control["key"] == "opened", control  # the same process can read a readable file
    path.chmod(0o000)
    answer = open_in_subprocess(path)
    print(f"\nunreadable WAV as uid {answer['uid']}: {answer['key']} ({answer['message']})")
    assert answer["uid"] != 0
    assert answer["key"] == "4003"
    if os.geteuid() != 0:  # and in this very process, without any help
        assert page_key(expect(MicrophoneSource("file", path=path))) == "4003"


# -- device lookup (the PortAudio listing, as sounddevice gives it) --------------------------

DEVICES = [
    {"name": "HDA Intel PCH: ALC257 Analog (hw:0,0)", "max_input_channels": 2},
    {"name": "HDMI 0 (hw:0,3)", "max_input_channels": 0},
    {"name": "Blue Yeti: USB Audio (hw:1,0)", "max_input_channels": 2},
    {"name": "pulse", "max_input_channels": 32},
    {"name": "default", "max_input_channels": 32},
]


@pytest.mark.parametrize(
    ("source", "index"),
    [
        (MicrophoneSource("default"), 4),
        (MicrophoneSource("device", index=2), 2),
        (MicrophoneSource("device", name="yeti"), 2),
        (MicrophoneSource("device", name="Pulse"), 3),
        (MicrophoneSource("device", name="default"), 4),  # the exact name wins over "default"s
    ],
)
def test_device_lookup(source: MicrophoneSource, index: int) -> None:
    assert pick_input_device(DEVICES, 4, source) == index


@pytest.mark.parametrize(
    ("source", "key"),
    [
        (MicrophoneSource("device", index=1), "4007:not_found"),  # an output only
        (MicrophoneSource("device", index=9), "4007:not_found"),
        (MicrophoneSource("device", name="Rode NT-USB"), "4007:not_found"),
    ],
)
def test_device_lookup_failures(source: MicrophoneSource, key: str) -> None:
    with pytest.raises(DeviceError) as caught:
        pick_input_device(DEVICES, 4, source)
    assert page_key(caught.value) == key


def test_no_input_device_at_all_is_4009() -> None:
    outputs_only = [{"name": "HDMI 0", "max_input_channels": 0}]
    for source in (MicrophoneSource("default"), MicrophoneSource("device", name="HDMI")):
        with pytest.raises(DeviceError) as caught:
            pick_input_device(outputs_only, -1, source)
        assert page_key(caught.value) == "4009"
    with pytest.raises(DeviceError) as caught:
        pick_input_device(DEVICES, -1, MicrophoneSource("default"))  # inputs, but no default
    assert page_key(caught.value) == "4009"


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("Error opening InputStream: Unanticipated host error [PaErrorCode -9999]: "
         "'Permission denied' [ALSA error -13]", "4003"),
        ("Error opening InputStream: Device unavailable [PaErrorCode -9985]", "4007:not_readable"),
        ("Error starting stream: Wait timed out [PaErrorCode -9987]", "4007:not_readable"),
    ],
)  # fmt: skip
def test_portaudio_errors_map_to_catalogue_codes(message: str, key: str) -> None:
    assert page_key(classify_portaudio_error(RuntimeError(message), "mic")) == key
    assert page_key(classify_portaudio_error(PermissionError(13, "x"), "mic")) == "4003"


@pytest.mark.expect_log(r"kiosk.detectors.audio: .* did not close within")
def test_a_stream_that_never_closes_is_abandoned_and_exit_stays_possible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What libpulse's deadlock does to PortAudio (seen ~1 in 8 times a sound server dies
    under a capture), with a stand-in stream: close() gives up, PortAudio is no longer
    re-initialised, and sounddevice's exit handler will not call Pa_Terminate (it would hang)."""
    monkeypatch.setattr(audio, "_WEDGED", threading.Event())
    monkeypatch.setattr(audio, "_CLOSE_TIMEOUT_S", 0.2)
    calls: list[str] = []
    stuck = threading.Event()

    class StuckStream:
        def abort(self) -> None:
            stuck.wait(10)

        def close(self) -> None: ...

    fake_sd = types.SimpleNamespace(
        _initialized=1,
        _terminate=lambda: calls.append("terminate"),
        _initialize=lambda: calls.append("initialize"),
    )
    audio._rescan(fake_sd)  # type: ignore[arg-type]
    assert calls == ["terminate", "initialize"]
    capture = object.__new__(audio.StreamCapture)
    capture._sd, capture._stream, capture._what = fake_sd, StuckStream(), "mic"  # type: ignore[assignment]
    started = time.monotonic()
    capture.close()
    assert time.monotonic() - started < 1.0
    assert audio._WEDGED.is_set() and fake_sd._initialized == 0
    audio._rescan(fake_sd)  # type: ignore[arg-type]
    assert calls == ["terminate", "initialize"], "no Pa_Terminate once a stream is stuck"
    stuck.set()
