"""Camera and microphone sources as given on the command line (``--camera``, ``--microphone``).

A file source stands in for a device through the same capture code path, which is how the
detectors are tested on a machine without a camera or a sound card.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

NONE = "none"


@dataclass(frozen=True)
class CameraSource:
    kind: Literal["device", "file", "none"]
    index: int | None = None
    path: Path | None = None

    def describe(self) -> str:
        if self.kind == "device":
            return f"camera device {self.index}"
        if self.kind == "file":
            return f"video file {self.path}"
        return "no camera"


@dataclass(frozen=True)
class MicrophoneSource:
    kind: Literal["default", "device", "file", "none"]
    index: int | None = None
    name: str | None = None
    path: Path | None = None

    def describe(self) -> str:
        if self.kind == "device":
            return f"microphone {self.name if self.name is not None else self.index}"
        if self.kind == "file":
            return f"WAV file {self.path}"
        return "no microphone" if self.kind == "none" else "the default microphone"


def _looks_like_path(text: str) -> bool:
    return os.sep in text or text.startswith(".") or Path(text).suffix != ""


def _readable_file(text: str, what: str) -> Path:
    shown = repr(text if len(text) <= 80 else text[:77] + "...")
    try:
        path = Path(text).expanduser()
        if not path.exists():
            raise ValueError(f"{what} {shown}: no such file")
        if not path.is_file():
            raise ValueError(f"{what} {shown}: not a regular file")
        if not os.access(path, os.R_OK):
            raise ValueError(f"{what} {shown}: not readable")
        if path.stat().st_size == 0:
            raise ValueError(f"{what} {shown}: the file is empty")
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a name too long; ~nobody; a loop of links
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValueError(f"{what} {shown}: cannot read it ({reason})") from None


def parse_camera(text: str) -> CameraSource:
    """A device index (``0``), a video file path, or ``none``."""
    text = text.strip()
    if text.lower() == NONE:
        return CameraSource("none")
    if text.isdigit():
        return CameraSource("device", index=int(text))
    if not text:
        raise ValueError("camera source is empty: give a device index, a video file or 'none'")
    if not _looks_like_path(text):
        raise ValueError(f"camera source {text!r}: not a device index, a video file path or 'none'")
    return CameraSource("file", path=_readable_file(text, "camera video file"))


def parse_microphone(text: str) -> MicrophoneSource:
    """``default``, a device index or name, a WAV file path, or ``none``."""
    text = text.strip()
    lowered = text.lower()
    if lowered == NONE:
        return MicrophoneSource("none")
    if lowered == "default":
        return MicrophoneSource("default")
    if not text:
        raise ValueError(
            "microphone source is empty: give 'default', a device, a WAV file or 'none'"
        )
    if text.isdigit():
        return MicrophoneSource("device", index=int(text))
    # Device names may hold dots (PulseAudio's "alsa_input.pci-0000_00_1f.3.analog-stereo",
    # "Yeti 2.0"): only a path separator, a leading . or ~, or a .wav suffix means a file.
    if not (os.sep in text or text.startswith((".", "~")) or text.lower().endswith(".wav")):
        return MicrophoneSource("device", name=text)
    path = _readable_file(text, "microphone WAV file")
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnframes() == 0 or wav.getframerate() <= 0:
                raise ValueError(f"microphone WAV file {text!r}: holds no audio")
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"microphone WAV file {text!r}: not a readable WAV file ({exc})") from None
    return MicrophoneSource("file", path=path)
