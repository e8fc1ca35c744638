"""Faces in a camera frame, found on the device with BlazeFace through mediapipe's Tasks API.

mediapipe >= 0.10.30 ships no model files, so the BlazeFace models come from the last wheel that
did (mediapipe 0.10.21): ``scripts/fetch_face_model.py`` (run by ``make setup``) copies them into
the user cache and this module pins them by SHA-256, so a truncated or tampered file is refused
instead of silently detecting nothing.

The default is the full-range model: the short-range one misses a second person further back
in the room. Measured at 640x480 with ``bench/bench_faces.py`` on the fixtures of
``tests/support/faces.py``: short-range finds a face only from ~75-85 px wide, full-range from
~46 px; on the fixture's second person (~60 px, moved over 25 placements) full-range scores
0.57-0.89, short-range never reaches 0.5. Short-range's keypoints are also poor on a turned head
(2 of 8 near-profile crops rated as looking). The price, at the few frames a second the kiosk
analyses: ~8 ms a frame instead of ~3.5 ms on a busy 2-core machine (the platform notes measured
4.5 vs 1.8 ms on a quiet one).

mediapipe and OpenCV are imported only when a detector is built: importing this module stays
cheap for the command line and for code that only needs the data types.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import platformdirs

from detectors.base import DeviceError, Problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

#: Model file name -> pinned SHA-256 of the file in the mediapipe 0.10.21 wheel.
MODEL_FILES: dict[str, str] = {
    "face_detection_short_range.tflite": (
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8"
    ),
    "face_detection_full_range_sparse.tflite": (
        "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1"
    ),
}
DEFAULT_MODEL = "face_detection_full_range_sparse.tflite"
#: Where the models come from: this distribution on PyPI, under this folder of its wheel.
MODEL_DISTRIBUTION = ("mediapipe", "0.10.21")
MODEL_WHEEL_DIR = "mediapipe/modules/face_detection"
#: Where the face models live; default: the user cache (``~/.cache/kiosk/models`` on Linux).
MODEL_DIR_ENV = "KIOSK_MODEL_DIR"

#: A face whose |yaw| (see :func:`estimate_gaze`) exceeds this is not looking at the screen.
#: Measured with the full-range model (bench/bench_faces.py): frontal faces (the astronaut at 9
#: sizes/positions, both mirror images) stay <= 0.21, 95 % of the 86 scikit-image LFW faces it
#: finds stay <= 0.39 (max 0.78); the cameraman's near-profile head (4 crops, both mirror images)
#: is at 1.0 every time. 0.6 sits in that gap. By a simple head model (nose ~0.4 eye distances in
#: front of the eyes, ears ~1.3 behind) it is roughly 20-30 degrees of head turn; no bundled
#: photo has a known angle to calibrate against.
LOOKING_MAX_YAW = 0.6

_EPS = 1e-6


class FaceModelError(DeviceError):
    """The face model cannot be used: missing, unreadable, corrupt, or not a face detector."""

    def __init__(self, message: str) -> None:
        super().__init__("camera", Problem.MODEL_UNUSABLE, message)


#: A source checkout's models, shared by every user of it (``make setup`` puts them there).
SHARED_MODEL_DIR = Path(__file__).resolve().parents[1] / "models"


def model_dirs() -> list[Path]:
    """Where the face models are looked for, in order: ``$KIOSK_MODEL_DIR`` alone when it is
    set; else inside the bundle of an installed kiosk (every user's), a source checkout's
    shared folder, and last the user cache (where earlier setups put them). A model in one
    user's cache only would fail every other user's camera setup with 4005."""
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return [Path(override).expanduser()]
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller's folder (packaging/)
    dirs = [Path(bundle) / "models"] if bundle else []
    return [*dirs, SHARED_MODEL_DIR, Path(platformdirs.user_cache_dir("kiosk")) / "models"]


def default_model_dir() -> Path:
    """The first of ``model_dirs()`` that holds the model; else the first, where it belongs."""
    dirs = model_dirs()
    return next((d for d in dirs if (d / DEFAULT_MODEL).is_file()), dirs[0])


def default_model_path() -> Path:
    return default_model_dir() / DEFAULT_MODEL


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_model(path: Path) -> bytes:
    """The model's bytes, hash-checked when the name is one of ours. Loading from these bytes
    (not from the path again) means what was checked is what runs."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FaceModelError(
            f"face model not found: {path} (fetch the BlazeFace models with `make setup` or "
            "scripts/fetch_face_model.py)"
        ) from None
    except OSError as exc:
        raise FaceModelError(f"face model unreadable: {path}: {exc.strerror or exc}") from None
    expected = MODEL_FILES.get(path.name)
    if expected is not None:
        actual = sha256_hex(data)
        if actual != expected:
            raise FaceModelError(
                f"face model corrupt: {path} has SHA-256 {actual[:16]}..., expected "
                f"{expected[:16]}... (scripts/fetch_face_model.py replaces it)"
            )
    return data


