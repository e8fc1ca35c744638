"""Another program's override-redirect window: no window manager, no focus, drawn on top.

What a cheat sheet over the exam looks like to X: the window manager never sees it, the kiosk
keeps the focus. Usage: ``python overlay.py X Y W H [TITLE]``. Prints ``shown WID`` (the X window
id, decimal) once the window has been painted; exits on SIGTERM.
"""

import signal
import sys

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import QApplication, QWidget


class Sheet(QWidget):
    def __init__(self) -> None:
        super().__init__(
            None,
            Qt.WindowType.X11BypassWindowManagerHint
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.reported = False

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(255, 0, 0))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.windowTitle())
        painter.end()
        if not self.reported:
            self.reported = True
            QTimer.singleShot(50, self.report)  # after the backing store is flushed

    def report(self) -> None:
        print("shown", int(self.winId()), flush=True)


app = QApplication(sys.argv[:1])
signal.signal(signal.SIGTERM, lambda *_: app.quit())
# Python only sees SIGTERM between bytecodes: a timer lets the handler run while Qt waits.
tick = QTimer()
tick.timeout.connect(lambda: None)
tick.start(100)
x, y, w, h = (int(v) for v in sys.argv[1:5])
sheet = Sheet()
sheet.setWindowTitle(sys.argv[5] if len(sys.argv) > 5 else "CHEAT SHEET")
sheet.setGeometry(x, y, w, h)
sheet.show()
sys.exit(app.exec())
