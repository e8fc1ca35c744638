"""The exam page's own dialog, as the kiosk shows it: plain text, bounded, over the exam window,
closed by Enter, Escape or a click, and named so the focus detector knows it for the page's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from kiosk.platform.qt import QDialogButtonBox, QLabel, Qt, QWidget
from kiosk.ui.page_dialog import LEAVE_QUESTION, PageDialog, ask
from policies.page_dialogs import PAGE_DIALOG

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def answer(on_next_dialog: Callable) -> Callable[[Callable[[PageDialog], None]], None]:
    """Acts on the page dialog once it is up (``ask`` runs a loop of its own)."""

    def on_page_dialog(do: Callable[[PageDialog], None]) -> None:
        def checked(dialog: object) -> None:
            assert isinstance(dialog, PageDialog), dialog
            do(dialog)

        on_next_dialog(checked)

    return on_page_dialog


def text_of(dialog: PageDialog) -> QLabel:
    labels = [w for w in dialog.findChildren(QLabel) if w.text()]
    assert len(labels) == 1
    return labels[0]


def test_the_pages_markup_is_shown_as_text_never_as_links_or_pictures(exam: QWidget) -> None:
    markup = "<b>bold</b> <a href='http://elsewhere.example'>link</a> <img src='/etc/hostname'>"
    dialog = PageDialog(exam, "alert", ORIGIN, markup)
    label = text_of(dialog)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == markup
    assert not label.openExternalLinks()
    assert dialog.objectName() == PAGE_DIALOG  # what the focus detector reports
    assert dialog.parentWidget() is exam and dialog.isModal()
    assert ORIGIN in dialog.windowTitle() and not dialog.windowTitle().startswith("kiosk")


def test_a_huge_message_keeps_the_dialog_inside_the_screen(qtbot: QtBot, exam: QWidget) -> None:
    dialog = PageDialog(exam, "alert", ORIGIN, "word " * 1_000_000)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    screen = exam.screen()
    assert screen is not None
    assert screen.geometry().contains(dialog.frameGeometry())


def test_enter_accepts_an_alert(exam: QWidget, qtbot: QtBot, answer: Callable) -> None:
    answer(lambda d: qtbot.keyClick(d, Qt.Key.Key_Return))
    assert ask(exam, "alert", ORIGIN, "Question 3 goes on over the page") == (True, "")


def test_escape_cancels_a_confirm(exam: QWidget, qtbot: QtBot, answer: Callable) -> None:
    answer(lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    assert ask(exam, "confirm", ORIGIN, "Submit now?") == (False, "")


def test_a_click_on_stay_keeps_the_page(exam: QWidget, qtbot: QtBot, answer: Callable) -> None:
    def click_stay(dialog: PageDialog) -> None:
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        stay = box.button(QDialogButtonBox.StandardButton.Cancel)
        assert stay is not None and stay.text() == "Stay"
        qtbot.mouseClick(stay, Qt.MouseButton.LeftButton)

    answer(click_stay)
    assert ask(exam, "beforeunload", ORIGIN, "the page's own text is never shown") == (False, "")


def test_beforeunload_asks_the_kiosks_question(exam: QWidget) -> None:
    dialog = PageDialog(exam, "beforeunload", ORIGIN, "Your answers are lost! Click Leave")
    assert text_of(dialog).text() == LEAVE_QUESTION


def test_a_prompt_gives_back_what_the_student_typed(
    exam: QWidget, qtbot: QtBot, answer: Callable
) -> None:
    def type_seat(dialog: PageDialog) -> None:
        assert dialog.field is not None and dialog.field.text() == "A"
        dialog.field.selectAll()
        qtbot.keyClicks(dialog.field, "42")
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    answer(type_seat)
    assert ask(exam, "prompt", ORIGIN, "Your seat number?", "A") == (True, "42")
