"""Microphone level against a background learnt from the room: the input of event 5004.

The detector measures, it does not judge: every block (100 ms) it publishes an ``AudioLevel``
with the block's level, the room's background and whether the block stands out from it. How
long "loud" must last to be a violation is the policy's decision. No audio is kept: a block
lives only until its level is computed.

A microphone (PortAudio, through sounddevice) and a WAV file (paced in real time, looping)
feed the same worker loop and the same ``LevelTracker``, so a file exercises exactly the
analysis a device gets. sounddevice is imported only when a device is opened: it loads
PortAudio at import, and the WAV path must work (and this module import fast) without it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import wave
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from detectors.base import Observation
from detectors.sources import MicrophoneSource

log = logging.getLogger("kiosk.detectors.audio")

Samples = npt.NDArray[np.float32]

# Catalogue codes (bridge/catalogue.py) this detector can raise.
MIC_BLOCKED = 4003
MIC_UNAVAILABLE = 4007  # reason NOT_FOUND or NOT_READABLE
NO_MICROPHONE = 4009
NOT_FOUND = "not_found"
NOT_READABLE = "not_readable"


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


class AudioError(Exception):
    """A microphone problem as the catalogue names it: ``code`` and, for 4007, ``reason``."""

    def __init__(self, code: int, reason: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason

    @property
    def key(self) -> str:
        """The catalogue key (``EventSpec.key``): ``"4009"``, ``"4007:not_found"``."""
        return f"{self.code}" if self.reason is None else f"{self.code}:{self.reason}"


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


class _Capture(Protocol):
    def start(self) -> None:
        """Begins capturing (opening only checks). Raises AudioError."""

    def read(self, stop: threading.Event) -> tuple[Samples, float] | None:
        """The next block and its unix time; None when ``stop`` was set. Raises AudioError."""

    def close(self) -> None: ...


# --- WAV file -----------------------------------------------------------------------------


class _WavCapture:
    """A WAV file as a microphone: blocks at the file's own rate, in real time, looping.

    Pacing is by frames read, so it does not drift; after a stall (a suspended machine) it
    starts a new schedule instead of catching up in a burst.
    """

    def __init__(self, path: Path | None, block_s: float) -> None:
        self._path = path
        self._wav = _open_wav(path)
        self.rate = self._wav.getframerate()
        self._width = self._wav.getsampwidth()
        self._channels = self._wav.getnchannels()
        self._block = max(1, round(self.rate * block_s))
        self._start: float | None = None
        self._frames_out = 0

    def start(self) -> None:
        self._start, self._frames_out = None, 0  # the schedule begins with the first read

    def read(self, stop: threading.Event) -> tuple[Samples, float] | None:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        due = self._start + (self._frames_out + self._block) / self.rate
        if due < now - 1.0:
            self._start, self._frames_out, due = now, 0, now
        if due > now and stop.wait(due - now):
            return None
        parts: list[Samples] = []
        wanted, frame_bytes, rewound = self._block, self._width * self._channels, False
        try:
            while wanted > 0:
                data = self._wav.readframes(wanted)
                got = len(data) // frame_bytes  # a truncated file may end mid-frame
                if got == 0:
                    if rewound:
                        raise wave.Error("no frames from the start of the file")
                    self._wav.rewind()
                    rewound = True
                    continue
                parts.append(pcm_to_mono(data[: got * frame_bytes], self._width, self._channels))
                wanted -= got
                rewound = False
        except (OSError, EOFError, wave.Error) as exc:
            raise AudioError(
                MIC_UNAVAILABLE, NOT_READABLE, f"WAV file {self._path}: read failed ({exc})"
            ) from exc
        self._frames_out += self._block
        return np.concatenate(parts), time.time()

    def close(self) -> None:
        self._wav.close()


def _open_wav(path: Path | None) -> wave.Wave_read:
    """Opens a PCM WAV file or raises the AudioError the catalogue has for why it cannot."""
    if path is None or not path.exists():
        raise AudioError(MIC_UNAVAILABLE, NOT_FOUND, f"WAV file {path}: no such file")
    if not path.is_file():
        raise AudioError(MIC_UNAVAILABLE, NOT_READABLE, f"WAV file {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise AudioError(MIC_BLOCKED, None, f"WAV file {path}: permission denied")
    try:
        wav = wave.open(str(path), "rb")  # noqa: SIM115  (the capture owns it until close())
    except PermissionError as exc:
        raise AudioError(MIC_BLOCKED, None, f"WAV file {path}: permission denied") from exc
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioError(
            MIC_UNAVAILABLE, NOT_READABLE, f"WAV file {path}: not a readable PCM WAV ({exc})"
        ) from exc
    if wav.getnframes() == 0 or wav.getframerate() <= 0 or wav.getsampwidth() not in (1, 2, 3, 4):
        wav.close()
        raise AudioError(
            MIC_UNAVAILABLE, NOT_READABLE, f"WAV file {path}: holds no 8-32 bit PCM audio"
        )
    return wav


# --- PortAudio device ---------------------------------------------------------------------

_PORTAUDIO_LOCK = threading.Lock()
_CLOSE_TIMEOUT_S = 2.0
# Set once a lost stream never finished closing. libpulse can deadlock when the sound server
# dies under a capture (its mainloop waits for a shared-memory block the ALSA plugin's reader
# never releases); PortAudio then waits for ever for its own audio thread, in close() and in
# Pa_Terminate - which is also what sounddevice calls at interpreter exit.
_WEDGED = threading.Event()


def _sounddevice() -> ModuleType:
    try:
        import sounddevice  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the PortAudio library is missing
        raise AudioError(NO_MICROPHONE, None, f"no audio system: {exc}") from exc
    module: ModuleType = sounddevice
    return module


def _rescan(sd: ModuleType) -> None:
    """PortAudio lists devices once, when it is initialised: re-initialise to see a microphone
    (or a sound server) that appeared since. Only done while this detector has no stream open;
    the kiosk has one microphone detector, nothing else in the process uses PortAudio.
    Not after a stream was abandoned (``_WEDGED``): terminating would wait for it for ever."""
    with _PORTAUDIO_LOCK:
        if _WEDGED.is_set():
            return
        sd._terminate()
        sd._initialize()


def _abandon(sd: ModuleType, what: str) -> None:
    """Leaves a stream that cannot close behind and keeps the process able to exit: with
    sounddevice's count at 0 its exit handler skips Pa_Terminate. A new stream still opens (a
    new ALSA/pulse connection); only the device list is no longer refreshed."""
    with _PORTAUDIO_LOCK:
        if not _WEDGED.is_set():
            log.error("%s did not close within %.0f s; left behind", what, _CLOSE_TIMEOUT_S)
            _WEDGED.set()
            setattr(sd, "_initialized", 0)  # noqa: B010  (sounddevice's private counter)


def pick_input_device(
    devices: Sequence[Mapping[str, Any]], default_input: int, source: MicrophoneSource
) -> int:
    """The PortAudio index for ``source``: ``default``, an input device index, or the first
    input device whose name contains the given name (an exact name wins)."""
    inputs = [i for i, d in enumerate(devices) if int(d.get("max_input_channels", 0)) > 0]
    if not inputs:
        raise AudioError(NO_MICROPHONE, None, "no input device found")
    if source.kind == "default":
        if default_input not in inputs:
            raise AudioError(NO_MICROPHONE, None, "no default input device")
        return default_input
    names = {i: str(devices[i].get("name", "")) for i in inputs}
    listing = ", ".join(f"{i} {name!r}" for i, name in names.items())
    if source.index is not None and source.name is None:
        if source.index not in inputs:
            raise AudioError(
                MIC_UNAVAILABLE,
                NOT_FOUND,
                f"no input device {source.index} (inputs: {listing})",
            )
        return source.index
    wanted = (source.name or "").casefold()
    for i in inputs:
        if names[i].casefold() == wanted:
            return i
    for i in inputs:
        if wanted and wanted in names[i].casefold():
            return i
    raise AudioError(
        MIC_UNAVAILABLE,
        NOT_FOUND,
        f"no input device named {source.name!r} (inputs: {listing})",
    )


def classify_portaudio_error(exc: BaseException, what: str) -> AudioError:
    """PortAudio reports ALSA's EACCES as text ("Permission denied", ALSA error -13)."""
    text = str(exc)
    lowered = text.casefold()
    if isinstance(exc, PermissionError) or "permission denied" in lowered or "-13]" in text:
        return AudioError(MIC_BLOCKED, None, f"{what}: access denied ({text})")
    return AudioError(MIC_UNAVAILABLE, NOT_READABLE, f"{what}: cannot capture ({text})")


