"""The checks made before Qt starts: unsafe engine settings are refused with one line."""

from __future__ import annotations

import os

import pytest

from kiosk.launch import preflight
from kiosk.platform.errors import EngineStartError, UsageError
from policies import engine

# -- engine settings from the environment ---------------------------------------------------------


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


def test_preflight_refuses_a_proxy_with_the_same_line_whatever_is_allowed() -> None:
    env = {"http_proxy": "http://10.9.9.9:3128", engine.ALLOW_UNSAFE_ENV: "1"}
    with pytest.raises(UsageError) as caught:
        preflight.check_engine_environment(env)
    assert caught.value.exit_code == 2
    line = str(caught.value)
    assert line.startswith("refusing unsafe web-engine settings from the environment: ")
    assert "http_proxy=http://10.9.9.9:3128" in line
    assert "never from the environment" in line and engine.ALLOW_UNSAFE_ENV not in line
