"""The camera: OpenCV capture in a worker thread, faces analysed a few times a second.

A device index and a video file go through the same code path; a file is paced to play in
real time at its own frame rate and loops, which is how the detectors are tested without a
camera. No frame leaves this module except as an evidence photo (``latest_frame``).
"""

from __future__ import annotations

import glob
import logging
import os
import stat
import threading
import time
from dataclasses import dataclass
from typing import Any

from detectors.base import DeviceBack, DeviceError, DeviceLost, Observation, Problem, Publish
from detectors.cv import import_cv2
from detectors.faces import Face, FaceDetector
from detectors.frame_change import FrameChange
from detectors.sources import CameraSource

log = logging.getLogger("kiosk.camera")

MAX_WIDTH = 640  # analysis and photos never need more; larger frames are scaled down
REOPEN_EVERY_S = 1.0


@dataclass(frozen=True)
class FacesSeen(Observation):
    faces: tuple[Face, ...]

    @property
    def count(self) -> int:
        return len(self.faces)

    @property
    def looking(self) -> int:
        return sum(1 for f in self.faces if f.looking)


def _problem(problem: Problem, message: str) -> DeviceError:
    return DeviceError("camera", problem, message)


def device_path(index: int) -> str:
    return f"/dev/video{index}"


def video_devices() -> list[str]:
    """The video character devices (a stray file or folder named like one is not a camera)."""
    found = []
    for path in glob.glob("/dev/video*"):
        try:
            if stat.S_ISCHR(os.stat(path).st_mode):
                found.append(path)
        except OSError:
            continue
    return found


def check_camera(source: CameraSource) -> None:
    """What the operating system says before anything is opened: absent, missing, denied."""
    if source.kind == "none":
        raise _problem(Problem.ABSENT, "no camera: the kiosk was started with --camera none")
    if source.kind == "device":
        assert source.index is not None
        path = device_path(source.index)
        if not os.path.exists(path):
            if not video_devices():
                raise _problem(
                    Problem.ABSENT, "this computer has no camera (no /dev/video* device)"
                )
            raise _problem(Problem.NOT_FOUND, f"camera {source.index} ({path}) does not exist")
        if not os.access(path, os.R_OK | os.W_OK):
            raise _problem(Problem.DENIED, f"the operating system denies access to {path}")
        return
    assert source.path is not None
    if not source.path.exists():
        raise _problem(Problem.NOT_FOUND, f"the camera video file {source.path} is gone")
    if not os.access(source.path, os.R_OK):
        raise _problem(Problem.DENIED, f"the operating system denies reading {source.path}")


