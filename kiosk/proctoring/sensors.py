"""Every detector of one kiosk run is built here, each publishing onto the one event bus.

The window's detectors (focus, fullscreen, monitors and, on X11, what the X server shows) are
built when the window is shown and run until the kiosk quits. The camera, the face detector
and the microphone are built when setup() asks for them (the proctor decides when), from the
sources the command line or the configuration named. A new detector is built here too, and
started and stopped with the others of its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from detectors.audio_level import AudioSettings
from detectors.base import Detector, Publish
from detectors.camera import CameraCapture, check_camera
from detectors.clock import ClockWatcher
from detectors.display_clients import DisplayClientWatcher
from detectors.exam_window import ExamWindowWatcher
from detectors.faces import FaceDetector
from detectors.focus import FocusDetector
from detectors.fullscreen import FullscreenDetector
from detectors.microphone import MicrophoneDetector
from detectors.monitors import MonitorDetector
from detectors.processes import ProcessWatcher
from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import ProctorSettings
from kiosk.platform.qt import QWidget
from kiosk.platform.x11.session import X11Session


class WindowSensors:
    """The detectors that watch the exam window, the desktop and the computer around it, and
    time itself."""

    def __init__(
        self,
        window: QWidget,
        publish: Publish,
        ours: Callable[[], Iterable[QWidget]],
        x11: X11Session | None,
    ) -> None:
        self.focus = FocusDetector(window, publish)
        self.fullscreen = FullscreenDetector(window, publish)
        self.monitors = MonitorDetector(publish, window)
        # Only the X server can say whether another program hid or covered the window.
        self.exam_window = ExamWindowWatcher(window, publish, ours, x11, parent=window)
        self.clock = ClockWatcher(publish)  # the exam interrupted, the computer's clock set
        self.processes = ProcessWatcher(publish)  # programs started on the computer
        # programs that connect to the exam's display (X11 only: the X server lists them)
        self.display_clients = DisplayClientWatcher(publish) if x11 is not None else None

    @property
    def all(self) -> tuple[Detector, ...]:
        found = (self.focus, self.fullscreen, self.monitors, self.exam_window, self.clock,
                 self.processes)  # fmt: skip
        return found if self.display_clients is None else (*found, self.display_clients)

    def start(self) -> None:
        for detector in self.all:
            detector.start()

    def stop(self) -> None:
        for detector in reversed(self.all):
            detector.stop()


class DeviceSensors:
    """The camera, its face detector and the microphone, built when setup() needs them."""

    def __init__(
        self,
        camera: CameraSource,
        microphone: MicrophoneSource,
        settings: ProctorSettings,
        publish: Publish,
    ) -> None:
        self.camera_source = camera
        self.microphone_source = microphone
        self._settings = settings
        self._publish = publish

    def check_camera(self) -> None:
        """What the operating system says of the camera before it is opened (DeviceError)."""
        check_camera(self.camera_source)

    def face_detector(self) -> FaceDetector:
        """Raises FaceModelError when the model cannot be used."""
        return FaceDetector(
            self._settings.face_model, min_confidence=self._settings.min_face_confidence
        )

    def camera(self, faces: FaceDetector | None) -> CameraCapture:
        return CameraCapture(
            self.camera_source,
            self._publish,
            analyse_fps=self._settings.analyse_fps,
            detector=faces,
        )

    def microphone(self) -> MicrophoneDetector:
        settings = AudioSettings(margin_db=self._settings.audio_margin_db)
        return MicrophoneDetector(self.microphone_source, self._publish, settings)
