"""Importing OpenCV and mediapipe leaves the environment our Qt and its children inherit alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

WATCHED = ("LD_LIBRARY_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")

_PROBE = f"""
import json, os
from detectors.faces import _mediapipe
from detectors.cv import import_cv2
before = {{k: os.environ.get(k) for k in {WATCHED!r}}}
import_cv2()
_mediapipe()
print(json.dumps([before, {{k: os.environ.get(k) for k in {WATCHED!r}}}]))
"""


def test_cv2_and_mediapipe_imports_leave_the_environment_as_it_was(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert after == before == dict.fromkeys(WATCHED)


def test_mediapipe_comes_without_its_drawing_helpers_and_matplotlib() -> None:
    probe = (
        "import sys\nfrom detectors.faces import _mediapipe\nmp = _mediapipe()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
        "print(mp.tasks.vision.FaceDetector.__name__, mp.tasks.vision.drawing_utils.__doc__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded, vision = done.stdout.strip().splitlines()[-2:]
    assert loaded == "[]"
    assert vision == "FaceDetector Left out by kiosk (detectors/cv.py): it draws on no image."


def test_only_the_headless_opencv_is_installed() -> None:
    from importlib.metadata import distributions

    names = sorted(
        d.metadata["Name"].lower()
        for d in distributions()
        if d.metadata["Name"].lower().startswith("opencv")
    )
    assert names == ["opencv-contrib-python-headless"], (
        f"exactly one OpenCV, the headless build, must be installed (make setup): {names}"
    )
