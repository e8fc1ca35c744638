"""Web-engine settings from the environment that open the kiosk up are refused."""

from __future__ import annotations

import pytest

from policies import engine
from policies.engine import decide


@pytest.mark.parametrize(
    "env",
    [
        {"QTWEBENGINEPROCESS_PATH": "/tmp/evil"},
        {"QTWEBENGINE_RESOURCES_PATH": "/tmp/evil"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--renderer-cmd-prefix=/tmp/evil"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--ignore-certificate-errors --proxy-server=127.0.0.1:9"},
        {"QTWEBENGINE_CHROMIUM_FLAGS": "--host-resolver-rules=MAP * 127.0.0.1"},
    ],
)
def test_engine_settings_that_swap_processes_or_intercept_traffic_are_unsafe(
    env: dict[str, str],
) -> None:
    verdict = decide(env)
    assert not verdict.allowed and verdict.unsafe


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


# -- proxies, and where the engine's connections go ------------------------------------------------


@pytest.mark.parametrize("name", engine.PROXY_VARIABLES)
def test_a_proxy_variable_is_refused_even_where_unsafe_settings_are_allowed(name: str) -> None:
    """A proxy sees and can answer all of the exam's traffic: no allowance admits one."""
    env = {name: "http://10.9.9.9:3128", engine.ALLOW_UNSAFE_ENV: "1"}
    verdict = engine.decide(env)
    assert not verdict.allowed
    assert verdict.network == verdict.unsafe == (f"{name}=http://10.9.9.9:3128",)


def test_an_empty_proxy_variable_is_no_proxy() -> None:
    """Chromium ignores an empty one (and no_proxy alone sends nothing anywhere)."""
    assert engine.decide({"http_proxy": "", "no_proxy": "*"}).allowed


@pytest.mark.parametrize(
    "flag",
    [
        "--proxy-server=http://10.9.9.9:3128",
        "--proxy-pac-url=data:,x",
        "--proxy-auto-detect",
        "--proxy-bypass-list=*",
        "--no-proxy-server",
        "--force-webrtc-ip-handling-policy=default",
        "-webrtc-ip-handling-policy=default",
    ],
)
def test_flags_that_decide_where_connections_go_are_refused_always(flag: str) -> None:
    """The kiosk sets these itself (policies/network.py); ``--no-proxy-server`` or a PAC URL
    from the environment would beat its own proxy settings whatever their order."""
    env = {"QTWEBENGINE_CHROMIUM_FLAGS": f"--disable-gpu {flag}", engine.ALLOW_UNSAFE_ENV: "1"}
    verdict = engine.decide(env)
    assert not verdict.allowed
    assert verdict.network == (f"QTWEBENGINE_CHROMIUM_FLAGS {flag}",)


def test_other_unsafe_settings_are_still_listed_with_a_proxy() -> None:
    env = {"https_proxy": "http://p:1", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    verdict = engine.decide({**env, engine.ALLOW_UNSAFE_ENV: "1"})
    assert not verdict.allowed
    assert verdict.unsafe == ("https_proxy=http://p:1", "QTWEBENGINE_CHROMIUM_FLAGS --no-sandbox")
