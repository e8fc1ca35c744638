"""Camera pictures for the face tests, built from the photos bundled with scikit-image.

No camera and no downloaded data: the people are the astronaut (Eileen Collins, a frontal face)
and the cameraman (a real head turned to near profile, looking through his camera's viewfinder);
the room is scikit-image's brick texture. Frames are RGB uint8, ``size`` is (width, height).
The scales below were measured with both BlazeFace models (see bench/bench_faces.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import skimage.color
import skimage.data
import skimage.transform

from detectors.cv import import_cv2

Frame = npt.NDArray[np.uint8]
Size = tuple[int, int]

#: The second person's head-and-shoulders relative to the seated one's: a face ~60 px wide at
#: 640x480. Measured (bench/bench_faces.py): the full-range model finds it at every scale from
#: 0.5 (~46 px) up, the short-range model at none below 0.8 (~74 px). Scores jump by +-0.2 with
#: a few pixels of size or position (BlazeFace's anchor grid); at 0.65, over 25 placements
#: within +-6 px, the full-range model finds it 25 times (scores 0.57-0.89), short-range never
#: (max 0.46).
FAR_SCALE = 0.65
#: Dimmer than the candidate: further from the desk lamp and the screen.
FAR_BRIGHTNESS = 0.85
#: Astronaut photo: head and shoulders (rows, columns), and the cameraman's head and camera.
_ASTRONAUT_HEAD = (slice(20, 280), slice(110, 340))
_CAMERAMAN_HEAD = (slice(20, 400), slice(60, 440))


def empty_room(size: Size = (640, 480)) -> Frame:
    """A lit wall with texture and sensor noise, nobody in it."""
    return _room(size).copy()


def one_person(size: Size = (640, 480)) -> Frame:
    """The candidate at the desk, facing the screen: the astronaut, full height, centred."""
    return _one_person(size).copy()


def two_people_one_further_back(size: Size = (640, 480)) -> Frame:
    """The candidate plus someone further back in the room, upper right, smaller and dimmer.

    The second person is the astronaut again: scikit-image bundles no other frontal colour face
    that BlazeFace finds when small (the cameraman's is half hidden by his camera). What
    matters to the detector is the face's size: ~60 px against the candidate's ~100 px, a
    person about 1.7 times as far from the camera (~1.1 m with a typical 70-degree webcam).
    """
    return _two_people(size, FAR_SCALE, (0, 0)).copy()


def turned_away(size: Size = (640, 480)) -> Frame:
    """The candidate looking away from the screen: the cameraman's head, turned ~60-70 degrees
    towards the image's right. A real photo of a turned head, not a warp of a frontal one:
    2-D warps of a frontal face keep the nose between the eyes and still read as frontal."""
    return _turned_away(size).copy()


def write_video(path: Path, segments: list[tuple[Frame, float]], fps: float = 10) -> int:
    """Write (frame, seconds) segments to ``path`` and return the number of frames written.

    ``.mp4`` uses MPEG-4 part 2 (``mp4v``): the headless OpenCV wheel's FFmpeg writes and reads
    it back, while H.264 (``avc1``) has no encoder there. ``.avi`` uses Motion-JPEG.
    """
    cv2 = import_cv2()
    codecs = {".mp4": "mp4v", ".m4v": "mp4v", ".mkv": "mp4v", ".avi": "MJPG"}
    codec = codecs.get(path.suffix.lower())
    if codec is None:
        raise ValueError(f"unsupported video suffix {path.suffix!r}: use one of {sorted(codecs)}")
    if not segments:
        raise ValueError("no segments to write")
    height, width = segments[0][0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {codec} video to {path}")
    written = 0
    try:
        for frame, seconds in segments:
            if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
                raise ValueError(f"every frame must be uint8 {height}x{width}x3, got {frame.shape}")
            bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
            for _ in range(round(seconds * fps)):
                writer.write(bgr)
                written += 1
    finally:
        writer.release()
    return written


# -- building blocks (cached: resizing the photos costs ~50 ms each) -------------------------------


def _resize(image: npt.NDArray[np.generic], height: int, width: int) -> Frame:
    out = skimage.transform.resize(
        image, (height, width), order=1, anti_aliasing=True, preserve_range=True
    )
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _paste(frame: Frame, image: Frame, top: int, left: int) -> None:
    """Paste ``image`` with its top-left corner at (top, left), clipped to the frame."""
    height, width = frame.shape[:2]
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + image.shape[0], height), min(left + image.shape[1], width)
    if t1 > t0 and l1 > l0:
        frame[t0:t1, l0:l1] = image[t0 - top : t1 - top, l0 - left : l1 - left]


@lru_cache(maxsize=8)
def _room(size: Size) -> Frame:
    width, height = size
    brick = _resize(skimage.data.brick(), height, width).astype(np.float64) / 255.0
    wall = 0.55 + 0.35 * brick  # a pale wall: the texture at a third of the light
    light = np.linspace(1.0, 0.8, width)[None, :]  # lamp on the left
    tint = np.array([1.0, 0.93, 0.82])  # warm indoor light
    rgb = wall[:, :, None] * light[:, :, None] * tint * 255.0
    noise = np.random.default_rng(1234).normal(0.0, 4.0, rgb.shape)  # webcam sensor noise
    return np.clip(np.rint(rgb + noise), 0, 255).astype(np.uint8)


@lru_cache(maxsize=8)
def _one_person(size: Size) -> Frame:
    width, height = size
    side = min(width, height)
    frame = _room(size).copy()
    _paste(frame, _resize(skimage.data.astronaut(), side, side), height - side, (width - side) // 2)
    return frame


@lru_cache(maxsize=64)
def _two_people(size: Size, far_scale: float, shift: tuple[int, int]) -> Frame:
    """``shift`` (down, right) in pixels moves the second person: the bench checks that the
    fixture does not depend on a lucky pixel."""
    width, height = size
    frame = _one_person(size).copy()
    head = skimage.data.astronaut()[_ASTRONAUT_HEAD]
    # BlazeFace sees the frame shrunk to fit its input by the longest side: the far face keeps
    # its size relative to that side (what a camera with the same field of view would give).
    scale = far_scale * max(width, height) * 3 / 4 / 512
    far = _resize(head, round(head.shape[0] * scale), round(head.shape[1] * scale))
    far = np.clip(far.astype(np.float64) * FAR_BRIGHTNESS, 0, 255).astype(np.uint8)
    top = round(0.02 * height) + shift[0]
    _paste(frame, far, top, width - far.shape[1] - round(0.03 * width) + shift[1])
    return frame


@lru_cache(maxsize=8)
def _turned_away(size: Size) -> Frame:
    width, height = size
    side = min(width, height)
    head = skimage.color.gray2rgb(skimage.data.camera()[_CAMERAMAN_HEAD])
    frame = _room(size).copy()
    _paste(frame, _resize(head, side, side), height - side, (width - side) // 2)
    return frame
