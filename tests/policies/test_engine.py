"""Web-engine settings from the environment that open the kiosk up are refused."""

from __future__ import annotations

import pytest

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
