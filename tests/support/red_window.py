"""Another X client: a solid red window, so a capture can prove it sees other applications.

Usage: ``python red_window.py X Y W H``. Prints ``painted X Y W H`` (the window's real place on
the screen, wherever the window manager put it) once its red pixels have reached the X server.
"""

import sys

from PyQt6.QtCore import QPoint, Qt, QTimer
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import QApplication, QWidget


class Red(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.WindowStaysOnTopHint)
        self.reported = False

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(255, 0, 0))
        painter.end()
        if not self.reported:
            self.reported = True
            QTimer.singleShot(100, self.report)  # after the backing store is flushed

    def report(self) -> None:
        corner = self.mapToGlobal(QPoint(0, 0))
        print("painted", corner.x(), corner.y(), self.width(), self.height(), flush=True)


app = QApplication(sys.argv[:1])
x, y, w, h = (int(v) for v in sys.argv[1:5])
window = Red()
window.setWindowTitle("red")
window.setGeometry(x, y, w, h)
window.show()
sys.exit(app.exec())
