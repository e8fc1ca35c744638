from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.platform.qt import QApplication, QTimer, QWidget


@pytest.fixture
def exam(qtbot: QtBot) -> QWidget:
    """A shown window standing for the exam's, the parent of the dialogs under test."""
    window = QWidget()
    window.setWindowTitle("exam-under-test")
    window.resize(1280, 800)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


Act = Callable[[QWidget], None]


@pytest.fixture
def on_next_dialog() -> Iterator[Callable[[Act], None]]:
    """Acts on the next modal dialog once it is up and has the focus (the dialogs run loops of
    their own, so the test cannot wait for them); a failing act closes it, and fails the test."""
    timers: list[QTimer] = []

    def act(do: Act) -> None:
        def when_up() -> None:
            dialog = QApplication.activeModalWidget()
            focus = QApplication.focusWidget()
            if dialog is None or focus is None or not dialog.isAncestorOf(focus):
                return
            timer.stop()
            try:
                do(dialog)
            except AssertionError:
                dialog.close()  # not left waiting for what never comes
                raise

        timer = QTimer()
        timer.timeout.connect(when_up)
        timer.start(20)
        timers.append(timer)

    yield act
    for timer in timers:
        timer.stop()
