"""The kiosk's own password dialogs (never the page's: the page cannot fake them): the quit
password of a running exam, and the settings password of an encrypted exam configuration."""

from __future__ import annotations

from kiosk.platform.qt import QInputDialog, QLineEdit, QWidget

SETTINGS_TITLE = "kiosk: the exam's settings password"


def ask_password(parent: QWidget) -> str | None:
    """The quit password typed, or None when the student cancels."""
    return _ask(parent, "kiosk: quit", "The exam is running. Enter the quit password to leave:")


def ask_settings_password(left: int, tries: int = 3) -> str | None:
    """The password of a password-protected exam configuration (.seb), or None for cancel.
    After a wrong one the title says so too, so that nobody types into the closing dialog."""
    label = "This exam's settings are protected. Enter the settings password:"
    title = SETTINGS_TITLE
    if left < tries:
        label = f"The password was wrong ({left} tries left). {label}"
        title = f"{SETTINGS_TITLE} (wrong; {left} tries left)"
    return _ask(None, title, label)


def _ask(parent: QWidget | None, title: str, label: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()
