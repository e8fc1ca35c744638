"""What one kiosk run was asked to do, after every configuration layer is merged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detectors.compositor import CompositorFact
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
    #: Where a second launch finds this kiosk (kiosk/launch/single_instance.py), if it listens.
    instance: Path | None = None
    #: The Wayland compositor this run is a client of (None: not Wayland), and whether a test
    #: machine lets its headless backend count as the kiosk's own session.
    compositor: CompositorFact | None = None
    headless_allowed: bool = False
    #: KIOSK_TEST_ALLOW_UNSAFE_ENGINE on a computer whose managed policy keeps the allowance.
    test_machine: bool = False

    def meta(self) -> dict[str, Any]:
        """What the session record says of this run's options."""
        return {
            "url": self.url,
            "camera": self.camera.describe(),
            "microphone": self.microphone.describe(),
            "unsafe_engine_settings": list(self.engine.unsafe),
            "fullscreen": self.fullscreen,
            "report_lrs": self.config.report.lrs,
            # Where and how it reports (no secret: a keyring name, a file's path), so that
            # `kiosk report flush` can deliver a session a .seb configured without the .seb.
            "report": self.config.report.model_dump(mode="json")
            if self.config.report.lrs
            else None,
        }

    def setup_notes(self) -> dict[str, Any]:
        """What 2001 tells the page besides its checks: the SEB keys the kiosk does not
        support, and the unsafe web-engine settings a test machine let through."""
        notes: dict[str, Any] = {}
        if self.seb is not None:
            notes["sebUnsupported"] = list(self.seb.unsupported)
        if self.engine.unsafe:
            notes["unsafeEngineSettings"] = list(self.engine.unsafe)
        return notes

    def flat_penalties(self) -> dict[str, float]:
        """What the trust score loses for the whole session."""
        if not self.engine.unsafe:
            return {}
        return {"unsafeEngine": self.config.trust_score.unsafe_engine}
