"""Credentials the kiosk needs, kept in the operating system's keyring, never in a file.

Secret Service on Linux (gnome-keyring, KWallet), the Credential Manager on Windows, the
Keychain on macOS, through ``keyring``. The configuration names a secret; its value lives only
here. Without a keyring that keeps secrets safely there is a clear error naming what to install,
and never a plaintext fallback (``keyrings.alt``'s file backends are refused, as is none).

Keyrings cannot list what they hold, so the names of the kiosk's secrets are kept beside them,
as one more entry of the same service.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kiosk.platform.errors import KioskExit

SERVICE = "kiosk"
#: A secret's name: what a configuration file writes to refer to it.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_INDEX = "(the names of kiosk's secrets)"
#: Backends that keep secrets in the open, or not at all.
_UNSAFE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


class NoKeyring(KioskExit):
    """No keyring that keeps secrets safely (exit 6)."""

    exit_code = 6


class BadSecretName(KioskExit):
    exit_code = 2


def _keyring() -> Any:
    try:
        import keyring
        from keyring.backends.chainer import ChainerBackend
    except ImportError:
        raise NoKeyring("the keyring package is missing: run `make setup`") from None
    backend = keyring.get_keyring()
    inner = backend.backends if isinstance(backend, ChainerBackend) else [backend]
    safe = [b for b in inner if not type(b).__module__.startswith(_UNSAFE_MODULES)]
    if not safe:
        raise NoKeyring(
            "no keyring to keep secrets in: on Linux install gnome-keyring (or KWallet) and run "
            "inside a desktop session (a D-Bus session bus with a Secret Service); kiosk never "
            "keeps secrets in a plain file"
        )
    return safe[0]


def _call(what: str, action: Any) -> Any:
    try:
        return action()
    except KioskExit:
        raise
    except Exception as exc:  # the backend's own errors: locked, no D-Bus, refused
        raise NoKeyring(f"the keyring could not {what}: {exc}") from None


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise BadSecretName(
            f"{name!r} is not a secret's name (letters, digits, '.', '_' and '-', 64 at most)"
        )
    return name


def names() -> list[str]:
    backend = _keyring()
    raw = _call("be read", lambda: backend.get_password(SERVICE, _INDEX))
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        found = []
    return sorted(n for n in found if isinstance(n, str))


def _save_names(backend: Any, found: list[str]) -> None:
    _call("be written", lambda: backend.set_password(SERVICE, _INDEX, json.dumps(sorted(found))))


def get(name: str) -> str | None:
    check_name(name)
    backend = _keyring()
    value: str | None = _call("be read", lambda: backend.get_password(SERVICE, name))
    return value


def put(name: str, value: str) -> None:
    check_name(name)
    backend = _keyring()
    _call("be written", lambda: backend.set_password(SERVICE, name, value))
    _save_names(backend, sorted({*names(), name}))


def delete(name: str) -> bool:
    """Whether there was such a secret."""
    check_name(name)
    backend = _keyring()
    if get(name) is None:
        return False
    _call("be written", lambda: backend.delete_password(SERVICE, name))
    _save_names(backend, [n for n in names() if n != name])
    return True
