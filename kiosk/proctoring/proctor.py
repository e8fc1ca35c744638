"""On-device proctoring: opens the devices setup() asks for and turns observations into evidence.

The session calls the setup steps in order (check, prepare, load) and fires the catalogue
event of each; during monitoring, observations from the detectors come in through the event
bus and :meth:`Proctor.observe` / :meth:`Proctor.tick` answer with the evidence to fire, as
policies/evidence.py decides it. What a device problem means for the page is
policies/devices.py's. Nothing here touches Qt: the camera and microphone run in their own
threads and publish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from detectors.audio_level import AudioLevel
from detectors.base import DeviceError, Observation
from detectors.camera import CameraCapture, FacesSeen
from detectors.faces import FaceDetector
from detectors.microphone import MicrophoneDetector
from kiosk.config.settings import ProctorSettings
from kiosk.proctoring.sensors import DeviceSensors
from kiosk.session.evidence import EvidenceStore, Photo
from kiosk.session.ports import Evidence, SetupFailure
from kiosk.session.tracking import TrackingOptions, needs_camera, needs_microphone
from policies.devices import BOTH_DENIED, page_code, secure_context, setup_refusal
from policies.evidence import Finding, ProctorWatch
from policies.photos import schedule

log = logging.getLogger("kiosk.proctoring")

RANDOM_PHOTO = 5003
CONSENT_DECLINED = 4004  # also: the exam is not a secure context


def _failure(error: DeviceError) -> SetupFailure:
    code = page_code(error.device, error.problem)
    return SetupFailure(code.code, error.message, code.reason)


class Proctor:
    def __init__(
        self,
        sensors: DeviceSensors,
        settings: ProctorSettings,
        store: EvidenceStore,
        exam_url: str,
        ask_consent: Callable[[list[str]], bool],
        on_prepare: Callable[[TrackingOptions], None] | None = None,
    ) -> None:
        self._sensors = sensors
        self._on_prepare = on_prepare
        self.settings = settings
        self.exam_url = exam_url
        self._ask_consent = ask_consent
        self.store = store  # the session folder's evidence photos, shared with the lockdown
        self.camera: CameraCapture | None = None
        self.microphone: MicrophoneDetector | None = None
        self._faces: FaceDetector | None = None
        self._options = TrackingOptions()
        self._watch = self._new_watch(self._options)
        self._photo_due: list[float] = []

    def _new_watch(self, options: TrackingOptions) -> ProctorWatch:
        return ProctorWatch(
            faces=options.numHumans,
            audio=options.audio,
            no_face_after=self.settings.no_face_after,
            multiple_faces_after=self.settings.multiple_faces_after,
            audio_after=self.settings.audio_after,
        )

    # -- setup steps -----------------------------------------------------------------------------

    def check(self, options: TrackingOptions) -> dict[str, str]:
        """2001: permissions. Raises SetupFailure with 4002/4003/4004/4006/4007/4008/4009/4010."""
        self._options = options
        self._watch = self._new_watch(options)
        want_camera, want_mic = needs_camera(options), needs_microphone(options)
        checks = {
            "camera": "not requested",
            "microphone": "not requested",
        }
        if not (want_camera or want_mic):
            return checks
        if not secure_context(self.exam_url):
            raise SetupFailure(
                CONSENT_DECLINED,
                f"{self.exam_url} is not a secure context: camera and microphone need https",
            )
        camera_error: DeviceError | None = None
        mic_error: DeviceError | None = None
        if want_camera:
            try:
                self._sensors.check_camera()
            except DeviceError as exc:
                camera_error = exc
        if want_mic:
            self.microphone = self._sensors.microphone()
            try:
                self.microphone.open()
            except DeviceError as exc:
                mic_error = exc
                self.microphone = None
        refusal = setup_refusal(
            camera_error.problem if camera_error else None,
            mic_error.problem if mic_error else None,
        )
        if refusal is not None:
            self.release()
            found = [e.message for e in (camera_error, mic_error) if e is not None]
            message = "; ".join(found) if refusal == BOTH_DENIED else found[0]
            raise SetupFailure(refusal.code, message, refusal.reason)
        wanted = [name for name, on in (("camera", want_camera), ("microphone", want_mic)) if on]
        if self.settings.ask_consent and not self._ask_consent(wanted):
            self.release()
            raise SetupFailure(
                CONSENT_DECLINED, f"the student declined access to the {' and '.join(wanted)}"
            )
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
        try:
            if self.microphone is not None:  # e.g. a busy device: PortAudio cannot start it
                self.microphone.start()
            if not needs_camera(options):
                return None
            if options.numHumans:
                self._faces = self._sensors.face_detector()
            self.camera = self._sensors.camera(self._faces)
            self.camera.open()
            self.camera.start()
        except DeviceError as exc:
            self.release()
            raise _failure(exc) from None
        model = None if self._faces is None else self._faces.model_path.name
        return {"camera": self._sensors.camera_source.describe(), "faceModel": model}

    # -- monitoring ------------------------------------------------------------------------------

    def start(self, test_duration_minutes: float | None, now: float) -> list[Evidence]:
        out = []
        if self._options.testTakerPhoto:
            out.append(self._photo_evidence(RANDOM_PHOTO, "testTaker", now, {}))
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
        if self._faces is not None:
            self._faces.close()
            self._faces = None

    def observe(self, obs: Observation) -> list[Evidence]:
        if isinstance(obs, FacesSeen):
            found = self._watch.faces(obs.count, obs.looking, obs.t)
        elif isinstance(obs, AudioLevel):
            found = self._watch.audio(obs.loud, obs.level_db, obs.background_db, obs.t)
        else:
            return []
        return [self._evidence(f, obs.t) for f in found]

    def tick(self, now: float) -> list[Evidence]:
        """Time-driven evidence: conditions that stopped being observed; due random photos."""
        out = [self._evidence(f, now) for f in self._watch.tick(now)]
        while self._photo_due and self._photo_due[0] <= now:
            self._photo_due.pop(0)
            out.append(self._photo_evidence(RANDOM_PHOTO, "random", now, {}))
        return out

    def _evidence(self, finding: Finding, t: float) -> Evidence:
        if finding.ended:
            return Evidence(finding.code, ends_episode=True)
        if finding.photo:
            return self._photo_evidence(finding.code, str(finding.code), t, dict(finding.detail))
        return Evidence(finding.code, dict(finding.detail))

    def _photo_evidence(self, code: int, kind: str, t: float, extra: dict[str, Any]) -> Evidence:
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
