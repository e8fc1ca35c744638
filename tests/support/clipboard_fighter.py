"""Another program that keeps putting its text back on the clipboard and the X selection.

``python tests/support/clipboard_fighter.py TEXT``: every 50 ms, as a clipboard manager or a
cheating tool would, until terminated. Clearing after each change loses this race; refusing the
paste itself does not.
"""

import sys

from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QClipboard, QGuiApplication

app = QGuiApplication(sys.argv[:1])
clipboard = QGuiApplication.clipboard()
assert clipboard is not None
text = sys.argv[1]


def put_back() -> None:
    assert clipboard is not None
    if clipboard.text(QClipboard.Mode.Clipboard) != text:
        clipboard.setText(text, QClipboard.Mode.Clipboard)
    if clipboard.text(QClipboard.Mode.Selection) != text:
        clipboard.setText(text, QClipboard.Mode.Selection)


put_back()
timer = QTimer()
timer.timeout.connect(put_back)
timer.start(50)
print("fighting", flush=True)
sys.exit(app.exec())
