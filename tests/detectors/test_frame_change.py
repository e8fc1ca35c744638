"""The same picture is not analysed twice; any picture a face enters, leaves or turns in is."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from detectors.frame_change import FrameChange
from tests.support.faces import empty_room, one_person, turned_away, two_people_one_further_back


def noisy(frame: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """A camera's sensor noise over the same picture."""
    rng = np.random.default_rng(seed)
    return np.clip(frame + rng.normal(0, sigma, frame.shape), 0, 255).astype(np.uint8)


def test_the_same_picture_under_sensor_noise_is_not_analysed_again() -> None:
    change = FrameChange()
    person = one_person()
    assert change.changed(person, 0.0)
    assert not any(change.changed(noisy(person, 6.0, seed), 0.25 * seed) for seed in range(1, 8))


def test_a_face_that_enters_leaves_or_turns_away_is_analysed() -> None:
    for before, after in [(one_person(), two_people_one_further_back()),
                          (one_person(), empty_room()), (one_person(), turned_away()),
                          (empty_room(), one_person())]:  # fmt: skip
        change = FrameChange()
        assert change.changed(noisy(before, 3.0, 1), 0.0)
        assert change.changed(noisy(after, 3.0, 2), 0.25)


def test_slow_change_is_measured_from_the_last_analysed_picture_and_a_refresh_comes_anyway() -> (
    None
):
    change = FrameChange(refresh_s=2.0)
    dark = np.full((480, 640, 3), 100, np.uint8)
    assert change.changed(dark, 0.0)
    steps = [change.changed(dark + step, 0.1 * step) for step in range(1, 12)]  # 1 level a step
    assert steps.index(True) == 8  # 9 levels from the analysed picture, not 1 from the last
    assert not change.changed(dark + 9, 1.5)
    assert change.changed(dark + 9, 2.9)  # 2 s after the last analysis


def test_the_camera_publishes_every_analysis_but_runs_the_model_only_on_a_new_picture(
    tmp_path: Path,
) -> None:
    from detectors.camera import CameraCapture, FacesSeen
    from detectors.faces import FaceDetector
    from detectors.sources import CameraSource
    from kiosk.config.settings import ProctorSettings
    from tests.support.faces import write_video

    class Counted:  # the real detector, its runs counted
        def __init__(self, real: FaceDetector) -> None:
            self.real, self.runs = real, 0

        def detect(self, rgb: np.ndarray) -> tuple:
            self.runs += 1
            return self.real.detect(rgb)

    clip = tmp_path / "still.mp4"
    write_video(clip, [(one_person(), 2.0), (two_people_one_further_back(), 6.0)], fps=10)
    settings = ProctorSettings()
    detector = Counted(
        FaceDetector(settings.face_model, min_confidence=settings.min_face_confidence)
    )
    seen: list[FacesSeen] = []
    done = threading.Event()

    def publish(obs: object) -> None:
        if isinstance(obs, FacesSeen):
            seen.append(obs)
            if len(seen) == 14:
                done.set()

    camera = CameraCapture(CameraSource("file", path=clip), publish, analyse_fps=4.0,
                           detector=detector)  # type: ignore[arg-type]  # fmt: skip
    camera.start()
    try:
        assert done.wait(20), f"{len(seen)} analyses"
    finally:
        camera.stop()
        detector.real.close()
    counts = [obs.count for obs in seen[:14]]
    assert counts[0] == 1 and counts[-1] == 2, (counts, detector.runs)
    assert counts == sorted(counts)  # one person, then two: never back, never missed
    assert detector.runs <= 5, detector.runs  # the first picture, the second, a refresh or two
