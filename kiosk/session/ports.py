"""What the session asks of the proctor and of the lockdown, and what they answer with.

The session (no Qt) drives setup, start and stop; the proctor (kiosk/proctoring) opens the
devices the page asked for, the lockdown (kiosk/enforcement) checks and locks the desktop. Both
answer with ``Evidence`` to fire and raise ``SetupFailure`` for a setup step that cannot pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from detectors.base import Observation
from kiosk.session.tracking import TrackingOptions


class SetupFailure(Exception):
    """A setup step that cannot pass: the page gets ``code`` (with ``reason`` where the code
    has two cases) and ``message`` says why."""

    def __init__(self, code: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Evidence:
    code: int
    extra: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    ends_episode: bool = False  # not an event: the episode of ``code`` is over (for the score)


class ProctorPort(Protocol):
    """The devices of a session (kiosk.proctoring.proctor.Proctor)."""

    def check(self, options: TrackingOptions) -> dict[str, str]:
        """2001: permissions. Raises SetupFailure."""
        ...

    def prepare(self, options: TrackingOptions) -> dict[str, Any] | None: ...

    def load(self, options: TrackingOptions) -> dict[str, Any] | None: ...

    def start(self, test_duration_minutes: float | None, now: float) -> list[Evidence]: ...

    def observe(self, observation: Observation) -> list[Evidence]: ...

    def tick(self, now: float) -> list[Evidence]: ...

    def stop(self) -> None: ...

    def release(self) -> None: ...


class LockdownPort(Protocol):
    """The lockdown of a session (kiosk.enforcement.lockdown.Lockdown; Qt lives there)."""

    def check(self, options: TrackingOptions) -> tuple[dict[str, Any], list[Evidence]]:
        """Raises SetupFailure; returns the 2001 check details and warnings to fire."""
        ...

    def start(self) -> list[Evidence]: ...

    def fullscreen_enforced(self) -> bool:
        """Whether leaving fullscreen now is leaving the exam (policies/fullscreen.py)."""
        ...

    def switched_away(self) -> tuple[dict[str, Any], list[Evidence]]:
        """Detail for 5005 (e.g. the screenshot) and any error to fire after it."""
        ...

    def stop(self) -> None: ...
