"""The exam window: one frameless QWebEngineView on a fresh off-the-record profile."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from kiosk.failsafe import fail_safe
from kiosk.qt import (
    QCoreApplication,
    QEvent,
    QLabel,
    QObject,
    Qt,
    QTimer,
    QUrl,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineView,
    QWidget,
    pyqtSignal,
)
from policies.urlfilter import UrlFilter
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
        self,
        profile: QWebEngineProfile,
        parent: QObject,
        new_window: NewWindowPolicy,
        urls: UrlFilter | None = None,
    ) -> None:
        super().__init__(profile, parent)
        self._new_window = new_window
        self._urls = urls
        self.decided: Decided = lambda *_: None
        self.refused_navigation: Callable[[str], None] = lambda _: None
        # view-source: is shown by the engine itself, without asking acceptNavigationRequest
        # (which sees the inner http URL): no action may open it, and if it appears, go back.
        view_source = self.action(QWebEnginePage.WebAction.ViewSource)
        if view_source is not None:
            view_source.setEnabled(False)
        self._last_url: QUrl | None = None
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.timeout.connect(self._load_last)
        self.urlChanged.connect(self._url_changed)

    @fail_safe(None)
    def _load_last(self) -> None:
        if self._last_url is not None:
            self.load(self._last_url)

    @fail_safe(None)
    def _url_changed(self, url: QUrl) -> None:
        if url.scheme().lower() == "view-source":
            detail = {"url": url.toString(), "frame": "top frame", "kind": "view-source",
                      "rule": "scheme refused"}  # fmt: skip
            self.decided("navigation", "refused", detail)
            self.refused_navigation(url.toString())
            if self._last_url is not None:
                self._restore.start(0)  # a timer owned by the page: it dies with the page
        else:
            self._last_url = QUrl(url)

    @fail_safe(False)  # failing safe here means staying on the exam page
    def acceptNavigationRequest(
        self, url: QUrl, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        if self._urls is None:
            return True
        decision = self._urls.decide(url.toString(), top_level=is_main_frame)
        if decision.allowed:
            return True
        frame = "top frame" if is_main_frame else "subframe"
        detail = {"url": url.toString(), "frame": frame, "kind": kind.name, "rule": decision.rule}
        self.decided("navigation", "refused", detail)
        if is_main_frame:
            self.refused_navigation(url.toString())
        return False

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


class RequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Every request the engine makes, sub-resources included, before it leaves the machine."""

    def __init__(self, urls: UrlFilter, decided: Decided, parent: QObject) -> None:
        super().__init__(parent)
        self._urls = urls
        self._decided = decided

    def interceptRequest(self, info: QWebEngineUrlRequestInfo | None) -> None:
        if info is None:
            return
        try:
            kind = info.resourceType()
            top = kind == QWebEngineUrlRequestInfo.ResourceType.ResourceTypeMainFrame
            url = info.requestUrl().toString()
            decision = self._urls.decide(url, top_level=top)
            if not decision.allowed:
                info.block(True)
                detail = {"url": url, "type": kind.name, "rule": decision.rule}
                self._decided("request", "refused", detail)
        except Exception:  # fail safe: a request we cannot decide does not leave
            log.exception("request filter failed; request blocked")
            info.block(True)


class KioskWindow(QWidget):
    """The top-level window. Closing it is a request the application decides on."""

    close_requested = pyqtSignal(str)

    def __init__(
        self,
        profile: QWebEngineProfile,
        new_window: NewWindowPolicy = "block",
        urls: UrlFilter | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("kiosk")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.view = QWebEngineView(self)
        self.page = KioskPage(profile, self.view, new_window, urls)
        self.page.refused_navigation = self.show_refused
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
        self.may_close = False

    def show_refused(self, url: str) -> None:
        """The kiosk's own notice: the link leads outside the exam, and the exam stays."""
        self.notice.setText(f"kiosk: {url} is outside this exam and was not opened.")
        self.notice.setGeometry(0, 0, self.width(), 48)
        self.notice.show()
        self.notice.raise_()
        self._notice_timer.start(5000)

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
