"""Runs ``capture_screen`` on whatever QT_QPA_PLATFORM says and prints what really happened.

Usage: ``python -m tests.support.capture_probe app|noapp``. With ``app``, one red 100x100 window
of our own is shown at (50, 50) first, to see whether a raw grab contains only our windows.
Prints one JSON object: the platform, the raw ``grabWindow()`` result and the page code of the
capture's failure, or the captured size.
"""

import json
import sys
import time

from detectors.base import DeviceError
from detectors.screen_capture import capture_screen
from kiosk.platform.qt import QApplication, QGuiApplication, QWidget
from policies.devices import page_code

result: dict[str, object] = {}
if sys.argv[1] == "app":
    app = QApplication(sys.argv[:1])
    own = QWidget()
    own.setStyleSheet("background: #ff0000")
    own.setGeometry(50, 50, 100, 100)
    own.show()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not own.windowHandle().isExposed():
        app.processEvents()
    app.processEvents()
    screen = QGuiApplication.primaryScreen()
    result["platform"] = QGuiApplication.platformName()
    if screen is not None:
        geometry = screen.geometry()
        result["screen"] = [geometry.width(), geometry.height()]
        raw = screen.grabWindow().toImage()
        result["raw_null"] = raw.isNull()
        if not raw.isNull():
            result["raw_size"] = [raw.width(), raw.height()]
            result["raw_inside_own_window"] = raw.pixelColor(100, 100).name()
            result["raw_outside"] = raw.pixelColor(400, 400).name()
try:
    image = capture_screen()
    result["captured"] = [image.width(), image.height()]
except DeviceError as failure:
    result["code"] = page_code(failure.device, failure.problem).code
    result["message"] = failure.message
print(json.dumps(result), flush=True)
