"""Audio fixtures the suite makes itself: real speech from espeak-ng, steady noise from numpy.

Nothing is downloaded or recorded; files are written with the stdlib ``wave`` module into the
test's own folder. Levels are RMS dBFS, as ``detectors.microphone`` measures them.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detectors.audio_level import AudioLevel, pcm_to_mono
from detectors.base import DeviceBack, DeviceLost, Observation

Signal = npt.NDArray[np.float32]
RATE = 22050  # espeak-ng's own rate: the scene needs no resampling


@dataclass(frozen=True)
class Segment:
    name: str
    start: float  # seconds into the file
    end: float


def read_wav(path: Path) -> tuple[Signal, int]:
    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
        return pcm_to_mono(data, wav.getsampwidth(), wav.getnchannels()), wav.getframerate()


def write_wav(
    path: Path, samples: Signal, rate: int = RATE, *, sampwidth: int = 2, channels: int = 1
) -> Path:
    """Integer PCM; every channel carries the same signal."""
    x = np.clip(samples.astype(np.float64), -1.0, 1.0 - 1.0 / (1 << (8 * sampwidth - 1)))
    if sampwidth == 1:
        pcm = np.round(x * 128 + 128).astype(np.uint8)
    else:
        full = np.round(x * (1 << (8 * sampwidth - 1))).astype("<i4")
        pcm = full.astype("<i2") if sampwidth == 2 else full
    frames = np.repeat(pcm[:, None], channels, axis=1).reshape(-1)
    data = frames.tobytes()
    if sampwidth == 3:  # the low three bytes of each little-endian int32
        data = np.frombuffer(data, np.uint8).reshape(-1, 4)[:, :3].tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(sampwidth)
        wav.setframerate(rate)
        wav.writeframes(data)
    return path


def level_db(x: Signal) -> float:
    return 10.0 * float(np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def at_level(x: Signal, db: float) -> Signal:
    """Scaled so its RMS over the non-silent part (what a listener hears) is ``db`` dBFS."""
    active = x[np.abs(x) > 1e-3 * np.max(np.abs(x))] if x.size else x
    gain = 10 ** ((db - level_db(active)) / 20)
    return (x * gain).astype(np.float32)


def speech_wav(path: Path, text: str, *, wpm: int = 150, voice: str = "en") -> Path:
    subprocess.run(
        ["espeak-ng", "-w", str(path), "-s", str(wpm), "-v", voice, text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def speech(text: str, db: float, *, wpm: int = 150) -> Signal:
    with tempfile.TemporaryDirectory() as tmp:
        x, rate = read_wav(speech_wav(Path(tmp) / "speech.wav", text, wpm=wpm))
    assert rate == RATE, f"espeak-ng writes {rate} Hz, the scene is built at {RATE} Hz"
    return at_level(x, db)


def noise(
    seconds: float, db: float, *, rate: int = RATE, hum_hz: float = 0.0, seed: int = 0
) -> Signal:
    """Steady noise: white, or with ``hum_hz`` a fan (low-passed rumble plus a motor hum)."""
    n = round(seconds * rate)
    rng = np.random.default_rng(seed)
    x: npt.NDArray[np.float64] = rng.standard_normal(n)
    if hum_hz:
        kernel = np.ones(8) / 8  # a gentle low-pass: fans rumble more than they hiss
        x = np.convolve(x, kernel, mode="same")
        t = np.arange(n) / rate
        x = (
            x / np.std(x)
            + 0.7 * np.sin(2 * np.pi * hum_hz * t)
            + 0.3 * np.sin(4 * np.pi * hum_hz * t)
        )
    x = x / np.sqrt(np.mean(np.square(x)))
    gain: float = 10.0 ** (db / 20.0)
    return (x * gain).astype(np.float32)


def noise_wav(path: Path, seconds: float, db: float, *, hum_hz: float = 0.0, seed: int = 0) -> Path:
    return write_wav(path, noise(seconds, db, hum_hz=hum_hz, seed=seed))


def concat(*parts: Signal) -> Signal:
    return np.concatenate(parts).astype(np.float32)


def mix(*parts: Signal) -> Signal:
    """Sum, padded to the longest part."""
    out = np.zeros(max(p.size for p in parts), np.float64)
    for p in parts:
        out[: p.size] += p
    return out.astype(np.float32)


def exam_room_wav(
    path: Path,
    *,
    room_db: float = -65.0,
    fan_db: float = -45.0,
    speech_db: float = -22.0,
    sampwidth: int = 2,
    channels: int = 1,
) -> list[Segment]:
    """Quiet room tone, a fan switched on, someone speaking over the fan, the fan again.

    The fan is 20 dB above the room - loud at first - but constant, so it must become the
    background; the speech is bursty and above the fan. Returns where each part is.
    """
    talk = speech("Can you tell me the answer to question seven, please?", speech_db)
    room_s, fan_s, after_s = 4.0, 6.0, 3.0
    talk_s = talk.size / RATE
    fan = noise(fan_s + talk_s + after_s, fan_db, hum_hz=100.0, seed=2)
    scene = concat(
        noise(room_s, room_db, seed=1),
        mix(fan, concat(np.zeros(round(fan_s * RATE), np.float32), talk)),
    )
    write_wav(path, scene, sampwidth=sampwidth, channels=channels)
    t1, t2 = room_s + fan_s, room_s + fan_s + talk_s
    return [
        Segment("room tone", 0.0, room_s),
        Segment("fan", room_s, t1),
        Segment("speech over fan", t1, t2),
        Segment("fan again", t2, t2 + after_s),
    ]


class Collector:
    """Collects what a microphone detector publishes (from its thread): levels, devices lost
    and back; ``done`` is set once ``until`` levels arrived. Levels only: no audio is kept."""

    def __init__(self, until: int = 0) -> None:
        self.levels: list[AudioLevel] = []
        self.errors: list[DeviceLost] = []
        self.backs: list[DeviceBack] = []
        self._until = until
        self.done = threading.Event()

    def __call__(self, observation: Observation) -> None:
        if isinstance(observation, DeviceLost):
            self.errors.append(observation)
        elif isinstance(observation, DeviceBack):
            self.backs.append(observation)
        elif isinstance(observation, AudioLevel):
            self.levels.append(observation)
            if self._until and len(self.levels) >= self._until:
                self.done.set()

    def wait_for(self, count: int, timeout: float, after: float | None = None) -> bool:
        """Whether ``count`` levels arrived (made after unix time ``after``, when given)."""
        deadline = time.monotonic() + timeout
        while len([o for o in self.levels if after is None or o.t > after]) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


def loud_fraction(levels: list[AudioLevel]) -> float:
    assert levels, "no observations in this span"
    return sum(o.loud for o in levels) / len(levels)