class _StreamCapture:
    """A PortAudio input stream: its callback only hands a mono copy of each block over."""

    def __init__(self, source: MicrophoneSource, settings: AudioSettings) -> None:
        sd = self._sd = _sounddevice()
        self._settings = settings
        self._what = source.describe()
        try:
            _rescan(sd)
            devices = list(sd.query_devices())
            default_input = int(sd.default.device[0])
        except Exception as exc:  # PortAudio cannot list devices: no usable audio system
            raise AudioError(NO_MICROPHONE, None, f"cannot list audio devices: {exc}") from exc
        index = pick_input_device(devices, default_input, source)
        info = devices[index]
        self._what = f"{self._what} ({info.get('name')})"
        rate = float(info.get("default_samplerate") or 44100.0)
        self._queue: queue.Queue[tuple[Samples, float]] = queue.Queue(maxsize=50)
        self._finished = threading.Event()
        self._last = time.monotonic()
        error: BaseException | None = None
        # Mono first; some hardware only opens with its native channel count.
        for channels in dict.fromkeys((1, min(2, int(info["max_input_channels"])))):
            try:
                self._stream = sd.InputStream(
                    device=index,
                    channels=channels,
                    samplerate=rate,
                    blocksize=max(1, round(rate * settings.block_s)),
                    dtype="float32",
                    callback=self._callback,
                    finished_callback=self._finished.set,
                )
                break
            except Exception as exc:
                error = exc
        else:
            assert error is not None
            raise classify_portaudio_error(error, self._what) from error

    def start(self) -> None:
        try:
            self._stream.start()
        except Exception as exc:
            self.close()
            raise classify_portaudio_error(exc, self._what) from exc
        self._last = time.monotonic()

    def _callback(self, indata: Samples, frames: int, time_info: Any, status: Any) -> None:
        mono = indata[:, 0].copy() if indata.shape[1] == 1 else indata.mean(axis=1)
        # If the analysis fell behind, dropping a block is better than lagging ever more.
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait((mono.astype(np.float32, copy=False), time.time()))

    def read(self, stop: threading.Event) -> tuple[Samples, float] | None:
        while not stop.is_set():
            try:
                block = self._queue.get(timeout=0.1)
            except queue.Empty:
                pass
            else:
                self._last = time.monotonic()
                return block
            if self._finished.is_set():
                raise AudioError(MIC_UNAVAILABLE, NOT_READABLE, f"{self._what}: stream ended")
            silent_for = time.monotonic() - self._last
            if silent_for > self._settings.stall_s:
                raise AudioError(
                    MIC_UNAVAILABLE, NOT_READABLE, f"{self._what}: no audio for {silent_for:.1f} s"
                )
        return None

    def close(self) -> None:
        """Closes in a helper thread: a lost stream can hang there (see ``_WEDGED``)."""
        closer = threading.Thread(target=self._close, name="microphone-close", daemon=True)
        closer.start()
        closer.join(_CLOSE_TIMEOUT_S)
        if closer.is_alive():
            _abandon(self._sd, self._what)

    def _close(self) -> None:
        try:
            self._stream.abort()
            self._stream.close()
        except Exception:  # a device that vanished may not close cleanly; it is gone anyway
            log.debug("closing %s failed", self._what, exc_info=True)


