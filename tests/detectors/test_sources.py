"""--camera and --microphone sources: devices, files, or none."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from detectors.sources import CameraSource, MicrophoneSource, parse_camera, parse_microphone


def _wav(path: Path, frames: int = 800) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * frames)
    return path


# -- camera ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "index"), [("0", 0), ("2", 2), (" 1 ", 1), ("10", 10)])
def test_camera_index(text: str, index: int) -> None:
    assert parse_camera(text) == CameraSource("device", index=index)


@pytest.mark.parametrize("text", ["none", "NONE", " None "])
def test_camera_none(text: str) -> None:
    source = parse_camera(text)
    assert source == CameraSource("none")
    assert source.describe() == "no camera"


def test_camera_video_file(tmp_path: Path) -> None:
    video = tmp_path / "exam.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")  # any non-empty file
    source = parse_camera(str(video))
    assert source == CameraSource("file", path=video.resolve())
    assert source.describe() == f"video file {video.resolve()}"


def test_camera_missing_file() -> None:
    with pytest.raises(ValueError, match=r"'/nonexistent\.mp4': no such file"):
        parse_camera("/nonexistent.mp4")


def test_camera_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        parse_camera(str(tmp_path))


def test_camera_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(ValueError, match="the file is empty"):
        parse_camera(str(empty))


@pytest.mark.parametrize("text", ["", "   "])
def test_camera_empty_text(text: str) -> None:
    with pytest.raises(ValueError, match="camera source is empty"):
        parse_camera(text)


@pytest.mark.parametrize("text", ["webcam", "-1"])
def test_camera_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a device index, a video file path or 'none'"):
        parse_camera(text)


# -- microphone -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["default", "Default", " default "])
def test_microphone_default(text: str) -> None:
    source = parse_microphone(text)
    assert source == MicrophoneSource("default")
    assert source.describe() == "the default microphone"


def test_microphone_none() -> None:
    source = parse_microphone("none")
    assert source == MicrophoneSource("none")
    assert source.describe() == "no microphone"


def test_microphone_index() -> None:
    source = parse_microphone("3")
    assert source == MicrophoneSource("device", index=3)
    assert source.describe() == "microphone 3"


def test_microphone_device_name() -> None:
    source = parse_microphone("USB Headset")
    assert source == MicrophoneSource("device", name="USB Headset")
    assert source.describe() == "microphone USB Headset"


def test_microphone_pulseaudio_source_name_is_a_device() -> None:
    """PulseAudio/PipeWire source names (``pactl list short sources``) contain dots."""
    name = "alsa_input.pci-0000_00_1f.3.analog-stereo"
    assert parse_microphone(name) == MicrophoneSource("device", name=name)


def test_microphone_empty_text() -> None:
    with pytest.raises(ValueError, match="microphone source is empty"):
        parse_microphone("  ")


def test_microphone_wav_file(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "speech.wav")
    source = parse_microphone(str(wav))
    assert source == MicrophoneSource("file", path=wav.resolve())
    assert source.describe() == f"WAV file {wav.resolve()}"


def test_microphone_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.wav"
    with pytest.raises(ValueError) as caught:
        parse_microphone(str(missing))
    assert str(caught.value) == f"microphone WAV file {str(missing)!r}: no such file"


def test_microphone_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        parse_microphone(str(tmp_path))


def test_microphone_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    with pytest.raises(ValueError, match="the file is empty"):
        parse_microphone(str(empty))


def test_microphone_file_that_is_not_wav(tmp_path: Path) -> None:
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"ID3\x03\x00" + b"\x00" * 200)  # an MP3 renamed .wav
    with pytest.raises(ValueError, match=r"fake\.wav'?: not a readable WAV file"):
        parse_microphone(str(fake))


def test_microphone_truncated_wav(tmp_path: Path) -> None:
    short = tmp_path / "short.wav"
    short.write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="not a readable WAV file"):
        parse_microphone(str(short))


def test_microphone_wav_without_audio(tmp_path: Path) -> None:
    silent = _wav(tmp_path / "nothing.wav", frames=0)
    with pytest.raises(ValueError, match="holds no audio"):
        parse_microphone(str(silent))
