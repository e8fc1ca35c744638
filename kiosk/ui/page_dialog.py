"""The exam page's own alert(), confirm(), prompt() and beforeunload question, shown by the kiosk.

Qt's default dialogs would show them too, but as windows the kiosk could not tell from any
other: a page's dialog was counted as the student switching away. This one is named for the
focus detector (``policies.page_dialogs.PAGE_DIALOG``), is a modal child of the exam window (the
window manager stacks it over the exam, centred on its screen), closes with Enter or Escape or a
click, and shows the page's text as plain text only: no link, picture or markup of the page's.
Its title says the text is the page's, so a page cannot pass its prompt off as the kiosk's.
"""

from __future__ import annotations

from kiosk.platform.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    Qt,
    QWidget,
)
from policies.page_dialogs import MAX_ANSWER, PAGE_DIALOG, shown_message

TITLES = {
    "alert": "The exam page says",
    "confirm": "The exam page asks",
    "prompt": "The exam page asks",
    "beforeunload": "The exam page asks before it is left",
}

LEAVE_QUESTION = "Leave this page? Changes you made may not be saved."


class PageDialog(QDialog):
    def __init__(
        self, parent: QWidget, kind: str, origin: str, message: str, default: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName(PAGE_DIALOG)
        self.setWindowTitle(f"{TITLES.get(kind, 'The exam page says')} ({origin})")
        self.setModal(True)
        layout = QFormLayout(self)  # one row under another
        text = QLabel(shown_message(LEAVE_QUESTION if kind == "beforeunload" else message))
        text.setTextFormat(Qt.TextFormat.PlainText)  # never the page's markup, links, images
        text.setWordWrap(True)
        text.setMaximumWidth(640)
        layout.addRow(text)
        self.field: QLineEdit | None = None
        if kind == "prompt":
            self.field = QLineEdit(default[:MAX_ANSWER])
            self.field.setMaxLength(MAX_ANSWER)
            layout.addRow(self.field)
        buttons = QDialogButtonBox(self)
        ok = QDialogButtonBox.StandardButton.Ok
        cancel = QDialogButtonBox.StandardButton.Cancel
        if kind == "alert":
            buttons.setStandardButtons(ok)
        else:
            buttons.setStandardButtons(ok | cancel)
        if kind == "beforeunload":
            buttons.button(ok).setText("Leave")  # type: ignore[union-attr]
            buttons.button(cancel).setText("Stay")  # type: ignore[union-attr]
        default_button = buttons.button(ok)
        if default_button is not None:
            default_button.setDefault(True)  # Enter: OK (Escape: cancel, QDialog's own)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)


def ask(
    parent: QWidget, kind: str, origin: str, message: str, default: str = ""
) -> tuple[bool, str]:
    """Shows the page's dialog over ``parent`` until the student closes it: (accepted, text)."""
    dialog = PageDialog(parent, kind, origin, message, default)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        text = dialog.field.text() if dialog.field is not None else ""
        return accepted, text
    finally:
        dialog.deleteLater()
