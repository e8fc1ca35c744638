"""Another application's window: opening it takes the focus away from the kiosk."""

import sys

from PyQt6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("another application")
label.setWindowTitle("intruder")
label.resize(400, 200)
label.show()
print("shown", flush=True)
sys.exit(app.exec())
