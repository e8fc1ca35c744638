"""The kiosk's own dialog for the quit password (never the page's: the page cannot fake it)."""

from __future__ import annotations

from kiosk.platform.qt import QInputDialog, QLineEdit, QWidget


def ask_password(parent: QWidget) -> str | None:
    """The password typed, or None when the student cancels."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("kiosk: quit")
    dialog.setLabelText("The exam is running. Enter the quit password to leave:")
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()
