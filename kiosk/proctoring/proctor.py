"""On-device proctoring: opens the devices setup() asks for and turns observations into evidence.

The session calls the setup steps in order (check, prepare, load) and fires the catalogue
event of each; during monitoring, observations from the detectors come in through the event
bus and :meth:`Proctor.observe` / :meth:`Proctor.tick` answer with the evidence to fire.
Nothing here touches Qt: the camera and microphone run in their own threads and publish.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from detectors.base import Observation
from detectors.camera import CameraCapture, CameraError, FacesSeen
from detectors.faces import FaceDetector, FaceModelError
from detectors.microphone import AudioError, AudioLevel, AudioSettings, MicrophoneDetector
from detectors.photos import EvidenceStore, Photo
from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import ProctorSettings
from kiosk.session.tracking import TrackingOptions, needs_camera, needs_microphone
from policies.evidence import SustainedCondition
from policies.photos import schedule

log = logging.getLogger("kiosk.proctoring")

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class SetupFailure(Exception):
    def __init__(self, code: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class DeviceProblem(Observation):
    """A device lost during the exam, published from its thread."""

    code: int
    reason: str | None
    message: str


@dataclass(frozen=True)
class DeviceRecovered(Observation):
    device: str


@dataclass(frozen=True)
class Evidence:
    code: int
    extra: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    ends_episode: bool = False  # not an event: the episode of ``code`` is over (for the score)


def secure_context(url: str) -> bool:
    """https, or plain http on this computer only (as browsers define a secure context)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" or host in LOCAL_HOSTS or host.startswith("127.")


