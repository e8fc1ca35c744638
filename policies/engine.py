"""Which web-engine settings arriving through the environment the kiosk accepts.

Chromium reads flags from ``QTWEBENGINE_CHROMIUM_FLAGS`` and Qt reads a few variables of its
own; any of them can open a lockdown browser wide (a remote debugger, no sandbox, no same-origin
policy). They are refused unless the test-only setting ``KIOSK_TEST_ALLOW_UNSAFE_ENGINE=1``
allows them, and then the session record says which were in force.

A proxy is refused whatever that setting says: the proxy variables the engine would follow
(``http_proxy``...), and every flag that decides where the engine's connections go, which the
kiosk sets itself (policies/network.py). A proxy from the student's environment sees, and can
answer, all of the exam's traffic.
"""

from __future__ import annotations

import contextlib
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
    # another program in place of, or in front of, Chromium's own processes
    "--renderer-cmd-prefix",
    "--utility-cmd-prefix",
    "--gpu-launcher",
    "--browser-subprocess-path",
    # traffic interception: the exam's connections sent elsewhere, certificates not checked
    "--ignore-certificate-errors",
    "--ignore-certificate-errors-spki-list",
    "--host-resolver-rules",
    "--host-rules",
    "--load-extension",
)
#: Where the engine's connections go: the kiosk's own (policies/network.py), never the
#: environment's, even where the test-only allowance admits the flags above.
NETWORK_FLAGS = (
    "--proxy-server",
    "--proxy-pac-url",
    "--proxy-auto-detect",
    "--proxy-bypass-list",
    "--no-proxy-server",
    "--winhttp-proxy-resolver",
    "--force-webrtc-ip-handling-policy",
    "--webrtc-ip-handling-policy",
)
#: What Chromium's proxy settings on Linux read from the environment (both cases).
_PROXY_NAMES = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "auto_proxy", "socks_proxy")
PROXY_VARIABLES = (*(n for base in _PROXY_NAMES for n in (base, base.upper())), "SOCKS_SERVER")
DANGEROUS_VARIABLES = (
    "QTWEBENGINE_DISABLE_SANDBOX",
    "QTWEBENGINE_REMOTE_DEBUGGING",
    # another renderer process, or other resources, in place of QtWebEngine's own
    "QTWEBENGINEPROCESS_PATH",
    "QTWEBENGINE_RESOURCES_PATH",
    "QTWEBENGINE_LOCALES_PATH",
)


@dataclass(frozen=True)
class EngineVerdict:
    allowed: bool
    unsafe: tuple[str, ...]  # what is set, spelled as the environment spells it
    #: The part of ``unsafe`` no allowance admits: a proxy, or where connections go.
    network: tuple[str, ...] = ()

    @property
    def sandbox_disabled(self) -> bool:
        return any(
            u.startswith(("QTWEBENGINE_DISABLE_SANDBOX", "--no-sandbox")) for u in self.unsafe
        )


def _truthy(value: str) -> bool:
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def _qt_split(text: str) -> list[str]:
    """Splits as Qt's parseEnvCommandLine does: on spaces, double quotes group, nothing else."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch.isspace() and not quoted:
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return out


def _candidate_flags(text: str) -> list[str]:
    """Every token any reasonable splitter could hand Chromium; a flag hidden from one shows."""
    tokens = _qt_split(text) + text.split()
    with contextlib.suppress(ValueError):  # unbalanced quotes: the other splits still count
        tokens += shlex.split(text)
    return list(dict.fromkeys(tokens))


def test_machine(env: Mapping[str, str], allowance: bool = True) -> bool:
    """Whether this is a test machine that lets unsafe settings through: the managed policy
    keeps the allowance (``allowance``) and the environment asks for it."""
    return allowance and _truthy(env.get(ALLOW_UNSAFE_ENV, ""))


def decide(env: Mapping[str, str], allowance: bool = True) -> EngineVerdict:
    """``allowance``: whether the test-machine allowance exists at all (a school's managed
    policy turns it off; then nothing in the environment can let an unsafe setting through)."""
    unsafe: list[str] = []
    # Chromium ignores an empty proxy variable.
    network = [f"{name}={env[name]}" for name in PROXY_VARIABLES if env.get(name, "").strip()]
    for name in DANGEROUS_VARIABLES:
        value = env.get(name)
        # Qt only asks whether these are set: QTWEBENGINE_DISABLE_SANDBOX=0 disables it too.
        if value is not None:
            unsafe.append(f"{name}={value}")
    for token in _candidate_flags(env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")):
        if not token.startswith("-"):
            continue
        # Chromium on Linux takes "-switch" as well as "--switch".
        name = "--" + token.lstrip("-").split("=", 1)[0].lower()
        if name in DANGEROUS_FLAGS:
            unsafe.append(f"QTWEBENGINE_CHROMIUM_FLAGS {token}")
        elif name in NETWORK_FLAGS:
            network.append(f"QTWEBENGINE_CHROMIUM_FLAGS {token}")
    allowed = not network and (not unsafe or test_machine(env, allowance))
    return EngineVerdict(allowed=allowed, unsafe=tuple(network + unsafe), network=tuple(network))
