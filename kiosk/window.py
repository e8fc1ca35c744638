"""The exam window: one frameless QWebEngineView on a fresh off-the-record profile."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from kiosk.failsafe import fail_safe
from kiosk.qt import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineView,
    QWidget,
    pyqtSignal,
)
from policies.windows import NewWindowPolicy, decide_new_window

log = logging.getLogger("kiosk.window")
page_log = logging.getLogger("kiosk.page")


def make_profile(parent: QObject) -> QWebEngineProfile:
    """Off the record: no cookie, cache, storage or history outlives the session."""
    profile = QWebEngineProfile(parent)
    assert profile.isOffTheRecord()
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    profile.setSpellCheckEnabled(False)
    return profile


Decided = Callable[[str, str, dict[str, Any]], None]  # policy, decision, detail
_NO_WINDOW: QWebEnginePage | None = None


class KioskPage(QWebEnginePage):
    _LEVELS: ClassVar[dict[QWebEnginePage.JavaScriptConsoleMessageLevel, int]] = {
        QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: logging.DEBUG,
        QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: logging.INFO,
        QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: logging.INFO,
    }

    def __init__(
        self, profile: QWebEngineProfile, parent: QObject, new_window: NewWindowPolicy
    ) -> None:
        super().__init__(profile, parent)
        self._new_window = new_window
        self.decided: Decided = lambda *_: None

    @fail_safe(_NO_WINDOW)  # failing safe here means refusing the window
    def createWindow(self, kind: QWebEnginePage.WebWindowType) -> QWebEnginePage | None:
        decision = decide_new_window(kind.name, self._new_window)
        self.decided(
            "new_window", decision.action, {"kind": kind.name, "from": self.url().toString()}
        )
        return self if decision.open_in_place else None

    @fail_safe(None)
    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str | None,
        line: int,
        source: str | None,
    ) -> None:
        page_log.log(self._LEVELS.get(level, logging.DEBUG), "%s:%d %s", source, line, message)


class KioskWindow(QWidget):
    """The top-level window. Closing it is a request the application decides on."""

    close_requested = pyqtSignal(str)

    def __init__(self, profile: QWebEngineProfile, new_window: NewWindowPolicy = "block") -> None:
        super().__init__()
        self.setWindowTitle("kiosk")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.view = QWebEngineView(self)
        self.page = KioskPage(profile, self.view, new_window)
        self.view.setPage(self.page)
        self.may_close = False

    def resizeEvent(self, event: object) -> None:  # the view always fills the window
        self.view.setGeometry(self.rect())
        for child in self.findChildren(QWidget, "kiosk-camera-preview"):
            place = getattr(child, "place", None)
            if place is not None:
                place()

    @fail_safe(None)
    def closeEvent(self, event: QEvent | None) -> None:
        if event is None:
            return
        if self.may_close:
            event.accept()
            return
        event.ignore()
        self.close_requested.emit("the window was closed")

    def dispose(self) -> None:
        """Deletes page before profile, as QtWebEngine requires, and pumps the deletions."""
        self.may_close = True
        self.close()
        self.view.setPage(None)
        self.page.deleteLater()
        self.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
