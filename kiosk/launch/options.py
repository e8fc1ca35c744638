"""What one kiosk run was asked to do, after every configuration layer is merged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import KioskConfig
from policies.engine import EngineVerdict


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
