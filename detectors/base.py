"""What every detector is and publishes.

A detector is built with a ``publish`` callable (the application's event bus), starts observing
on ``start()`` and stops on ``stop()``; what it observes leaves it only as frozen observations
stamped with when they were made. A device that cannot be used is described in the device's
own terms (a ``Problem``); which page code that is, policies/devices.py decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol


@dataclass(frozen=True)
class Observation:
    t: float  # unix seconds


Publish = Callable[[Observation], None]


class Detector(Protocol):
    """Observes between ``start()`` and ``stop()`` (both safe to call twice), publishing
    observations through the callable it was built with."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


Device = Literal["camera", "microphone", "screen"]


class Problem(StrEnum):
    """What is wrong with a device, as the device itself can tell."""

    ABSENT = "absent"  # there is none at all (no camera on this computer, ``--camera none``)
    NOT_FOUND = "not_found"  # the configured one does not exist
    NOT_READABLE = "not_readable"  # it exists but gives nothing usable
    DENIED = "denied"  # the operating system (or the platform) refuses access
    MODEL_UNUSABLE = "model_unusable"  # the face model is missing, corrupt or not a detector
    NO_SCREEN = "no_screen"  # nothing to capture
    OWN_WINDOWS_ONLY = "own_windows_only"  # a capture can show only the kiosk's own windows
    FAILED = "failed"  # a capture that should have worked did not


class DeviceError(Exception):
    """A device that cannot be used now; ``message`` says why, for the record and the page."""

    def __init__(self, device: Device, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.device = device
        self.problem = problem
        self.message = message


@dataclass(frozen=True)
class DeviceLost(Observation):
    """A device that worked stopped working (published from the device's thread)."""

    device: Device
    problem: Problem
    message: str


@dataclass(frozen=True)
class DeviceBack(Observation):
    """A lost device works again."""

    device: Device
