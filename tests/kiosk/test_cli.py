"""The command line, the exam URL, the engine settings policy, the window mode and origins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.origin import origin_of
from kiosk import __version__
from kiosk.cli import main
from kiosk.launch import preflight
from kiosk.launch.resolve import check_target
from kiosk.platform.errors import EngineStartError, UsageError
from policies import engine, window_mode

# -- the exam URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://x",
        "https://exam.example.org/quiz?id=3#q1",
        "HTTPS://Exam.Example.org",
        "http://127.0.0.1:8080/",
        "http://[::1]:8443/exam",
        "https://exam.example.org:443",
    ],
)
def test_check_target_accepts_http_and_https(url: str) -> None:
    assert check_target(url) == url


def test_check_target_strips_surrounding_whitespace() -> None:
    assert check_target("  https://exam.example.org/  ") == "https://exam.example.org/"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "file is not supported"),
        ("javascript:alert(1)", "javascript is not supported"),
        ("ftp://exam.example.org/", "ftp is not supported"),
        ("data:text/html,<p>x</p>", "data is not supported"),
        ("exam.example.org", "no scheme is not supported"),
        ("http://", "the URL has no host"),
        ("https:///path", "the URL has no host"),
        ("http://exam example.org/", "cannot contain spaces"),
        ("http://exam.example.org/a b", "cannot contain spaces"),
        ("http://exam.example.org:99999/", "the port is not a number"),
        ("http://exam.example.org:port/", "the port is not a number"),
    ],
)
def test_check_target_rejects(url: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_target(url)
    assert words in str(caught.value)
    assert repr(url) in str(caught.value)
    assert caught.value.exit_code == 2


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


# -- engine settings from the environment ---------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        "--remote-debugging-port=9222",
        "--no-sandbox",
        "--disable-web-security",
        "--disable-gpu --no-sandbox",
        "--REMOTE-DEBUGGING-PORT=9222",
        '"--no-sandbox"',  # Qt strips the quotes too
        "--user-data-dir=/tmp/x",
        '--no-sandbox "',  # unbalanced quote: still found
    ],
)
def test_dangerous_chromium_flags_are_unsafe(flags: str) -> None:
    verdict = engine.decide({"QTWEBENGINE_CHROMIUM_FLAGS": flags})
    assert not verdict.allowed
    assert len(verdict.unsafe) == 1
    assert verdict.unsafe[0].startswith("QTWEBENGINE_CHROMIUM_FLAGS ")


def test_remote_debugging_variable_is_unsafe() -> None:
    verdict = engine.decide({"QTWEBENGINE_REMOTE_DEBUGGING": "9222"})
    assert not verdict.allowed
    assert verdict.unsafe == ("QTWEBENGINE_REMOTE_DEBUGGING=9222",)


def test_disable_sandbox_variable_is_unsafe() -> None:
    verdict = engine.decide({"QTWEBENGINE_DISABLE_SANDBOX": "1"})
    assert not verdict.allowed
    assert verdict.sandbox_disabled


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_disable_sandbox_with_any_value_is_unsafe(value: str) -> None:
    """Qt disables the sandbox when the variable is *set*, whatever its value.

    QtWebEngine's web_engine_context.cpp: ``qEnvironmentVariableIsSet(kDisableSandboxEnv)``;
    with the installed Qt 6.11, QTWEBENGINE_DISABLE_SANDBOX=0 prints "Sandboxing disabled by
    user." and runs as root, which only works without the sandbox.
    """
    verdict = engine.decide({"QTWEBENGINE_DISABLE_SANDBOX": value})
    assert not verdict.allowed, f"QTWEBENGINE_DISABLE_SANDBOX={value!r} disables Qt's sandbox"
    assert verdict.sandbox_disabled


@pytest.mark.parametrize(
    "flags",
    [
        "-no-sandbox",
        "-remote-debugging-port=9222",
        "-disable-web-security",
    ],
)
def test_single_dash_chromium_flags_are_unsafe(flags: str) -> None:
    """Chromium's CommandLine takes both '--' and '-' as switch prefixes on POSIX."""
    verdict = engine.decide({"QTWEBENGINE_CHROMIUM_FLAGS": flags})
    assert not verdict.allowed, f"{flags} reaches Chromium as a switch"


