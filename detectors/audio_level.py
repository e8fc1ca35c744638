"""How loud a block of sound is, against a background learnt from the room.

Shared by every microphone source: a device and a WAV file go through the same ``LevelTracker``,
so a file exercises exactly the analysis a device gets. No audio is kept: a block lives only
until its level is computed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detectors.base import Observation

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AudioLevel(Observation):
    level_db: float  # RMS of the block in dBFS (a full-scale square wave is 0 dBFS)
    background_db: float
    loud: bool  # level above background by the margin (and above the quiet threshold)


@dataclass(frozen=True)
class AudioSettings:
    """Defaults measured on espeak-ng speech over a fan (tests/detectors/test_microphone.py)."""

    block_s: float = 0.1  # one AudioLevel per block
    margin_db: float = 12.0  # loud: this far above the background
    window_s: float = 4.0  # the background is learnt from this much of the past ...
    percentile: float = 10.0  # ... as this low percentile of its block levels
    floor_db: float = -90.0  # levels (and so the background) never go below this
    quiet_db: float = -60.0  # nothing quieter than this is loud
    retry_s: float = 1.0  # a lost device is reopened this often
    stall_s: float = 3.0  # a device silent (no blocks at all) this long is lost


def block_level_db(samples: npt.NDArray[Any], floor_db: float = -90.0) -> float:
    """RMS level in dBFS, never below ``floor_db`` (digital silence would be -inf)."""
    if samples.size == 0:
        return floor_db
    power = float(np.mean(np.square(samples, dtype=np.float64)))
    if power <= 0.0:
        return floor_db
    return max(floor_db, 10.0 * float(np.log10(power)))


class LevelTracker:
    """Per-block level against a background learnt from the room.

    The background is a low percentile (default 10th) of the block levels of the last few
    seconds (default 4 s), not a mean: a room's background is what it sounds like *between*
    sounds. Speech is bursty - syllables, words and breaths leave valleys at the room's level -
    so a low percentile stays on the room while someone talks, and the talk stands out. A
    steady sound (a fan switched on, a hum) has no valleys: once it fills most of the window it
    *is* the percentile, so it becomes the background in ``(1 - p) * window`` (3.6 s) and stops
    being loud instead of being loud for ever. The way down is fast (``p * window``, 0.4 s):
    when the fan stops the quieter room is the background again almost at once, so the next
    voice is measured against the room, not against the fan.

    A block is loud when it is ``margin_db`` above the background. Two guards keep that
    meaningful: levels are clamped to ``floor_db`` (a muted or digitally silent input would
    give -inf and make every sound infinitely loud), and nothing quieter than ``quiet_db`` is
    loud (in a near-silent room a breath is 12 dB above background but is not "audio").
    A block is judged against the background of the blocks *before* it; the first block of all
    defines the background, so starting in a noisy room is not an alarm.
    """

    def __init__(self, settings: AudioSettings | None = None) -> None:
        self.settings = settings if settings is not None else AudioSettings()
        blocks = max(1, round(self.settings.window_s / self.settings.block_s))
        self._history: deque[float] = deque(maxlen=blocks)

    def feed(self, samples: npt.NDArray[Any], t: float) -> AudioLevel:
        s = self.settings
        level = block_level_db(samples, s.floor_db)
        if self._history:
            background = max(s.floor_db, float(np.percentile(self._history, s.percentile)))
        else:
            background = level
        loud = level >= s.quiet_db and level - background > s.margin_db
        self._history.append(level)
        return AudioLevel(t=t, level_db=level, background_db=background, loud=loud)


def pcm_to_mono(data: bytes, sampwidth: int, channels: int) -> Samples:
    """Interleaved little-endian PCM (WAV: 8-bit unsigned, 16/24/32-bit signed) to float mono."""
    if sampwidth == 1:
        x = (np.frombuffer(data, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif sampwidth == 2:
        x = np.frombuffer(data, "<i2").astype(np.float32) / 32768.0
    elif sampwidth == 3:
        raw = np.frombuffer(data[: len(data) // 3 * 3], np.uint8).reshape(-1, 3)
        padded = np.zeros((raw.shape[0], 4), np.uint8)
        padded[:, 1:] = raw  # the 24 bits as the top of an int32 keeps the sign
        x = (padded.view("<i4")[:, 0] >> 8).astype(np.float32) / float(1 << 23)
    elif sampwidth == 4:
        x = (np.frombuffer(data, "<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    else:
        raise ValueError(f"unsupported sample width: {sampwidth} bytes")
    if channels > 1:
        x = x[: x.size // channels * channels].reshape(-1, channels).mean(axis=1)
    return x.astype(np.float32, copy=False)
