"""A drag from another program is refused: it would carry text past the clipboard policy and
files past the upload policy. Real drag events through the kiosk's own application filter."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QPointF
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config.settings import KioskConfig
from kiosk.platform.qt import QApplication, QMimeData, Qt, QUrl
from tests.support.server import ReportServer

Factory = Callable[..., KioskApp]


def drop(app: KioskApp, data: QMimeData) -> bool:
    """Sends a drag-enter then a drop from outside (no source widget); whether accepted."""
    target = app.window.view.focusProxy() or app.window.view
    point = QPointF(50, 50)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(target, QDragEnterEvent(point.toPoint(), actions, data, buttons, mods))
    event = QDropEvent(point, actions, data, buttons, mods)
    QApplication.sendEvent(target, event)
    return event.isAccepted()


def drops(app: KioskApp) -> list[dict]:
    return [d[3] for d in app.record.decisions() if d[1:3] == ("input", "drop refused")]


def text() -> QMimeData:
    data = QMimeData()
    data.setText("notes from another program")
    return data


def files(tmp: str) -> QMimeData:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(tmp)])
    return data


def test_text_and_files_dragged_in_from_outside_are_refused_and_recorded(
    make_kiosk: Factory, server: ReportServer, qtbot: QtBot, tmp_path: object
) -> None:
    app = make_kiosk(server.url("plain.html"))
    qtbot.waitUntil(lambda: app.window.view.focusProxy() is not None, timeout=10_000)
    assert not drop(app, text())
    assert drops(app) == [{"what": "text or links", "from": "another program"}]
    app.lockdown.keys._last_drop = float("-inf")  # a new gesture, not the same drag
    assert not drop(app, files(f"{tmp_path}/notes.txt"))
    assert drops(app)[-1]["what"] == "files"


def test_uploads_allowed_lets_files_in_but_not_text(
    make_kiosk: Factory, server: ReportServer, qtbot: QtBot, tmp_path: object
) -> None:
    config = KioskConfig.model_validate({"policy": {"uploads": True}})
    app = make_kiosk(server.url("plain.html"), config)
    qtbot.waitUntil(lambda: app.window.view.focusProxy() is not None, timeout=10_000)
    drop(app, files(f"{tmp_path}/notes.txt"))
    assert drops(app) == []
    drop(app, text())
    assert [d["what"] for d in drops(app)] == ["text or links"]