# --- detector -----------------------------------------------------------------------------


class MicrophoneDetector:
    """Publishes an ``AudioLevel`` per block from a microphone or a WAV file.

    ``open()`` is synchronous so setup can report 4009/4007/4003 before the exam starts.
    ``publish`` and ``on_error`` are called from the capture thread: a Qt caller must hand
    them over to its own thread (a queued signal). A device lost during capture is reported
    once through ``on_error``; the thread then tries to reopen it every ``retry_s`` and carries
    on publishing, with the learnt background, when it is back.
    """

    def __init__(
        self,
        source: MicrophoneSource,
        publish: Callable[[AudioLevel], None],
        settings: AudioSettings | None = None,
        on_error: Callable[[AudioError], None] | None = None,
    ) -> None:
        self.source = source
        self.settings = settings if settings is not None else AudioSettings()
        self._publish = publish
        self._on_error = on_error
        self.tracker = LevelTracker(self.settings)
        self._capture: _Capture | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        """Checks and opens the source, or raises AudioError with the catalogue's code.

        Opening does not capture yet: nothing is heard before ``start()``."""
        if self._capture is None:
            self._capture = self._open_capture()

    def start(self) -> None:
        if self._thread is not None:
            return
        self.open()
        assert self._capture is not None
        try:
            self._capture.start()
        except AudioError:
            self._capture = None  # start() closed it
            raise
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="microphone", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("microphone thread did not stop within %.1f s", timeout)
                return  # it still owns the capture; it closes it when it ends
            self._thread = None
        if self._capture is not None:  # opened but never started, or left by the thread
            self._capture.close()
            self._capture = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _open_capture(self) -> _Capture:
        if self.source.kind == "none":
            raise AudioError(NO_MICROPHONE, None, "no microphone (--microphone none)")
        if self.source.kind == "file":
            return _WavCapture(self.source.path, self.settings.block_s)
        return _StreamCapture(self.source, self.settings)

    def _run(self) -> None:
        lost = False
        while not self._stop.is_set():
            capture = self._capture
            if capture is None:
                try:
                    capture = self._open_capture()
                    capture.start()
                    self._capture = capture
                except AudioError as exc:
                    log.debug("reopening %s failed: %s", self.source.describe(), exc)
                    self._stop.wait(self.settings.retry_s)
                    continue
                if lost:
                    log.info("%s is back", self.source.describe())
                    lost = False
            try:
                block = capture.read(self._stop)
            except AudioError as exc:
                self._capture = None
                if not lost:  # reported before closing: closing a lost device can hang
                    lost = True
                    self._report(exc)
                capture.close()
                self._stop.wait(self.settings.retry_s)
                continue
            if block is not None:
                self._emit(self.tracker.feed(*block))
        if self._capture is not None:
            self._capture.close()
            self._capture = None

    def _emit(self, level: AudioLevel) -> None:
        try:
            self._publish(level)
        except Exception:  # a subscriber's bug must not end the capture
            log.exception("publishing an audio level failed")

    def _report(self, error: AudioError) -> None:
        log.warning("%s lost: %s", self.source.describe(), error)
        if self._on_error is None:
            return
        try:
            self._on_error(error)
        except Exception:
            log.exception("reporting a microphone error failed")