class Proctor:
    def __init__(
        self,
        camera: CameraSource,
        microphone: MicrophoneSource,
        settings: ProctorSettings,
        folder: Path,
        exam_url: str,
        publish: Callable[[Observation], None],
        ask_consent: Callable[[list[str]], bool],
        on_prepare: Callable[[TrackingOptions], None] | None = None,
    ) -> None:
        self._on_prepare = on_prepare
        self.camera_source = camera
        self.microphone_source = microphone
        self.settings = settings
        self.exam_url = exam_url
        self._publish = publish
        self._ask_consent = ask_consent
        self.store = EvidenceStore(folder / "evidence", settings.photo_capacity)
        self.camera: CameraCapture | None = None
        self.microphone: MicrophoneDetector | None = None
        self._detector: FaceDetector | None = None
        self._options = TrackingOptions()
        self._no_face = SustainedCondition(settings.no_face_after)
        self._many_faces = SustainedCondition(settings.multiple_faces_after)
        self._loud = SustainedCondition(settings.audio_after, grace=0.5)
        self._photo_due: list[float] = []
        self._started = 0.0

    # -- setup steps -----------------------------------------------------------------------------

    def check(self, options: TrackingOptions) -> dict[str, str]:
        """2001: permissions. Raises SetupFailure with 4002/4003/4004/4006/4007/4008/4009/4010."""
        self._options = options
        want_camera, want_mic = needs_camera(options), needs_microphone(options)
        checks = {
            "camera": "not requested",
            "microphone": "not requested",
        }
        if not (want_camera or want_mic):
            return checks
        if not secure_context(self.exam_url):
            raise SetupFailure(
                4004, f"{self.exam_url} is not a secure context: camera and microphone need https"
            )
        camera_error: CameraError | None = None
        mic_error: AudioError | None = None
        if want_camera:
            try:
                from detectors.camera import check_camera

                check_camera(self.camera_source)
            except CameraError as exc:
                camera_error = exc
        if want_mic:
            self.microphone = MicrophoneDetector(
                self.microphone_source,
                self._publish_level,
                AudioSettings(margin_db=self.settings.audio_margin_db),
                on_error=self._microphone_lost,
            )
            try:
                self.microphone.open()
            except AudioError as exc:
                mic_error = exc
                self.microphone = None
        if camera_error and mic_error and camera_error.code == 4002 and mic_error.code == 4003:
            raise SetupFailure(4006, f"{camera_error.message}; {mic_error}")
        if camera_error:
            self.release()
            raise SetupFailure(camera_error.code, camera_error.message, camera_error.reason)
        if mic_error:
            self.release()
            raise SetupFailure(mic_error.code, str(mic_error), mic_error.reason)
        wanted = [name for name, on in (("camera", want_camera), ("microphone", want_mic)) if on]
        if self.settings.ask_consent and not self._ask_consent(wanted):
            self.release()
            raise SetupFailure(4004, f"the student declined access to the {' and '.join(wanted)}")
        for name in wanted:
            checks[name] = "granted"
        return checks

    def prepare(self, options: TrackingOptions) -> dict[str, Any] | None:
        """2002: the kiosk's own elements exist (the camera preview when asked for)."""
        if not needs_camera(options):
            return None
        if self._on_prepare is not None:
            self._on_prepare(options)
        return {"camPreview": options.showCamPreview}

    def load(self, options: TrackingOptions) -> dict[str, Any] | None:
        """2003: the camera gives pictures and the face model is loaded.

        Capture starts here, not at start(): the microphone learns the room's background and
        the camera warms up while the student reads the instructions, and what they observe
        before monitoring is ignored by the session.
        """
        if self.microphone is not None:
            try:
                self.microphone.start()
            except AudioError as exc:  # e.g. the device is busy: PortAudio cannot start it
                self.release()
                raise SetupFailure(exc.code, str(exc), exc.reason) from None
        if not needs_camera(options):
            return None
        try:
            if options.numHumans:
                self._detector = FaceDetector(
                    self.settings.face_model, min_confidence=self.settings.min_face_confidence
                )
            self.camera = CameraCapture(
                self.camera_source,
                self._publish,
                analyse_fps=self.settings.analyse_fps,
                detector=self._detector,
                on_error=self._camera_lost,
                on_recovered=lambda: self._publish(DeviceRecovered(time.time(), "camera")),
            )
            self.camera.open()
            self.camera.start()
        except FaceModelError as exc:
            self.release()
            raise SetupFailure(4005, str(exc)) from None
        except CameraError as exc:
            self.release()
            raise SetupFailure(exc.code, exc.message, exc.reason) from None
        return {"camera": self.camera_source.describe(), "faceModel": self._model_name()}

    def _model_name(self) -> str | None:
        return None if self._detector is None else self._detector.model_path.name

    # -- monitoring ------------------------------------------------------------------------------

    def start(self, test_duration_minutes: float | None, now: float) -> list[Evidence]:
        self._started = now
        out = []
        if self._options.testTakerPhoto:
            out.append(self._photo_evidence(5003, "testTaker", now))
        if self._options.photosAtRandom:
            minutes = test_duration_minutes or self.settings.photo_window_minutes
            count = self._options.numPhotosAtRandom
            self._photo_due = [now + s for s in schedule(count, minutes * 60)]
        return out

    def stop(self) -> None:
        self._photo_due = []
        self.release()

    def release(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        if self.microphone is not None:
            self.microphone.stop()
            self.microphone = None
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def observe(self, obs: Observation) -> list[Evidence]:
        if isinstance(obs, FacesSeen) and self._options.numHumans:
            out = []
            change = self._no_face.update(obs.looking == 0, obs.t)
            if change == "start":
                seen = "no face" if obs.count == 0 else "no face looking at the screen"
                out.append(self._photo_evidence(5001, "5001", obs.t, faces=obs.count, seen=seen))
            elif change == "end":
                out.append(Evidence(5001, ends_episode=True))
            change = self._many_faces.update(obs.count >= 2, obs.t)
            if change == "start":
                out.append(self._photo_evidence(5002, "5002", obs.t, faces=obs.count))
            elif change == "end":
                out.append(Evidence(5002, ends_episode=True))
            return out
        if not (isinstance(obs, AudioLevel) and self._options.audio):
            return []
        change = self._loud.update(obs.loud, obs.t)
        if change == "start":
            level = {"levelDb": round(obs.level_db, 1), "backgroundDb": round(obs.background_db, 1)}
            return [Evidence(5004, level)]
        if change == "end":
            return [Evidence(5004, ends_episode=True)]
        return []

    def tick(self, now: float) -> list[Evidence]:
        """Time-driven evidence: due random photos; conditions that stopped being observed."""
        out = []
        for code, condition in ((5001, self._no_face), (5002, self._many_faces),
                                (5004, self._loud)):  # fmt: skip
            if condition.tick(now) == "end":
                out.append(Evidence(code, ends_episode=True))
        while self._photo_due and self._photo_due[0] <= now:
            self._photo_due.pop(0)
            out.append(self._photo_evidence(5003, "random", now))
        return out

    def _photo_evidence(self, code: int, kind: str, t: float, **extra: Any) -> Evidence:
        frame = self.camera.latest_frame() if self.camera is not None else None
        try:
            photo: Photo | None = self.store.save(frame, kind, t)
        except OSError as exc:  # a full disk must not cost the violation itself
            log.error("evidence photo not saved: %s", exc)
            photo = None
            extra["photoSkipped"] = f"could not be saved: {exc.strerror or exc}"
        extra["photo"] = photo.as_detail() if photo else None
        if photo is None and frame is not None and "photoSkipped" not in extra:
            extra["photoSkipped"] = "evidence pool full"
        return Evidence(code, extra)

    # -- from the device threads -----------------------------------------------------------------

    def _publish_level(self, level: AudioLevel) -> None:
        self._publish(level)

    def _camera_lost(self, exc: CameraError) -> None:
        self._publish(DeviceProblem(time.time(), exc.code, exc.reason, exc.message))

    def _microphone_lost(self, exc: AudioError) -> None:
        self._publish(DeviceProblem(time.time(), exc.code, exc.reason, str(exc)))
