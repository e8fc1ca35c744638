"""Evidence photos: JPEG files in the session folder, private to the user, in a bounded pool.

Like AutoProctor's fixed number of evidence slots, the pool has a capacity: past it the
violation is still recorded, the photo is not, so a long or noisy exam cannot fill the disk.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detectors.cv import import_cv2

JPEG_QUALITY = 85


@dataclass(frozen=True)
class Photo:
    id: str
    path: Path
    t: float
    kind: str  # "random", "testTaker", or the evidence code it documents ("5001", ...)

    def as_detail(self) -> dict[str, str]:
        return {"id": self.id, "path": str(self.path), "kind": self.kind}


class EvidenceStore:
    def __init__(self, folder: Path, capacity: int) -> None:
        self.folder = folder
        self.capacity = capacity
        self._count = 0
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return self._count

    @property
    def full(self) -> bool:
        return self._count >= self.capacity

    def save(self, frame_bgr: Any, kind: str, t: float) -> Photo | None:
        """Writes one JPEG (mode 0600); None when the pool is full or there is no frame."""
        if frame_bgr is None:
            return None
        with self._lock:
            if self._count >= self.capacity:
                return None
            self._count += 1
            number = self._count
        cv2 = import_cv2()
        ok, data = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            return None
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        photo_id = f"photo-{number:04d}"
        path = self.folder / f"{photo_id}-{kind}.jpg"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data.tobytes())
            out.flush()
            os.fsync(out.fileno())
        return Photo(photo_id, path, t, kind)
