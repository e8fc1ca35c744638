"""The consent screen the kiosk shows before it turns on a camera or a microphone."""

from __future__ import annotations

from kiosk.platform.qt import QMessageBox, QWidget


def ask(parent: QWidget, devices: list[str]) -> bool:
    """True when the student allows; Escape, closing or Decline all mean no."""
    what = " and ".join(devices)
    box = QMessageBox(parent)
    box.setWindowTitle("kiosk: consent")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(f"This exam asks to use your {what}.")
    box.setInformativeText(
        f"The {what} is analysed on this computer only. Evidence of possible violations "
        "(events and a limited number of photos) is stored in this session's record for your "
        "school. Allow?"
    )
    allow = box.addButton("&Allow", QMessageBox.ButtonRole.AcceptRole)
    decline = box.addButton("&Decline", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(decline)
    box.setEscapeButton(decline)
    box.exec()
    return box.clickedButton() is allow
