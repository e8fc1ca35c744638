"""``kiosk doctor --gui``: the doctor's checks shown to a student, with a live camera picture and
a microphone level meter, so that they can fix things (light, angle, a muted microphone) before
the exam. Nothing is recorded; the devices are released when the window closes.
"""

from __future__ import annotations

from typing import Any

from detectors.audio_level import AudioLevel
from detectors.camera import CameraCapture
from detectors.microphone import MicrophoneDetector
from detectors.sources import CameraSource, MicrophoneSource, parse_camera, parse_microphone
from kiosk.config.settings import KioskConfig, ProctorSettings
from kiosk.launch.doctor import Check
from kiosk.platform.bus import EventBus
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import (
    QDialog,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from kiosk.proctoring.sensors import DeviceSensors
from kiosk.ui.camera_preview import CameraPreview

COLOURS = {"ok": "#1a7f37", "warning": "#9a6700", "problem": "#cf222e"}
FLOOR_DB = -70.0  # the meter's empty end: a quiet room


class DoctorWindow(QDialog):
    def __init__(
        self,
        found: list[Check],
        camera: CameraSource | None,
        microphone: MicrophoneSource | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk-doctor")
        self.setWindowTitle("kiosk doctor")
        layout = QVBoxLayout(self)
        table = QFormLayout()
        for check in found:
            said = QLabel(f"<b style='color:{COLOURS[check.status]}'>{check.status}</b> "
                          f"{check.detail}")  # fmt: skip
            said.setWordWrap(True)
            table.addRow(check.name, said)
        layout.addLayout(table)
        self.bus = EventBus(self)
        self.bus.observed.connect(self._observed)
        self.camera: CameraCapture | None = None
        self.microphone: MicrophoneDetector | None = None
        self.preview: CameraPreview | None = None
        self.level = QProgressBar(self)
        self.level.setRange(0, int(-FLOOR_DB))
        self.level.setFormat("microphone")
        sensors = DeviceSensors(
            camera or CameraSource("none"), microphone or MicrophoneSource("none"),
            ProctorSettings(), self.bus.publish,
        )  # fmt: skip
        if camera is not None and camera.kind != "none":
            self.camera = self._started(sensors.camera(None))  # a picture, no face detector
            if self.camera is not None:
                self.preview = CameraPreview(self, self.camera.latest_frame)
                layout.addWidget(self.preview)
        if microphone is not None and microphone.kind != "none":
            self.microphone = self._started(sensors.microphone())
        layout.addWidget(self.level)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.finished.connect(self.release)

    @staticmethod
    def _started(device: Any) -> Any:
        """The device, capturing; None when it cannot (the table already says why)."""
        try:
            device.start()
        except Exception:
            return None
        return device

    @fail_safe(None)
    def _observed(self, observation: object) -> None:
        if isinstance(observation, AudioLevel):
            value = max(0.0, observation.level_db - FLOOR_DB)
            self.level.setValue(int(min(value, -FLOOR_DB)))

    def release(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera.release()
            self.camera = None
        if self.microphone is not None:
            self.microphone.stop()
            self.microphone = None


def sources(config: KioskConfig | None) -> tuple[CameraSource | None, MicrophoneSource | None]:
    """The configured devices; None for one that cannot even be named (the table says why)."""
    if config is None:
        return None, None
    try:
        camera: CameraSource | None = parse_camera(config.devices.camera)
    except ValueError:
        camera = None
    try:
        microphone: MicrophoneSource | None = parse_microphone(config.devices.microphone)
    except ValueError:
        microphone = None
    return camera, microphone


def show(found: list[Check], config: KioskConfig | None) -> None:
    """Until the student closes it."""
    from kiosk.launch.qapplication import make_qapplication

    make_qapplication()
    window = DoctorWindow(found, *sources(config))
    window.exec()
