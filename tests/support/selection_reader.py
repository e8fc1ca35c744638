"""Another program reading the clipboard and the X selection (PRIMARY) as fast as it can.

``python tests/support/selection_reader.py OUT``: prints "reading" once it runs, then appends
to OUT every new text it is served (``READ clipboard|selection TEXT``) and, every 20 rounds,
``polls N``: the test's witness that it kept asking after an attempt.
"""

import sys
import time

from PyQt6.QtGui import QClipboard, QGuiApplication

app = QGuiApplication(sys.argv[:1])
clipboard = QGuiApplication.clipboard()
assert clipboard is not None
MODES = {"clipboard": QClipboard.Mode.Clipboard, "selection": QClipboard.Mode.Selection}
seen: set[tuple[str, str]] = set()
rounds = 0
with open(sys.argv[1], "a", encoding="utf-8") as out:
    print("reading", flush=True)
    while True:
        app.processEvents()
        for name, mode in MODES.items():
            text = clipboard.text(mode)  # asks the owner each time another client owns it
            if text and (name, text) not in seen:
                seen.add((name, text))
                out.write(f"READ {name} {text!r}\n")
                out.flush()
        rounds += 1
        if rounds % 20 == 0:
            out.write(f"polls {rounds}\n")
            out.flush()
        time.sleep(0.005)
