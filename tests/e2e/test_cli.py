"""The command-line contract: exit codes and one clear line for every bad input."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

import pytest

from kiosk import __version__
from tests.support.process import run_cli


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kiosk: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_version_and_help() -> None:
    done = run_cli("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"kiosk {__version__}")
    for args in (("--help",), ("run", "--help")):
        done = run_cli(*args)
        assert done.returncode == 0
        assert "usage: kiosk" in done.stdout
    assert "--event-log" in run_cli("run", "--help").stdout


@pytest.fixture
def bad_config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text("[session]\nautostrat = true\n")
    return path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "COMMAND"),
        (("frobnicate",), "invalid choice"),
        (("run",), "TARGET"),
        (("run", "ftp://example.org/exam"), "ftp is not supported"),
        (("run", "file:///etc/passwd"), "file is not supported"),
        (("run", "javascript:alert(1)"), "javascript is not supported"),
        (("run", "http://"), "no host"),
        (("run", "http://127.0.0.1:99999/"), "port"),
        (("run", "http://[::1/exam"), "the host is not a valid name or address"),
        (("run", "http://student:pw@127.0.0.1/exam"), "carries credentials"),
        (("run", "http://127.0.0.1/?q=" + "a" * 100_000), "characters long"),
        (("run", "http://127.0.0.1/", "--bogus"), "unrecognized arguments: --bogus"),
        (("run", "http://127.0.0.1/", "--camera", "/no/such/clip.mp4"), "--camera"),
        (("run", "http://127.0.0.1/", "--microphone", "/no/such/speech.wav"), "--microphone"),
        (("run", "http://127.0.0.1/", "--config", "/no/such/kiosk.toml"), "no such file"),
    ],
)
def test_bad_usage_exits_2_with_one_clear_line(args: tuple[str, ...], words: str) -> None:
    began = time.monotonic()
    done = run_cli(*args)
    assert time.monotonic() - began < 5  # a 100 KB URL took 16 s
    assert done.returncode == 2, done.stderr
    assert words in one_error_line(done.stderr)


def test_a_config_typo_names_the_key_and_the_file(bad_config: Path) -> None:
    done = run_cli("run", "http://127.0.0.1/", "--config", str(bad_config))
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert str(bad_config) in line and "session.autostrat" in line


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "nested", "unknown keys"])
def test_a_config_that_is_no_file_or_no_configuration_is_one_line_at_once(
    kind: str, tmp_path: Path
) -> None:
    """A FIFO nobody writes hung the kiosk, /dev/zero and 100,000 nested arrays were a
    MemoryError and a RecursionError traceback, 10 MB of unknown keys an 18 MB line."""
    path = tmp_path / "kiosk.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "nested":
        path.write_text("[devices]\ncamera = " + "[" * 100_000 + "]" * 100_000 + "\n")
    elif kind == "unknown keys":
        path.write_text("".join(f"key_{i} = {i}\n" for i in range(700_000)))  # 10 MB
    else:
        path = Path(kind)
    began = time.monotonic()
    done = run_cli("run", "http://127.0.0.1/", "--config", str(path), timeout=20)
    assert time.monotonic() - began < 5
    assert done.returncode == 2, done.stderr
    line = one_error_line(done.stderr)
    assert len(line) < 300 and f"config file {path}: " in line


def test_a_wav_that_is_not_audio_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "speech.wav"
    fake.write_text("not audio")
    done = run_cli("run", "http://127.0.0.1/", "--microphone", str(fake))
    assert done.returncode == 2
    assert "not a readable WAV file" in one_error_line(done.stderr)


def test_windowed_forbidden_by_policy(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("[policy]\nallow_windowed = false\n")
    done = run_cli("run", "http://127.0.0.1/", "--windowed", "--config", str(cfg))
    assert done.returncode == 2
    assert "forbidden by policy" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    "unsafe",
    [
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--remote-debugging-port=9222"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --disable-web-security"},
        {"QTWEBENGINE_REMOTE_DEBUGGING": "9222"},
    ],
)
def test_unsafe_engine_settings_are_refused_unless_a_test_allows_them(
    unsafe: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_TEST_ALLOW_UNSAFE_ENGINE"}
    env.update(unsafe)
    done = run_cli("run", "http://127.0.0.1/", "--data-dir", str(tmp_path), env=env)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "refusing unsafe web-engine settings" in line
    assert "KIOSK_TEST_ALLOW_UNSAFE_ENGINE" in line


def test_no_display_exits_3_saying_what_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = run_cli("run", "http://127.0.0.1/", "--data-dir", str(tmp_path), env=env)
    assert done.returncode == 3
    assert "DISPLAY" in one_error_line(done.stderr)


def test_an_unreachable_display_exits_3(tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": ":987"}
    done = run_cli("run", "http://127.0.0.1/", "--data-dir", str(tmp_path), env=env)
    assert done.returncode == 3
    assert "cannot connect to the X display ':987'" in one_error_line(done.stderr)


def test_an_unwritable_event_log_folder_is_usage(tmp_path: Path) -> None:
    done = run_cli(
        "run", "http://127.0.0.1/", "--event-log", str(tmp_path / "missing" / "log.jsonl")
    )
    assert done.returncode == 2
    assert "does not exist" in one_error_line(done.stderr)


def test_a_real_wav_and_a_video_file_are_accepted_as_sources(tmp_path: Path) -> None:
    """Parsed and validated now; the detectors that read them come later."""
    wav = tmp_path / "speech.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 1600)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = run_cli(
        "run", "http://127.0.0.1/", "--camera", str(clip), "--microphone", str(wav), env=env
    )
    # The sources pass; the run then stops at the missing display (exit 3), not at usage.
    assert done.returncode == 3, done.stderr
