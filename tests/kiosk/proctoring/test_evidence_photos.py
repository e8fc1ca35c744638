"""Evidence photos and the face evidence rules, on real frames and real files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from detectors.camera import FacesSeen
from detectors.faces import Face, Keypoint
from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.settings import ProctorSettings
from kiosk.proctoring.proctor import Proctor
from kiosk.proctoring.sensors import DeviceSensors
from kiosk.session.evidence import EvidenceStore
from kiosk.session.tracking import TrackingOptions


def frame() -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)


def test_photos_are_private_jpegs_and_the_pool_is_bounded(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence", capacity=2)
    first = store.save(frame(), "random", 1.0)
    second = store.save(frame(), "5001", 2.0)
    assert first is not None and second is not None
    assert store.save(frame(), "5002", 3.0) is None  # full: recorded elsewhere, no photo
    assert store.save(None, "random", 4.0) is None
    assert sorted(p.name for p in (tmp_path / "evidence").iterdir()) == [
        "photo-0001-random.jpg",
        "photo-0002-5001.jpg",
    ]
    for photo in (first, second):
        assert photo.path.read_bytes()[:3] == b"\xff\xd8\xff"
        assert stat.S_IMODE(os.stat(photo.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "evidence").st_mode) == 0o700
    assert first.as_detail() == {"id": "photo-0001", "path": str(first.path), "kind": "random"}


def face(looking: bool) -> Face:
    points = tuple(Keypoint(0.5, 0.5) for _ in range(6))
    return Face((0.4, 0.3, 0.2, 0.3), 0.9, points, 0.0 if looking else 1.0, looking)


def proctor(tmp_path: Path, capacity: int = 30) -> Proctor:
    settings = ProctorSettings(photo_capacity=capacity)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"stands in for a camera: check() only asks the OS about it")
    sensors = DeviceSensors(
        CameraSource("file", path=clip), MicrophoneSource("none"), settings, lambda _: None
    )
    store = EvidenceStore(tmp_path / "evidence", capacity)
    p = Proctor(sensors, settings, store, "http://127.0.0.1/", lambda _: True)
    assert p.check(TrackingOptions(numHumans=True))["camera"] == "granted"
    return p


def feed(p: Proctor, faces: tuple[Face, ...], start: float, end: float) -> list[int]:
    codes = []
    t = start
    while t < end:
        codes += [e.code for e in p.observe(FacesSeen(t=t, faces=faces)) if not e.ends_episode]
        t += 0.25
    return codes


def test_a_face_turned_away_counts_as_no_one_looking(tmp_path: Path) -> None:
    p = proctor(tmp_path)
    assert feed(p, (face(True),), 0, 10) == []
    found = p.observe(FacesSeen(t=10.0, faces=(face(False),)))
    found += [e for t in range(1, 20) for e in p.observe(FacesSeen(10 + t / 4, (face(False),)))]
    assert [e.code for e in found] == [5001]
    assert found[0].extra["seen"] == "no face looking at the screen"


def test_two_faces_once_per_episode_and_again_after_a_break(tmp_path: Path) -> None:
    p = proctor(tmp_path)
    two = (face(True), face(True))
    assert feed(p, two, 0, 10) == [5002]
    assert feed(p, (face(True),), 10, 15) == []
    assert feed(p, two, 15, 20) == [5002]


def test_the_end_of_an_episode_is_noted_once_for_the_score(tmp_path: Path) -> None:
    p = proctor(tmp_path)
    two = (face(True), face(True))
    feed(p, two, 0, 10)
    ends = []
    t = 10.0
    while t < 15:
        ends += [e.code for e in p.observe(FacesSeen(t=t, faces=(face(True),))) if e.ends_episode]
        ends += [e.code for e in p.tick(t) if e.ends_episode]
        t += 0.25
    assert ends == [5002]


def test_without_a_camera_frame_the_violation_still_counts_without_a_photo(
    tmp_path: Path,
) -> None:
    p = proctor(tmp_path)
    codes = feed(p, (), 0, 5)
    assert codes == [5001]
    assert list((tmp_path / "evidence").glob("*.jpg")) == []


@pytest.mark.expect_log(r"kiosk.proctoring: evidence photo not saved")
def test_a_photo_that_cannot_be_written_does_not_cost_the_violation(tmp_path: Path) -> None:
    p = proctor(tmp_path)
    (tmp_path / "evidence").write_text("a file where the evidence folder should be")

    class StillCamera:
        def latest_frame(self) -> np.ndarray:
            return np.zeros((48, 64, 3), np.uint8)

        def stop(self) -> None:
            pass

    p.camera = StillCamera()  # type: ignore[assignment]
    found = [e for t in range(20) for e in p.observe(FacesSeen(t=t / 4, faces=()))]
    assert [e.code for e in found] == [5001]
    assert found[0].extra["photo"] is None
    assert found[0].extra["photoSkipped"].startswith("could not be saved")
