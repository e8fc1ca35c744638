"""The exam window: one frameless QWebEngineView showing the guarded exam page.

Closing it is a request the application decides on (the quit policy); the kiosk's own notices
(a link outside the exam, printing refused) are drawn over the page, where the page cannot
fake or hide them.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.enforcement.page_guards import GuardedPage
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import (
    QCoreApplication,
    QEvent,
    QLabel,
    Qt,
    QTimer,
    QWebEngineView,
    QWidget,
    pyqtSignal,
)
from kiosk.ui import login_dialog, page_dialog
from kiosk.ui.pending_mark import PendingMark


class KioskWindow(QWidget):
    """The top-level window. Closing it is a request the application decides on."""

    close_requested = pyqtSignal(str)

    def __init__(
        self, page: Callable[[QWidget], GuardedPage], *, context_menu: bool = False
    ) -> None:
        """``page(view)`` makes the exam's page, a child of the view that shows it."""
        super().__init__()
        self.setWindowTitle("kiosk")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.view = QWebEngineView(self)
        if not context_menu:  # its entries (back, reload, save, inspect, open in new window...)
            self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.page = page(self.view)
        self.page.refused_navigation = self.show_refused
        self.page.refused_action = self.show_notice
        self.page.ask_login = lambda site, realm: login_dialog.ask_login(self, site, realm)
        self.page.show_dialog = lambda kind, origin, message, default: page_dialog.ask(
            self, kind, origin, message, default
        )
        self.notice = QLabel(self)
        self.notice.setObjectName("kiosk-notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "background: #1d2433; color: #fff; padding: 12px 18px; font-size: 15px;"
        )
        self.notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.hide)
        self.view.setPage(self.page)
        self.pending_mark = PendingMark(self)
        self.may_close = False

    def show_refused(self, url: str) -> None:
        """The kiosk's own notice: the link leads outside the exam, and the exam stays."""
        self.show_notice(f"{url} is outside this exam and was not opened.")

    def show_notice(self, text: str) -> None:
        self.notice.setText(f"kiosk: {text}")
        self.notice.setGeometry(0, 0, self.width(), 48)
        self.notice.show()
        self.notice.raise_()
        self._notice_timer.start(5000)

    def resizeEvent(self, event: object) -> None:  # the view always fills the window
        self.view.setGeometry(self.rect())
        for name in ("kiosk-camera-preview", "kiosk-reports-pending"):  # kept in their corners
            for child in self.findChildren(QWidget, name):
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

    def close_page_dialogs(self) -> None:
        """The kiosk quits: the page's open dialogs are cancelled, so that their loops end and
        the page, running again, gets apMonitoringStopped."""
        for dialog in self.findChildren(page_dialog.PageDialog):
            dialog.reject()

    def dispose(self) -> None:
        """Deletes page before profile, as QtWebEngine requires, and pumps the deletions."""
        self.may_close = True
        self.close()
        self.view.setPage(None)
        self.page.deleteLater()
        self.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
