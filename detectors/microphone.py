"""The microphone: its level against the room's background, the input of event 5004.

The detector measures, it does not judge: every block (100 ms) it publishes an ``AudioLevel``
with the block's level, the room's background and whether the block stands out from it. How
long "loud" must last to be a violation is the policy's decision. A microphone (PortAudio,
through sounddevice) and a WAV file (paced in real time, looping) feed the same worker loop.
"""

from __future__ import annotations

import logging
import threading
import time

from detectors.audio_capture import Capture, StreamCapture, WavCapture
from detectors.audio_level import AudioLevel, AudioSettings, LevelTracker
from detectors.base import DeviceBack, DeviceError, DeviceLost, Observation, Problem, Publish
from detectors.sources import MicrophoneSource

log = logging.getLogger("kiosk.detectors.audio")

__all__ = ["AudioLevel", "AudioSettings", "MicrophoneDetector"]


class MicrophoneDetector:
    """Publishes an ``AudioLevel`` per block from a microphone or a WAV file.

    ``open()`` is synchronous so setup can say why a microphone cannot be used before the exam
    starts. ``publish`` is called from the capture thread: a Qt caller must hand it over to its
    own thread (the event bus's queued signal). A device lost during capture is published once
    as ``DeviceLost``; the thread then tries to reopen it every ``retry_s`` and, when it is
    back, publishes ``DeviceBack`` and carries on with the learnt background.
    """

    def __init__(
        self,
        source: MicrophoneSource,
        publish: Publish,
        settings: AudioSettings | None = None,
    ) -> None:
        self.source = source
        self.settings = settings if settings is not None else AudioSettings()
        self._publish = publish
        self.tracker = LevelTracker(self.settings)
        self._capture: Capture | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        """Checks and opens the source, or raises the DeviceError that says why it cannot.

        Opening does not capture yet: nothing is heard before ``start()``."""
        if self._capture is None:
            self._capture = self._open_capture()

    def start(self) -> None:
        if self._thread is not None:
            return
        self.open()
        assert self._capture is not None
        try:
            self._capture.start()
        except DeviceError:
            self._capture = None  # start() closed it
            raise
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="microphone", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("microphone thread did not stop within %.1f s", timeout)
                return  # it still owns the capture; it closes it when it ends
            self._thread = None
        if self._capture is not None:  # opened but never started, or left by the thread
            self._capture.close()
            self._capture = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _open_capture(self) -> Capture:
        if self.source.kind == "none":
            raise DeviceError("microphone", Problem.ABSENT, "no microphone (--microphone none)")
        if self.source.kind == "file":
            return WavCapture(self.source.path, self.settings.block_s)
        return StreamCapture(self.source, self.settings)

    def _run(self) -> None:
        lost = False
        while not self._stop.is_set():
            capture = self._capture
            if capture is None:
                try:
                    capture = self._open_capture()
                    capture.start()
                    self._capture = capture
                except DeviceError as exc:
                    log.debug("reopening %s failed: %s", self.source.describe(), exc)
                    self._stop.wait(self.settings.retry_s)
                    continue
                if lost:
                    log.info("%s is back", self.source.describe())
                    lost = False
                    self._emit(DeviceBack(time.time(), "microphone"))
            try:
                block = capture.read(self._stop)
            except DeviceError as exc:
                self._capture = None
                if not lost:  # reported before closing: closing a lost device can hang
                    lost = True
                    self._report(exc)
                capture.close()
                self._stop.wait(self.settings.retry_s)
                continue
            if block is not None:
                self._emit(self.tracker.feed(*block))
        if self._capture is not None:
            self._capture.close()
            self._capture = None

    def _emit(self, observation: Observation) -> None:
        try:
            self._publish(observation)
        except Exception:  # a subscriber's bug must not end the capture
            log.exception("publishing %s failed", type(observation).__name__)

    def _report(self, error: DeviceError) -> None:
        log.warning("%s lost: %s", self.source.describe(), error)
        self._emit(DeviceLost(time.time(), "microphone", error.problem, error.message))
