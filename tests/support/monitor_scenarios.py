"""Monitor layouts the test session's display cannot have, each on a private X server.

Usage: ``python -m tests.support.monitor_scenarios two-heads|xinerama``; prints one JSON line.

- ``two-heads``: a 2560x800 Xvfb with openbox carved into two side-by-side monitors (LEFT owns
  the output, RIGHT is virtual), as a laptop with a second monitor looks. The exam window is
  fullscreen on LEFT and the ScreenBlanker covers RIGHT; then RIGHT is removed.
- ``xinerama``: two X screens joined with ``+xinerama``: screeninfo's Xinerama enumerator reports
  two heads at 0,0 (a mirrored pair) while Qt shows one screen.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from typing import Any

from kiosk.platform.x11.xvfb import VirtualDisplay
from tests.support.qt_loop import until
from tests.support.xdo import active_window


def _xrandr(*args: str) -> None:
    subprocess.run(["xrandr", *args], check=True, capture_output=True, timeout=10)


def two_heads() -> dict[str, Any]:
    display = VirtualDisplay(width=2560, height=800).start()
    os.environ["DISPLAY"] = display.display
    try:
        _xrandr("--setmonitor", "LEFT", "1280/338x800/211+0+0", "screen")
        _xrandr("--setmonitor", "RIGHT", "1280/338x800/211+1280+0", "none")
        from kiosk.enforcement.screen_covers import ScreenBlanker
        from kiosk.platform.qt import QApplication, QWidget

        app = QApplication(["monitor-scenarios"])
        exam = QWidget()
        exam.setWindowTitle("exam")
        exam.setGeometry(0, 0, 1280, 800)
        exam.showFullScreen()
        exam_id = str(int(exam.winId()))

        exam_active = until(app, lambda: exam.isActiveWindow() and active_window() == exam_id)
        blanker = ScreenBlanker(exam)
        blanker.start()

        def cover() -> QWidget | None:
            found = [
                w for w in app.topLevelWidgets() if w is not exam and w.isVisible() and w.isWindow()
            ]
            return found[0] if len(found) == 1 else None

        def settled() -> bool:
            c = cover()
            return c is not None and c.isFullScreen() and c.geometry().x() == 1280

        placed = until(app, settled)
        c = cover()
        exam_screen = exam.screen()
        result: dict[str, Any] = {
            "screens": [s.name() for s in app.screens()],
            "exam_screen": None if exam_screen is None else exam_screen.name(),
            "exam_active_before": exam_active,
            "placed": placed,
            "covered": blanker.covered(),
            "cover_geometry": None if c is None else list(c.geometry().getRect()),
            "cover_fullscreen": None if c is None else c.isFullScreen(),
            "exam_geometry": list(exam.geometry().getRect()),
            "exam_active_with_cover": active_window() == exam_id,
        }
        _xrandr("--delmonitor", "RIGHT")
        result["gone_after_removal"] = until(
            app, lambda: blanker.covered() == [] and cover() is None
        )
        blanker.stop()
        exam.close()
        return result
    finally:
        display.stop()


def xinerama() -> dict[str, Any]:
    virtual = VirtualDisplay(
        screens=("1280x800x24", "1280x800x24"), xinerama=True, window_manager=False
    ).start()
    try:
        os.environ["DISPLAY"] = virtual.display
        from detectors.base import Observation
        from detectors.monitors import MonitorDetector, MonitorsSnapshot, os_heads
        from kiosk.platform.qt import QGuiApplication
        from policies.monitors import decide_change, suspected

        app = QGuiApplication(["monitor-scenarios"])
        published: list[Observation] = []
        detector = MonitorDetector(published.append)
        detector.start()
        initial = detector.last
        heads = os_heads("xinerama")
        mirrored = dataclasses.replace(initial, os_heads=heads)
        assert isinstance(mirrored, MonitorsSnapshot)
        detector.stop()
        del app
        return {
            "screens": [h.name for h in initial.screens],
            "default_os_heads": None
            if initial.os_heads is None
            else [dataclasses.asdict(h) for h in initial.os_heads],
            "xinerama_heads": None if heads is None else [dataclasses.asdict(h) for h in heads],
            "suspected": suspected(mirrored),
            "findings": [{"code": f.code, **f.detail} for f in decide_change(initial, mirrored)],
        }
    finally:
        virtual.stop()


if __name__ == "__main__":
    scenarios = {"two-heads": two_heads, "xinerama": xinerama}
    print(json.dumps(scenarios[sys.argv[1]]()), flush=True)
