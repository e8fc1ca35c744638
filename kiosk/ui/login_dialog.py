"""The kiosk's own dialog for a site that asks for a login with HTTP authentication (a 401),
as an LMS behind a school's web server may: drawn by the kiosk, so the page cannot fake it."""

from __future__ import annotations

from kiosk.platform.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

#: The window title starts with it (followed by the site), as the other kiosk dialogs do.
TITLE = "kiosk: log in to"


class LoginDialog(QDialog):
    def __init__(self, parent: QWidget | None, site: str, realm: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{TITLE} {site}")
        form = QFormLayout(self)
        said = f"{site} asks for a login" + (f" ({realm})" if realm else "") + "."
        form.addRow(QLabel(said))
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("User name:", self.user)
        form.addRow("Password:", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def ask_login(parent: QWidget | None, site: str, realm: str) -> tuple[str, str] | None:
    """User name and password, or None when the student cancels."""
    dialog = LoginDialog(parent, site, realm)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.user.text(), dialog.password.text()
    finally:
        dialog.deleteLater()
