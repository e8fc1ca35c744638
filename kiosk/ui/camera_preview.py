"""showCamPreview: a small live view of the camera in a corner of the exam window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QImage, QLabel, QPixmap, Qt, QTimer, QWidget

WIDTH, HEIGHT, MARGIN = 200, 150, 12


class CameraPreview(QLabel):
    def __init__(self, parent: QWidget, frames: Callable[[], Any]) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk-camera-preview")
        self.setFixedSize(WIDTH, HEIGHT)
        self.setStyleSheet("background: #000; border: 2px solid #fff;")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._frames = frames
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._refresh)
        self._timer.start(200)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(parent.width() - WIDTH - MARGIN, parent.height() - HEIGHT - MARGIN)

    @fail_safe(None)
    def _refresh(self) -> None:
        frame = self._frames()
        if frame is None:
            return
        height, width = frame.shape[:2]
        rgb = frame[:, :, ::-1].copy()
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self.setPixmap(
            QPixmap.fromImage(image).scaled(
                WIDTH, HEIGHT, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )  # fmt: skip
        self.raise_()
