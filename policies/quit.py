"""Who may end the kiosk, and when: a running exam is not left by closing a window.

During monitoring, closing the window (Alt+F4, the window manager, ``window.close()``) is
refused unless the quit password is given in the kiosk's own dialog, or the page has reached
the configured quit URL. Before monitoring and after stop() nothing is at stake. A signal
(SIGTERM/SIGINT) comes from the operating system or an administrator and always stops the
session cleanly first. ``reconfigure`` ends a run that was only showing an LMS's login page,
once the LMS has served the exam's configuration: the kiosk starts again from that file.
``handover`` is a second launch's exam: it replaces this one only while none is monitored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

QuitSource = Literal["window", "page", "signal", "quit_url", "reconfigure", "handover"]


@dataclass(frozen=True)
class QuitDecision:
    allowed: bool
    ask_password: bool
    reason: str


def decide_quit(source: QuitSource, monitoring: bool, password_set: bool) -> QuitDecision:
    if source in ("signal", "quit_url", "reconfigure"):
        return QuitDecision(True, False, f"{source}: the session is stopped cleanly first")
    if source == "handover":  # a second launch's exam (kiosk/launch/single_instance.py)
        if monitoring:
            return QuitDecision(False, False, "an exam is being monitored: finish it first")
        return QuitDecision(True, False, "no exam is being monitored: the new one opens")
    if not monitoring:
        return QuitDecision(True, False, "no exam is being monitored")
    if password_set:
        return QuitDecision(False, True, "the exam is running: the quit password is required")
    return QuitDecision(False, False, "the exam is running and no quit password is configured")


def check_password(given: str, stored: str) -> bool:
    """``stored``: SEB's hashedQuitPassword (SHA-256 hex) or ``scrypt$N$r$p$salt$hash``."""
    stored = stored.strip()
    if stored.startswith("scrypt$"):
        try:
            _, n, r, p, salt, digest = stored.split("$")
            derived = hashlib.scrypt(
                given.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                dklen=len(digest) // 2,
            )  # fmt: skip
        except ValueError:
            return False
        return hmac.compare_digest(derived.hex(), digest.lower())
    return hmac.compare_digest(hashlib.sha256(given.encode()).hexdigest(), stored.lower())


def hash_password(password: str, salt: bytes, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """The salted scrypt form, for administrators writing a configuration file."""
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def valid_hash(stored: str) -> bool:
    stored = stored.strip()
    if stored.startswith("scrypt$"):
        parts = stored.split("$")
        return len(parts) == 6 and all(parts[1:4]) and all(c.isdigit() for c in "".join(parts[1:4]))
    return len(stored) == 64 and all(c in "0123456789abcdefABCDEF" for c in stored)