class CameraCapture:
    """Publishes ``FacesSeen`` a few times a second (with a face detector), and ``DeviceLost`` /
    ``DeviceBack`` when the camera stops and starts giving pictures again. ``open()`` checks
    and opens the source synchronously, so setup can report why it cannot be used."""

    def __init__(
        self,
        source: CameraSource,
        publish: Publish,
        *,
        analyse_fps: float = 4.0,
        detector: FaceDetector | None = None,
    ) -> None:
        self.source = source
        self._publish = publish
        self._interval = 1.0 / analyse_fps
        self._detector = detector
        self._cap: Any = None
        self._fps = 0.0
        self._latest: Any = None
        self._rgb: Any = None  # the analysed frame in RGB, its buffer reused from frame to frame
        self._change = FrameChange()
        self._faces: tuple[Face, ...] | None = None  # what the last analysis found
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- opening -------------------------------------------------------------------------------

    def _open_capture(self) -> Any:
        cv2 = import_cv2()
        if self.source.kind == "device":
            cap = cv2.VideoCapture(self.source.index, cv2.CAP_V4L2)
        else:
            cap = cv2.VideoCapture(str(self.source.path))
        if not cap.isOpened():
            cap.release()
            raise _problem(Problem.NOT_READABLE, f"{self.source.describe()} could not be opened")
        ok, frame = cap.read()
        if not ok or frame is None:
            cap.release()
            raise _problem(Problem.NOT_READABLE, f"{self.source.describe()} gives no picture")
        self._store(frame)
        return cap

    def open(self) -> None:
        """Checks and opens the source and reads one frame; raises DeviceError."""
        check_camera(self.source)
        self._cap = self._open_capture()
        fps = float(self._cap.get(import_cv2().CAP_PROP_FPS) or 0.0)
        self._fps = fps if 1.0 <= fps <= 240.0 else 25.0

    def _store(self, frame: Any) -> None:
        height, width = frame.shape[:2]
        if width > MAX_WIDTH:
            cv2 = import_cv2()
            scale = MAX_WIDTH / width
            frame = cv2.resize(frame, (MAX_WIDTH, round(height * scale)))
        with self._lock:
            self._latest = frame

    def latest_frame(self) -> Any:
        """A copy of the newest frame (BGR), for an evidence photo; None before the first."""
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        if self._cap is None:
            self.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
            if thread.is_alive():
                # Stuck in a driver's read(): releasing under it would free what it reads
                # into. The thread releases the device itself when read() returns.
                log.warning("the camera thread did not stop within 5 s; it will release later")
                return
        self.release()

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _run(self) -> None:
        """Takes every frame the camera gives (a device's buffers drain, a file plays in real
        time) but decodes into a picture only the ones used: one per analysis interval, which
        is also what an evidence photo is taken from (at most that old)."""
        is_file = self.source.kind == "file"
        frame_period = 1.0 / self._fps
        next_frame = time.monotonic()
        next_picture = time.monotonic()
        lost = False
        while not self._stop.is_set():
            ok = False if self._cap is None else self._cap.grab()
            if not ok and is_file and self._cap is not None:
                # Loop by opening the file again, as a device would be: a file taken away
                # during the exam is then a camera lost, and putting it back brings it back.
                self.release()
                try:
                    check_camera(self.source)
                    self._cap = self._open_capture()  # its first frame is decoded and kept
                    ok = True
                    next_picture = time.monotonic() + self._interval
                except DeviceError:
                    ok = False
            frame = None
            now = time.monotonic()
            if ok and now >= next_picture and self._cap is not None:
                ok, frame = self._cap.retrieve()
                ok = ok and frame is not None
                next_picture = now + self._interval
            if not ok:
                if not lost:
                    lost = True
                    with self._lock:  # no evidence photo may show a picture from before
                        self._latest = None
                    message = f"{self.source.describe()} stopped giving pictures"
                    self._publish(DeviceLost(time.time(), "camera", Problem.NOT_READABLE, message))
                self._reopen()
                continue
            if lost:
                lost = False
                self._publish(DeviceBack(time.time(), "camera"))
            if frame is not None:
                self._store(frame)
                if self._detector is not None:
                    self._analyse()
            if is_file:  # real time: a file plays at its own frame rate
                next_frame += frame_period
                delay = next_frame - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_frame = time.monotonic()
        self.release()  # the thread's own capture, released by the thread that reads it

    def _reopen(self) -> None:
        self.release()
        if self._stop.wait(REOPEN_EVERY_S):
            return
        try:
            check_camera(self.source)
            self._cap = self._open_capture()
        except DeviceError as exc:
            log.debug("camera still unavailable: %s", exc.message)

    def _analyse(self) -> None:
        assert self._detector is not None
        with self._lock:
            frame = self._latest  # replaced, never written into: no copy needed
        if frame is None:
            return
        if not self._change.changed(frame, time.monotonic()) and self._faces is not None:
            self._publish(FacesSeen(t=time.time(), faces=self._faces))  # the same picture
            return
        cv2 = import_cv2()
        if self._rgb is None or self._rgb.shape != frame.shape:
            self._rgb = frame.copy()
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB, dst=self._rgb)  # one buffer, reused
        try:
            faces = self._detector.detect(rgb)
        except Exception:
            log.exception("face detection failed on one frame")
            return
        self._faces = faces
        self._publish(FacesSeen(t=time.time(), faces=faces))
