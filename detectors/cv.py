"""The one way to import OpenCV: it must not leave Qt settings behind for our Qt 6.

The GUI builds of OpenCV bundle Qt 5 and, on ``import cv2``, point ``QT_QPA_PLATFORM_PLUGIN_PATH``
and ``QT_QPA_FONTDIR`` into the ``cv2`` package folder. Qt 6 (ours, and every child process that
inherits the environment) would then load Qt 5 plugins and abort. The project installs the headless
build, which does not do this, but a stray GUI build must not break the kiosk either; so every
import goes through :func:`import_cv2`, which removes those variables when they point into cv2.
mediapipe imports cv2 itself: call :func:`scrub_qt_env` (or :func:`import_cv2`) after it too.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def scrub_qt_env(cv2_dir: Path | None = None) -> list[str]:
    """Drop the Qt variables that point inside OpenCV's package folder; return their names.

    Variables pointing elsewhere were set on purpose by someone else and are kept.
    """
    if cv2_dir is None:
        import cv2

        cv2_dir = _package_dir(cv2)
    removed = []
    for name in QT_VARIABLES:
        value = os.environ.get(name)
        if value is None:
            continue
        try:
            inside = Path(value).resolve().is_relative_to(cv2_dir)
        except (OSError, RuntimeError):  # unresolvable (e.g. a symlink loop): not ours to judge
            inside = False
        if inside:
            del os.environ[name]
            removed.append(name)
    return removed


def import_cv2() -> ModuleType:
    """Import OpenCV with its Qt variables scrubbed; callers import it lazily (it is heavy).

    Importing cv2 also prepends its bundled libraries to LD_LIBRARY_PATH, which every child
    process (QtWebEngineProcess included) would inherit: the library is loaded by then, so the
    variable goes back to what it was. The camera thread calls this for every frame: only the
    first call imports (and touches LD_LIBRARY_PATH); later calls only scrub what is set.
    """
    cv2 = _load_cv2()
    scrub_qt_env(_cv2_dir())
    return cv2


@functools.cache
def _cv2_dir() -> Path:
    return _package_dir(_load_cv2())


@functools.cache
def _load_cv2() -> ModuleType:
    with library_path_kept():
        import cv2
    return cv2


@contextmanager
def library_path_kept() -> Iterator[None]:
    """Restores LD_LIBRARY_PATH after an import that changes it (cv2, and mediapipe via cv2)."""
    before = os.environ.get("LD_LIBRARY_PATH")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = before


#: mediapipe's vision package imports its drawing helpers, and with them matplotlib.pyplot
#: (about half of ``import mediapipe``'s time and ~29 MB), for drawing on images, which the
#: kiosk never does: they are imported as empty modules instead.
UNUSED_BY_KIOSK = frozenset({
    "mediapipe.tasks.python.vision.drawing_utils",
    "mediapipe.tasks.python.vision.drawing_styles",
})  # fmt: skip


class _EmptyModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: object = None, target: object = None) -> Any:
        return importlib.util.spec_from_loader(name, self) if name in UNUSED_BY_KIOSK else None

    def create_module(self, spec: Any) -> None:
        return None  # the default: an empty module

    def exec_module(self, module: ModuleType) -> None:
        module.__doc__ = "Left out by kiosk (detectors/cv.py): it draws on no image."


@contextmanager
def without_drawing() -> Iterator[None]:
    """Around ``import mediapipe``: its drawing helpers (and matplotlib) stay out."""
    finder = _EmptyModules()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _package_dir(module: ModuleType) -> Path:
    return Path(module.__file__ or ".").resolve().parent
