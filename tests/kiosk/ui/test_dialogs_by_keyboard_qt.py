"""Every kiosk dialog works with the keyboard alone: each key goes where a real keyboard's
would, to the widget that has the focus, and every answer (yes, no, a text) can be given."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from kiosk.platform.qt import QApplication, QPushButton, Qt, QWidget
from kiosk.ui import consent, login_dialog, page_dialog, password_dialog

Keys = list["Qt.Key | str"]


@pytest.fixture
def keyboard(qtbot: QtBot, on_next_dialog: Callable) -> Callable[[Keys], None]:
    """Types ``keys`` (a key, a text, or ``to:BUTTON``) into the next dialog's focused widget."""

    def type_into(dialog: QWidget, keys: Keys) -> None:
        for key in keys:
            if isinstance(key, str) and key.startswith("to:"):
                tab_to(qtbot, dialog, key[3:])
            elif isinstance(key, str):
                qtbot.keyClicks(QApplication.focusWidget(), key)
            else:
                qtbot.keyClick(QApplication.focusWidget(), key)

    return lambda keys: on_next_dialog(lambda dialog: type_into(dialog, keys))


def tab_to(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    """Tab until the focus is on the button that says ``text`` (fails if Tab never gets there)."""
    for _ in range(8):
        focus = QApplication.focusWidget()
        if isinstance(focus, QPushButton) and focus.text().replace("&", "") == text:
            return
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reaches {text!r} in {dialog.windowTitle()!r}")


ENTER, ESCAPE, SPACE = Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Space


@pytest.mark.parametrize(
    ("keys", "allowed"),
    [(["to:Allow", SPACE], True), ([ENTER], False), ([ESCAPE], False),
     (["to:Allow", "to:Decline", SPACE], False)],
    ids=["tab-to-allow", "enter-is-decline", "escape", "tab-back-to-decline"],
)  # fmt: skip
def test_the_consent_screen(exam: QWidget, keyboard: Callable, keys: Keys, allowed: bool) -> None:
    keyboard(keys)
    assert consent.ask(exam, ["camera"]) is allowed


@pytest.mark.parametrize(("keys", "given"), [(["the password", ENTER], "the password"),
                                             (["typed", ESCAPE], None)])  # fmt: skip
def test_the_quit_password(exam: QWidget, keyboard: Callable, keys: Keys, given: str) -> None:
    keyboard(keys)
    assert password_dialog.ask_password(exam) == given


def test_the_settings_password_and_its_cancel_button(keyboard: Callable) -> None:
    keyboard(["secret", ENTER])
    assert password_dialog.ask_settings_password(3) == "secret"
    keyboard(["not this", "to:Cancel", SPACE])
    assert password_dialog.ask_settings_password(2) is None


def test_the_login_dialog(exam: QWidget, keyboard: Callable) -> None:
    keyboard(["student", Qt.Key.Key_Tab, "pass word", ENTER])
    assert login_dialog.ask_login(exam, "lms.example", "Moodle") == ("student", "pass word")


def test_the_pages_confirm_is_answered_no_from_the_keyboard(
    exam: QWidget, keyboard: Callable
) -> None:
    keyboard(["to:Cancel", SPACE])
    assert page_dialog.ask(exam, "confirm", "http://127.0.0.1", "Hand in?") == (False, "")
    keyboard(["to:Leave", SPACE])
    assert page_dialog.ask(exam, "beforeunload", "http://127.0.0.1", "")[0] is True
