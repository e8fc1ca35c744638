"""The xdotool helper, against a real window on the suite's private display."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.platform.qt import QApplication, QWidget
from tests.support.xdo import (
    active_window,
    active_window_name,
    wait_active,
    window_named,
    windows_named,
    xdotool,
)


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication) -> QWidget:
    widget = QWidget()
    widget.setWindowTitle("xdo-helper-test")
    widget.resize(200, 100)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_shown_window_is_found_by_its_name(window: QWidget) -> None:
    wid = str(int(window.winId()))
    assert window_named("^xdo-helper-test$") == wid
    assert windows_named("^xdo-helper-test$") == [wid]
    assert windows_named("^no such window$") == []


def test_activating_a_window_makes_it_the_active_one(window: QWidget, qtbot: QtBot) -> None:
    wid = str(int(window.winId()))
    xdotool("windowactivate", "--sync", wid)
    wait_active("xdo-helper-test")
    assert active_window() == wid
    assert active_window_name() == "xdo-helper-test"


def test_a_failing_command_fails_unless_it_may() -> None:
    with pytest.raises(AssertionError, match="xdotool windowactivate 1 failed"):
        xdotool("windowactivate", "1")
    xdotool("windowactivate", "1", check=False)


def test_waiting_for_a_window_that_never_comes_fails_clearly() -> None:
    with pytest.raises(AssertionError, match="never became the active window"):
        wait_active("never-there", timeout=0.2)
    with pytest.raises(AssertionError, match="no window named"):
        window_named("^never-there$", timeout=0.2)
