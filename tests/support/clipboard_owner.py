"""Another program on the same display puts text on the clipboard and the X11 selection.

``python tests/support/clipboard_owner.py TEXT SECONDS [both|clipboard|selection]``: on X11
the text lives in its owner, so the process stays alive (answering paste requests) for
SECONDS, or until terminated.
"""

import sys

from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QClipboard, QGuiApplication

app = QGuiApplication(sys.argv[:1])
clipboard = QGuiApplication.clipboard()
assert clipboard is not None
which = sys.argv[3] if len(sys.argv) > 3 else "both"
if which in ("both", "clipboard"):
    clipboard.setText(sys.argv[1], QClipboard.Mode.Clipboard)
if which in ("both", "selection") and clipboard.supportsSelection():
    clipboard.setText(sys.argv[1], QClipboard.Mode.Selection)
print("owned", flush=True)
QTimer.singleShot(int(float(sys.argv[2]) * 1000), app.quit)
sys.exit(app.exec())
