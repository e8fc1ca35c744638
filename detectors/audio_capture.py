"""Where a microphone's blocks come from: a WAV file paced in real time, or a PortAudio stream.

sounddevice is imported only when a device is opened: it loads PortAudio at import, and the WAV
path must work (and this module import fast) without it. Every failure is a ``DeviceError``
of the microphone, with the kind of problem it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import wave
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from detectors.audio_level import AudioSettings, Samples, pcm_to_mono
from detectors.base import DeviceError, Problem
from detectors.sources import MicrophoneSource

log = logging.getLogger("kiosk.detectors.audio")


def _problem(problem: Problem, message: str) -> DeviceError:
    return DeviceError("microphone", problem, message)


class Capture(Protocol):
    """Where the blocks come from: a WAV file or a PortAudio input stream."""

    def start(self) -> None:
        """Begins capturing (opening only checks). Raises DeviceError."""

    def read(self, stop: threading.Event) -> tuple[Samples, float] | None:
        """The next block and its unix time; None when ``stop`` was set. Raises DeviceError."""

    def close(self) -> None: ...


# --- WAV file -----------------------------------------------------------------------------


class WavCapture:
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
            raise _problem(
                Problem.NOT_READABLE, f"WAV file {self._path}: read failed ({exc})"
            ) from exc
        self._frames_out += self._block
        return np.concatenate(parts), time.time()

    def close(self) -> None:
        self._wav.close()


def _open_wav(path: Path | None) -> wave.Wave_read:
    """Opens a PCM WAV file or raises the DeviceError that says why it cannot."""
    if path is None or not path.exists():
        raise _problem(Problem.NOT_FOUND, f"WAV file {path}: no such file")
    if not path.is_file():
        raise _problem(Problem.NOT_READABLE, f"WAV file {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise _problem(Problem.DENIED, f"WAV file {path}: permission denied")
    try:
        wav = wave.open(str(path), "rb")  # noqa: SIM115  (the capture owns it until close())
    except PermissionError as exc:
        raise _problem(Problem.DENIED, f"WAV file {path}: permission denied") from exc
    except (OSError, EOFError, wave.Error) as exc:
        raise _problem(
            Problem.NOT_READABLE, f"WAV file {path}: not a readable PCM WAV ({exc})"
        ) from exc
    if wav.getnframes() == 0 or wav.getframerate() <= 0 or wav.getsampwidth() not in (1, 2, 3, 4):
        wav.close()
        raise _problem(Problem.NOT_READABLE, f"WAV file {path}: holds no 8-32 bit PCM audio")
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
        raise _problem(Problem.ABSENT, f"no audio system: {exc}") from exc
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
        raise _problem(Problem.ABSENT, "no input device found")
    if source.kind == "default":
        if default_input not in inputs:
            raise _problem(Problem.ABSENT, "no default input device")
        return default_input
    names = {i: str(devices[i].get("name", "")) for i in inputs}
    listing = ", ".join(f"{i} {name!r}" for i, name in names.items())
    if source.index is not None and source.name is None:
        if source.index not in inputs:
            raise _problem(
                Problem.NOT_FOUND,
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
    raise _problem(
        Problem.NOT_FOUND,
        f"no input device named {source.name!r} (inputs: {listing})",
    )


def classify_portaudio_error(exc: BaseException, what: str) -> DeviceError:
    """PortAudio reports ALSA's EACCES as text ("Permission denied", ALSA error -13)."""
    text = str(exc)
    lowered = text.casefold()
    if isinstance(exc, PermissionError) or "permission denied" in lowered or "-13]" in text:
        return _problem(Problem.DENIED, f"{what}: access denied ({text})")
    return _problem(Problem.NOT_READABLE, f"{what}: cannot capture ({text})")


class StreamCapture:
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
            raise _problem(Problem.ABSENT, f"cannot list audio devices: {exc}") from exc
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
                raise _problem(Problem.NOT_READABLE, f"{self._what}: stream ended")
            silent_for = time.monotonic() - self._last
            if silent_for > self._settings.stall_s:
                raise _problem(
                    Problem.NOT_READABLE, f"{self._what}: no audio for {silent_for:.1f} s"
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
