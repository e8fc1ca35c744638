"""What one kiosk run was asked to do, after every configuration layer is merged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import KioskConfig
from policies.engine import EngineVerdict

if TYPE_CHECKING:
    from kiosk.launch.seb_launch import SebLaunch


@dataclass(frozen=True)
class RunOptions:
    url: str
    config: KioskConfig
    camera: CameraSource
    microphone: MicrophoneSource
    data_dir: Path
    event_log: Path | None
    autostart: bool
    fullscreen: bool
    engine: EngineVerdict
    seb: SebLaunch | None = None  # launched from a Safe Exam Browser configuration
    #: The url is an LMS's page (a login) that will serve the exam's configuration next.
    awaiting_configuration: bool = False