def test_flags_are_split_as_qt_splits_them() -> None:
    """Qt splits QTWEBENGINE_CHROMIUM_FLAGS on spaces and double quotes only, not as a shell.

    For Qt, this is three arguments: ``--x='``, ``--no-sandbox`` and ``'``.
    """
    verdict = engine.decide({"QTWEBENGINE_CHROMIUM_FLAGS": "--x=' --no-sandbox '"})
    assert not verdict.allowed


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --enable-logging --v=1"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": ""},
        {"KIOSK_TEST_ALLOW_UNSAFE_ENGINE": "1"},
    ],
)
def test_harmless_settings_pass(env: dict[str, str]) -> None:
    verdict = engine.decide(env)
    assert verdict.allowed
    assert verdict.unsafe == ()
    assert not verdict.sandbox_disabled


def test_unsafe_settings_are_allowed_only_by_the_test_variable() -> None:
    env = {
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--remote-debugging-port=9222",
    }
    assert not engine.decide(env).allowed
    assert not engine.decide({**env, engine.ALLOW_UNSAFE_ENV: "0"}).allowed
    assert not engine.decide({**env, engine.ALLOW_UNSAFE_ENV: ""}).allowed
    verdict = engine.decide({**env, engine.ALLOW_UNSAFE_ENV: "1"})
    assert verdict.allowed
    assert verdict.unsafe == (
        "QTWEBENGINE_DISABLE_SANDBOX=1",
        "QTWEBENGINE_CHROMIUM_FLAGS --remote-debugging-port=9222",
    )
    assert verdict.sandbox_disabled


def test_preflight_refuses_unsafe_settings_without_the_test_variable() -> None:
    with pytest.raises(UsageError) as caught:
        preflight.check_engine_environment({"QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"})
    assert caught.value.exit_code == 2
    assert "--no-sandbox" in str(caught.value)
    assert engine.ALLOW_UNSAFE_ENV in str(caught.value)


def test_preflight_accepts_allowed_unsafe_settings() -> None:
    env = {"QTWEBENGINE_DISABLE_SANDBOX": "1", engine.ALLOW_UNSAFE_ENV: "1"}
    verdict = preflight.check_engine_environment(env)
    assert verdict.allowed
    assert verdict.sandbox_disabled


def test_preflight_with_a_safe_environment() -> None:
    if os.geteuid() == 0:
        with pytest.raises(EngineStartError, match="sandbox cannot start as root"):
            preflight.check_engine_environment({})
    else:
        assert preflight.check_engine_environment({}).unsafe == ()


# -- window mode ----------------------------------------------------------------------------------


def test_window_mode_fullscreen_by_default() -> None:
    for allow in (True, False):
        decision = window_mode.decide(False, allow)
        assert decision.fullscreen
        assert decision.refused is None


def test_window_mode_windowed_when_allowed() -> None:
    decision = window_mode.decide(True, True)
    assert not decision.fullscreen
    assert decision.refused is None


def test_window_mode_windowed_refused_by_policy() -> None:
    decision = window_mode.decide(True, False)
    assert decision.fullscreen
    assert decision.refused is not None
    assert "policy.allow_windowed" in decision.refused


# -- origins --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://exam.example.org/quiz?x=1#y", "http://exam.example.org"),
        ("http://exam.example.org:80/", "http://exam.example.org"),
        ("https://exam.example.org:443/", "https://exam.example.org"),
        ("https://exam.example.org:8443/", "https://exam.example.org:8443"),
        ("http://exam.example.org:443/", "http://exam.example.org:443"),
        ("https://exam.example.org:80/", "https://exam.example.org:80"),
        ("HTTPS://Exam.Example.ORG/", "https://exam.example.org"),
        ("http://user:pw@exam.example.org:8080/", "http://exam.example.org:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("http://[::1]/", "http://[::1]"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        # An internationalised host: location.origin spells it in punycode, so must we.
        ("https://Bücher.example/quiz", "https://xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example:8443/", "https://xn--bcher-kva.example:8443"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "about:blank",
        "data:text/html,x",
        "javascript:alert(1)",
        "ftp://exam.example.org/",
        "http://",
        "",
        "http://exam.example.org:99999/",
    ],
)
def test_origin_of_non_http_is_null(url: str) -> None:
    assert origin_of(url) == "null"