def verify_model(path: Path) -> None:
    """Raise FaceModelError unless ``path`` is a usable face model.

    One of the pinned file names must match its SHA-256. Any other name (an administrator's own
    model) cannot be checked that way, so it must at least load and run as a face detector.
    """
    data = _read_model(path)
    if path.name not in MODEL_FILES:
        _dispose(_create_task(data, path, 0.5, probe=True))


# -- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keypoint:
    """A point in normalised image coordinates (0..1; slightly outside for faces at the edge)."""

    x: float
    y: float


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]  # x, y, w, h, normalised to the frame, clipped
    score: float
    #: BlazeFace order: right eye, left eye, nose tip, mouth centre, right ear, left ear
    #: (right/left as labelled by the model: the right eye is the one further left in the image).
    keypoints: tuple[Keypoint, ...]
    yaw: float  # see estimate_gaze
    looking: bool


def estimate_gaze(keypoints: Sequence[Keypoint]) -> tuple[float, bool]:
    """Horizontal head yaw from BlazeFace's six keypoints: (yaw, looking at the screen).

    yaw is in -1..1, 0 frontal, positive when the face turns towards the image's right (the
    nose moves right). It averages two cues that each reach about +-1 on a near-profile head:
    - the nose tip's offset from the eye midpoint, relative to the eye distance (times 2);
    - the asymmetry of the eye-to-ear distances, (near - far) / (near + far): the far ear
      slides behind the eye as the head turns.
    Only x coordinates are used, so the frame's aspect ratio does not matter; a strong head
    tilt (roll) biases it a little. Eyes and ears are paired by the model's labels but ordered
    by image position, so a mirrored camera gives the same magnitude.
    """
    if len(keypoints) < 6:
        raise ValueError(f"BlazeFace gives 6 keypoints, got {len(keypoints)}")
    right_eye, left_eye, nose, _mouth, right_ear, left_ear = keypoints[:6]
    (eye_a, ear_a), (eye_b, ear_b) = sorted(
        ((right_eye, right_ear), (left_eye, left_ear)), key=lambda pair: pair[0].x
    )
    eye_span = eye_b.x - eye_a.x
    offset = nose.x - (eye_a.x + eye_b.x) / 2
    if eye_span > _EPS:
        nose_cue = _clamp(2 * offset / eye_span)
    else:  # eyes on top of each other: a profile
        nose_cue = math.copysign(1.0, offset) if abs(offset) > _EPS else 0.0
    near = eye_a.x - ear_a.x  # image-left ear outside the image-left eye
    far = ear_b.x - eye_b.x
    spread = abs(near) + abs(far)
    ear_cue = (near - far) / spread if spread > _EPS else 0.0
    yaw = _clamp((nose_cue + ear_cue) / 2)
    return yaw, abs(yaw) <= LOOKING_MAX_YAW


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


# -- detector --------------------------------------------------------------------------------------


