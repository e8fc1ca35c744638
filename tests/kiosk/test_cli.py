"""The command line, the exam URL, the engine settings policy, the window mode and origins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.cli import main
from policies import engine

# -- kiosk.cli.main -------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "QTWEBENGINE_CHROMIUM_FLAGS",
        "QTWEBENGINE_DISABLE_SANDBOX",
        "QTWEBENGINE_REMOTE_DEBUGGING",
        engine.ALLOW_UNSAFE_ENV,
        "KIOSK_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {captured.err!r}"
    assert lines[0].startswith("kiosk: error: ")
    assert captured.out == ""
    return lines[0]


@pytest.mark.usefixtures("clean_env")
def test_missing_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    line = _one_error_line(capsys)
    assert "TARGET" in line
    assert "--help" in line


@pytest.mark.usefixtures("clean_env")
def test_missing_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in _one_error_line(capsys)


@pytest.mark.usefixtures("clean_env")
def test_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "http://x", "--camra", "0"]) == 2
    assert "--camra" in _one_error_line(capsys)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"kiosk {__version__}"


@pytest.mark.usefixtures("clean_env")
def test_file_url_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "file:///etc/passwd"]) == 2
    line = _one_error_line(capsys)
    assert "file:///etc/passwd" in line
    assert "http://" in line


@pytest.mark.usefixtures("clean_env")
def test_missing_camera_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "http://x", "--camera", "/nonexistent.mp4"]) == 2
    line = _one_error_line(capsys)
    assert "--camera" in line
    assert "/nonexistent.mp4" in line
    assert "no such file" in line


@pytest.mark.usefixtures("clean_env")
def test_missing_microphone_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", "http://x", "--microphone", str(tmp_path / "a.wav")]) == 2
    assert "--microphone" in _one_error_line(capsys)


@pytest.mark.usefixtures("clean_env")
def test_bad_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[session]\nautostrat = true\n", encoding="utf-8")
    assert main(["run", "http://x", "--config", str(config)]) == 2
    line = _one_error_line(capsys)
    assert str(config) in line
    assert "session.autostrat" in line


@pytest.mark.usefixtures("clean_env")
def test_missing_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", "http://x", "--config", str(tmp_path / "none.toml")]) == 2
    assert "no such file" in _one_error_line(capsys)


@pytest.mark.usefixtures("clean_env")
def test_windowed_forbidden_by_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[policy]\nallow_windowed = false\n", encoding="utf-8")
    assert main(["run", "http://x", "--windowed", "--config", str(config)]) == 2
    assert "forbidden by policy" in _one_error_line(capsys)


@pytest.mark.usefixtures("clean_env")
def test_event_log_in_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "events.jsonl"
    assert main(["run", "http://x", "--camera", "none", "--event-log", str(target)]) == 2
    assert "does not exist" in _one_error_line(capsys)


def test_unsafe_engine_environment_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(engine.ALLOW_UNSAFE_ENV, raising=False)
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--remote-debugging-port=9222")
    argv = ["run", "http://x", "--camera", "none", "--data-dir", str(tmp_path)]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert "--remote-debugging-port=9222" in line
    assert engine.ALLOW_UNSAFE_ENV in line


def test_unit_tested_modules_do_not_load_qt() -> None:
    code = (
        "import sys\n"
        "import bridge.catalogue, bridge.docs, bridge.origin, kiosk.cli, kiosk.config.settings,"
        " kiosk.config.docs, kiosk.launch.resolve, kiosk.launch.preflight, kiosk.session.record,"
        " kiosk.session.lifecycle, detectors.sources, kiosk.session.tracking, policies.trust,"
        " policies.engine, policies.window_mode\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PyQt6', 'kiosk.platform.qt')))\n"
        "print(loaded)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--camera", "/" + "x" * 5000 + ".mp4", "cannot read it (File name too long)"),
        ("--microphone", "/" + "x" * 300 + "/a.wav", "cannot read it (File name too long)"),
        ("--camera", "~nosuchuser/clip.mp4", "cannot read it"),
        ("--event-log", "/" + "x" * 300 + "/log", "cannot write it (File name too long)"),
        ("--event-log", "~nosuchuser/log", "no such user's home folder"),
        ("--data-dir", "~nosuchuser/data", "no such user's home folder"),
        ("--data-dir", "/tmp/a\x00b", "not a valid folder name"),
        ("--event-log", "/tmp/a\x00b", "cannot write it"),
        ("--config", "/tmp/a\x00b", "not a valid file name"),
    ],
)
def test_an_impossible_path_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, value: str, words: str
) -> None:
    """Found by tests/kiosk/test_cli_fuzz.py: each was an OSError, RuntimeError or ValueError
    traceback."""
    argv = ["run", "http://x", "--camera", "none", "--data-dir", str(tmp_path), option, value]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert option in line or "camera" in line or "microphone" in line or "config" in line
    assert words in line


@pytest.mark.usefixtures("clean_env")
def test_argparse_quoting_a_bad_argument_stays_one_short_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse quotes what it refuses: a newline, a password or 100 KB were printed as given."""
    assert main(["https://student:pw@exam.org/\n" + "x" * 100_000, "run"]) == 2
    line = _one_error_line(capsys)
    assert "invalid choice" in line and "pw@" not in line and len(line) <= 420
