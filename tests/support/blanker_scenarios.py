"""The ScreenBlanker on an X server with two X screens, which the session's display cannot have.

Usage: ``python -m tests.support.blanker_scenarios two-x-screens|xinerama``; prints one JSON line.

An Xvfb with ``-screen 0 1280x800x24 -screen 1 1024x768x24`` (``xinerama``: the same with
``+xinerama``), openbox on X screen 0, the exam fullscreen there. Without Xinerama Qt shows two
screens, both named "screen" and both at 0,0, each on its own X root; with it, Qt shows one.
What the covers are is read twice: from Qt (which ``QScreen`` each cover's window is on) and
from the X server (``xdotool search --screen N`` and ``xwininfo``: which root each viewable cover
window is under, where).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from kiosk.platform.x11.xvfb import VirtualDisplay
from tests.support.qt_loop import until
from tests.support.xdo import active_window, windows_named

COVER_TITLE = "kiosk: unused screen"
X_SCREENS = ("1280x800x24", "1024x768x24")


def _settle(app: Any, seconds: float) -> None:
    until(app, lambda: False, seconds)


def _run(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=10, check=False)
    return done.stdout


def x_windows(display: str, screen: int, title: str) -> list[list[int]]:
    """Viewable windows titled ``title`` on X screen ``screen``: [x, y, width, height] each."""
    rects = []
    for wid in windows_named(title, screen=screen):
        info = _run("xwininfo", "-display", display, "-id", wid)
        if "IsViewable" not in info:
            continue

        def field(label: str, info: str = info) -> int:
            match = re.search(rf"{label}:\s+(-?\d+)", info)
            assert match is not None, info
            return int(match.group(1))

        rects.append(
            [field("Absolute upper-left X"), field("Absolute upper-left Y"), field("Width"),
             field("Height")]
        )  # fmt: skip
    return sorted(rects)


def two_x_screens(xinerama: bool) -> dict[str, Any]:
    # openbox runs on X screen 0, where the exam is.
    virtual = VirtualDisplay(screens=X_SCREENS, xinerama=xinerama).start()
    display = virtual.display
    os.environ["DISPLAY"] = display
    try:
        from detectors.monitors import MonitorDetector
        from kiosk.enforcement.screen_covers import ScreenBlanker
        from kiosk.platform.qt import QApplication, QWidget
        from policies.monitors import decide_setup

        app = QApplication(["blanker-scenarios"])
        screens = app.screens()
        detector = MonitorDetector(lambda _: None)
        detector.start()
        setup = decide_setup(detector.last, "block")
        detector.stop()

        exam = QWidget()
        exam.setWindowTitle("exam")
        exam.setGeometry(0, 0, 1280, 800)
        exam.showFullScreen()
        exam_id = str(int(exam.winId()))

        exam_active = until(app, lambda: exam.isActiveWindow() and active_window() == exam_id)
        exam_screen = exam.screen()

        def index(screen: Any) -> int | None:
            return next((i for i, s in enumerate(screens) if s is screen), None)

        def covers() -> list[QWidget]:
            return [
                w for w in app.topLevelWidgets() if w is not exam and w.isWindow() and w.isVisible()
            ]

        def exposed() -> bool:
            found = covers()
            return len(found) == len(screens) - 1 and all(
                (h := w.windowHandle()) is not None and h.isExposed() for w in found
            )

        blanker = ScreenBlanker(exam)
        blanker.start()
        placed = until(app, exposed)
        _settle(app, 0.5)  # let the window manager act on what it was given

        def x_covers() -> list[list[list[int]]]:
            return [x_windows(display, n, COVER_TITLE) for n in range(len(X_SCREENS))]

        result: dict[str, Any] = {
            "screens": [
                {
                    "name": s.name(),
                    "geometry": list(s.geometry().getRect()),
                    "siblings": sorted(i for i in map(index, s.virtualSiblings()) if i is not None),
                }
                for s in screens
            ],
            "setup_code": setup.code,
            "exam_screen": index(exam_screen),
            "exam_x_screens": [n for n in range(len(X_SCREENS)) if x_windows(display, n, "^exam$")],
            "exam_active_before": exam_active,
            "placed": placed,
            "covered": blanker.covered(),
            "qt_covers": [
                {
                    "screen": index(h.screen()) if (h := w.windowHandle()) is not None else None,
                    "geometry": list(w.geometry().getRect()),
                    "fullscreen": w.isFullScreen(),
                    "close_refused": not w.close() and w.isVisible(),
                }
                for w in covers()
            ],
            "x_covers": x_covers(),
            "exam_active_with_covers": active_window() == exam_id and exam.isActiveWindow(),
        }
        blanker.stop()
        blanker.stop()
        result["gone_after_stop"] = until(
            app, lambda: covers() == [] and x_covers() == [[] for _ in X_SCREENS]
        )
        result["covered_after_stop"] = blanker.covered()
        exam.close()
        return result
    finally:
        virtual.stop()


if __name__ == "__main__":
    scenarios: dict[str, Callable[[], dict[str, Any]]] = {
        "two-x-screens": lambda: two_x_screens(xinerama=False),
        "xinerama": lambda: two_x_screens(xinerama=True),
    }
    import json

    print(json.dumps(scenarios[sys.argv[1]]()), flush=True)
