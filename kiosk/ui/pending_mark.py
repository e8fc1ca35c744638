"""The "reports pending" mark: all the student sees of the LRS being behind.

A small, quiet label in a corner of the exam window, shown while statements are owed and the
LRS fails, gone once it has caught up. It says nothing more: the exam is not the student's to
worry about reporting, and every statement is safe in the record meanwhile.
"""

from __future__ import annotations

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QLabel, Qt, QWidget

MARGIN = 8


class PendingMark(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk-reports-pending")
        self.setStyleSheet(
            "background: rgba(29, 36, 51, 200); color: #fff; padding: 3px 8px;"
            " font-size: 12px; border-radius: 4px;"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.owed = 0
        self.hide()

    @fail_safe(None)
    def show_pending(self, owed: int) -> None:
        self.owed = owed
        if owed <= 0:
            self.hide()
            return
        self.setText("reports pending")
        self.setToolTip(f"{owed} reports wait for the school's server; none is lost")
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(parent.width() - self.width() - MARGIN, MARGIN)
