"""Which web-engine settings arriving through the environment the kiosk accepts.

Chromium reads flags from ``QTWEBENGINE_CHROMIUM_FLAGS`` and Qt reads a few variables of its
own; any of them can open a lockdown browser wide (a remote debugger, no sandbox, no same-origin
policy). They are refused unless the test-only setting ``KIOSK_TEST_ALLOW_UNSAFE_ENGINE=1``
allows them, and then the session record says which were in force.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

ALLOW_UNSAFE_ENV = "KIOSK_TEST_ALLOW_UNSAFE_ENGINE"

DANGEROUS_FLAGS = (
    "--remote-debugging-port",
    "--remote-debugging-pipe",
    "--remote-debugging-address",
    "--remote-allow-origins",
    "--no-sandbox",
    "--disable-web-security",
    "--disable-site-isolation-trials",
    "--allow-file-access-from-files",
    "--allow-running-insecure-content",
    "--user-data-dir",
    "--single-process",
    "--in-process-gpu",
    "--disable-setuid-sandbox",
    "--disable-seccomp-filter-sandbox",
)
DANGEROUS_VARIABLES = (
    "QTWEBENGINE_DISABLE_SANDBOX",
    "QTWEBENGINE_REMOTE_DEBUGGING",
)


@dataclass(frozen=True)
class EngineVerdict:
    allowed: bool
    unsafe: tuple[str, ...]  # what is set, spelled as the environment spells it

    @property
    def sandbox_disabled(self) -> bool:
        return any(
            u.startswith(("QTWEBENGINE_DISABLE_SANDBOX", "--no-sandbox")) for u in self.unsafe
        )


def _truthy(value: str) -> bool:
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def decide(env: Mapping[str, str]) -> EngineVerdict:
    unsafe: list[str] = []
    for name in DANGEROUS_VARIABLES:
        value = env.get(name)
        if value is not None and (name != "QTWEBENGINE_DISABLE_SANDBOX" or _truthy(value)):
            unsafe.append(f"{name}={value}")
    try:
        flags = shlex.split(env.get("QTWEBENGINE_CHROMIUM_FLAGS", ""))
    except ValueError:
        flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    for flag in flags:
        name = flag.split("=", 1)[0].lower()
        if name in DANGEROUS_FLAGS:
            unsafe.append(f"QTWEBENGINE_CHROMIUM_FLAGS {flag}")
    allowed = not unsafe or _truthy(env.get(ALLOW_UNSAFE_ENV, ""))
    return EngineVerdict(allowed=allowed, unsafe=tuple(unsafe))