class FaceDetector:
    """BlazeFace on the CPU, one frame at a time (IMAGE mode: frames are analysed a few times a
    second, not as a stream). Safe to call from one worker thread while another closes it."""

    def __init__(self, model_path: Path | None = None, min_confidence: float = 0.5) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within 0..1, got {min_confidence}")
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.min_confidence = min_confidence
        data = _read_model(self.model_path)
        probe = self.model_path.name not in MODEL_FILES
        self._task: Any = _create_task(data, self.model_path, min_confidence, probe=probe)
        self._model_data = data  # mediapipe may keep pointing into this buffer
        self._lock = threading.Lock()

    def detect(self, frame_rgb: npt.NDArray[np.uint8]) -> tuple[Face, ...]:
        """Faces in an RGB uint8 HxWx3 frame, largest (nearest) first."""
        import numpy as np

        if (
            not isinstance(frame_rgb, np.ndarray)
            or frame_rgb.dtype != np.uint8
            or frame_rgb.ndim != 3
            or frame_rgb.shape[2] != 3
        ):
            raise ValueError("expected an RGB frame: a uint8 array of shape (height, width, 3)")
        mp = _mediapipe()
        height, width = frame_rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame_rgb))
        with self._lock:
            if self._task is None:
                raise RuntimeError("the face detector is closed")
            result = self._task.detect(image)
        faces = [_face(d, width, height) for d in result.detections]
        faces.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
        return tuple(faces)

    def close(self) -> None:
        with self._lock:
            task, self._task = self._task, None
        if task is not None:
            _dispose(task)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _face(detection: Any, width: int, height: int) -> Face:
    bb = detection.bounding_box
    x0 = min(max(bb.origin_x / width, 0.0), 1.0)
    y0 = min(max(bb.origin_y / height, 0.0), 1.0)
    x1 = min(max((bb.origin_x + bb.width) / width, 0.0), 1.0)
    y1 = min(max((bb.origin_y + bb.height) / height, 0.0), 1.0)
    score = float(detection.categories[0].score) if detection.categories else 0.0
    keypoints = tuple(Keypoint(float(k.x), float(k.y)) for k in detection.keypoints or ())
    if len(keypoints) >= 6:
        yaw, looking = estimate_gaze(keypoints)
    else:  # no keypoints, no evidence that the face looks away
        yaw, looking = 0.0, True
    return Face((x0, y0, x1 - x0, y1 - y0), score, keypoints, yaw, looking)


def _mediapipe() -> Any:
    from detectors.cv import import_cv2, library_path_kept, without_drawing

    with library_path_kept(), without_drawing():
        import mediapipe  # type: ignore[import-untyped]

    import_cv2()  # mediapipe imports cv2 itself: scrub what that import may have set
    return mediapipe


def _create_task(data: bytes, path: Path, min_confidence: float, *, probe: bool) -> Any:
    """A mediapipe FaceDetector from the model bytes. With ``probe``, it must also run once:
    other .tflite files load fine and only fail on the first frame."""
    mp = _mediapipe()
    vision = mp.tasks.vision
    options = vision.FaceDetectorOptions(
        base_options=mp.tasks.BaseOptions(
            model_asset_buffer=data, delegate=mp.tasks.BaseOptions.Delegate.CPU
        ),
        running_mode=vision.RunningMode.IMAGE,
        min_detection_confidence=min_confidence,
    )
    try:
        task = vision.FaceDetector.create_from_options(options)
    except Exception as exc:  # mediapipe raises ValueError/RuntimeError/OSError with its text
        raise FaceModelError(f"face model cannot be loaded: {path}: {_first_line(exc)}") from None
    if probe:
        import numpy as np

        try:
            blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8))
            task.detect(blank)
        except Exception as exc:
            _dispose(task)
            raise FaceModelError(
                f"face model is not a BlazeFace face detector: {path}: {_first_line(exc)}"
            ) from None
    return task


def _dispose(task: Any) -> None:
    """Close a mediapipe task. After a failed run mediapipe's close() raises, and a second
    close (its ``__del__``) then hangs the process, so a failed close disarms the handle."""
    try:
        task.close()
    except Exception as exc:
        log.warning("closing the face detector failed: %s", _first_line(exc))
        if hasattr(task, "_handle"):
            task._handle = None


def _first_line(exc: BaseException, limit: int = 240) -> str:
    """mediapipe's errors span many lines: the first one, plus the next while it ends in ':'."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    text = lines.pop(0)
    while text.endswith(":") and lines:
        text = f"{text} {lines.pop(0)}"
    return text if len(text) <= limit else text[: limit - 3] + "..."
