"""The web engine's hooks, each answered by a policy and denied by default.

The exam runs on a fresh off-the-record profile with the engine features that lead out of the
exam turned off. ``GuardedPage`` answers every request of the page: navigation (the URL
filter), new windows (opened in the exam window or refused), fullscreen requests, permissions,
printing, the file chooser and the page's own dialogs; each answer is a recorded decision, and a
refusal the student should know about is shown by the window (``refused_navigation``,
``refused_action``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import ClassVar

from bridge import scripts
from kiosk.enforcement.input_filter import PASTE_MARK_KEY
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import (
    QAuthenticator,
    QCoreApplication,
    QEvent,
    QKeyEvent,
    QObject,
    Qt,
    QTimer,
    QUrl,
    QWebEngineFullScreenRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineSettings,
    QWebEngineView,
    QWidget,
    pyqtSignal,
    sip,
)
from kiosk.platform.version import SEB_COMPATIBLE, VERSION
from kiosk.session.record import Decided
from policies.keys import ClipboardMode
from policies.page_dialogs import recorded_message
from policies.urlfilter import UrlFilter
from policies.windows import NewWindowPolicy, decide_new_window

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
    # Moodle's "client configuration" mode admits a browser that says it is SEB.
    profile.setHttpUserAgent(f"{profile.httpUserAgent()} SEB/{SEB_COMPATIBLE} kiosk/{VERSION}")
    return profile


_NO_WINDOW: QWebEnginePage | None = None
#: Qt's own text for the beforeunload question, which it puts to javaScriptConfirm.
_LEAVE_TEXT = QCoreApplication.translate(
    "QWebEnginePage",
    "Are you sure you want to leave this page? Changes that you made may not be saved.",
)
_NO_FILES: list[str] = []

_Attr = QWebEngineSettings.WebAttribute
#: Engine features that lead out of the exam, or let the page reach what it should not.
_LOCKED_SETTINGS = {
    _Attr.PdfViewerEnabled: False,  # a PDF would open in Chromium's viewer, with its toolbar
    _Attr.PluginsEnabled: False,
    _Attr.NavigateOnDropEnabled: False,  # dropping a file or link would navigate away
    _Attr.LocalContentCanAccessFileUrls: False,
    _Attr.LocalContentCanAccessRemoteUrls: False,
    _Attr.ScreenCaptureEnabled: False,  # the page's getDisplayMedia
    _Attr.JavascriptCanPaste: False,  # reading the clipboard without a paste gesture
    _Attr.DnsPrefetchEnabled: False,  # a DNS query the URL filter never sees (docs/network.md)
    _Attr.FullScreenSupportEnabled: True,  # answered by the page's handler below
}


def lock_engine_settings(settings: QWebEngineSettings | None, clipboard: ClipboardMode) -> None:
    """The locked features, and scripts kept off the clipboard unless it is allowed (``allow``
    keeps the engine's default); the student's own copy and paste do not depend on these."""
    if settings is None:
        return
    for attribute, value in _LOCKED_SETTINGS.items():
        settings.setAttribute(attribute, value)
    if clipboard != "allow":
        settings.setAttribute(_Attr.JavascriptCanAccessClipboard, False)
    # Every link to another application (mailto:, a seb:// link, a custom app's scheme) is put
    # to acceptNavigationRequest, not only a clicked one: the URL filter refuses it and the
    # attempt is on the record, instead of the engine dropping it silently or handing a clicked
    # one to the desktop.
    settings.setUnknownUrlSchemePolicy(
        QWebEngineSettings.UnknownUrlSchemePolicy.AllowAllUnknownUrlSchemes
    )


class GuardedPage(QWebEnginePage):
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
        uploads: bool = False,
        clipboard: ClipboardMode = "isolated",
        webrtc: bool = False,
    ) -> None:
        super().__init__(profile, parent)
        self._new_window = new_window
        self._urls = urls
        self._uploads = uploads
        lock_engine_settings(self.settings(), clipboard)
        if clipboard != "allow":
            self.scripts().insert(scripts.clipboard_script())
        if not webrtc:
            self.scripts().insert(scripts.no_webrtc_script())
        self.fullScreenRequested.connect(self._fullscreen_requested)
        self.printRequested.connect(self._print_requested)
        self.printRequestedByFrame.connect(lambda *_: self._print_requested())
        self.permissionRequested.connect(self._permission_requested)
        self.authenticationRequired.connect(self._authentication_required)
        self.decided: Decided = lambda *_: None
        self.refused_navigation: Callable[[str], None] = lambda _: None
        self.refused_action: Callable[[str], None] = lambda _: None
        # The kiosk's own login dialog for a site's HTTP authentication: (site, realm) -> the
        # user name and password, or None (cancelled: the site's 401 page shows).
        self.ask_login: Callable[[str, str], tuple[str, str] | None] = lambda *_: None
        # The page's own alert/confirm/prompt/beforeunload, shown by the window: (kind, origin,
        # message, default) -> (accepted, text). Refused (nothing shown) until it is set.
        self.show_dialog: Callable[[str, str, str, str], tuple[bool, str]] = lambda *_: (False, "")
        # While an LMS is to serve the exam's configuration: where its seb(s):// links go
        # (kiosk/launch/lms_configuration.py); otherwise the URL filter refuses them.
        self.seb_links: Callable[[str], None] | None = None
        # Asked before the engine's own Paste (its context menu): whether the engine may read
        # the system clipboard (the clipboard guard's answer to a paste key; it pastes an
        # isolated exam's own copy itself).
        self.paste_allowed: Callable[[], bool] = lambda: True
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
    def _fullscreen_requested(self, request: QWebEngineFullScreenRequest) -> None:
        # The window is fullscreen whatever the page does: element fullscreen (AutoProctor's
        # forceFullScreen asks for it) may come and go inside it; the window stays.
        request.accept()
        self.decided("fullscreen", "page request accepted inside the kiosk window",
                     {"toggleOn": request.toggleOn()})  # fmt: skip

    @fail_safe(None)
    def _permission_requested(self, permission: QWebEnginePermission) -> None:
        # Camera, microphone, screen, notifications, clipboard, location...: the kiosk does
        # its proctoring natively and the page gets none of them. Denied, so a page that
        # asks gets its answer instead of waiting for ever.
        permission.deny()
        detail = {"permission": permission.permissionType().name,
                  "origin": permission.origin().toString()}  # fmt: skip
        self.decided("permission", "denied", detail)

    @fail_safe(None)  # failing safe here means no credentials: the site's 401 page shows
    def _authentication_required(self, url: QUrl, authenticator: QAuthenticator) -> None:
        site = url.host() + (f":{url.port()}" if url.port() != -1 else "")
        detail = {"url": url.toString(), "realm": authenticator.realm()}
        given = self.ask_login(site, authenticator.realm())
        if given is None:
            # A null authenticator cancels (Qt's "*authenticator = QAuthenticator()"); the one
            # given holds the realm, and left as it is the engine asks again and again.
            sip.assign(authenticator, QAuthenticator())
            self.decided("authentication", "cancelled", detail)
            return
        authenticator.setUser(given[0])
        authenticator.setPassword(given[1])
        self.decided("authentication", "credentials given", {**detail, "user": given[0]})

    @fail_safe(None)
    def _print_requested(self) -> None:
        self.decided("print", "refused", {"from": self.url().toString()})
        self.refused_action("Printing is not available during the exam.")

    # -- the page's own dialogs: part of the exam, recorded as such (policies/page_dialogs.py) --

    @fail_safe(None)
    def javaScriptAlert(self, origin: QUrl, message: str | None) -> None:
        self._page_dialog("alert", origin, message or "")

    @fail_safe(False)  # failing safe here means "cancel", and for beforeunload "stay"
    def javaScriptConfirm(self, origin: QUrl, message: str | None) -> bool:
        # Qt asks beforeunload as a confirm() with its own text; the page's is never shown.
        kind = "beforeunload" if message == _LEAVE_TEXT else "confirm"
        return self._page_dialog(kind, origin, message or "")[0]

    @fail_safe((False, ""))
    def javaScriptPrompt(
        self, origin: QUrl, message: str | None, default: str | None
    ) -> tuple[bool, str]:
        return self._page_dialog("prompt", origin, message or "", default or "")

    def _page_dialog(
        self, kind: str, origin: QUrl, message: str, default: str = ""
    ) -> tuple[bool, str]:
        detail = {"kind": kind, "origin": origin.toString(), "message": recorded_message(message)}
        self.decided("page dialog", "shown", detail)
        accepted, text = self.show_dialog(kind, origin.toString(), message, default)
        self.decided("page dialog", "closed", {"kind": kind, "accepted": accepted})
        return accepted, text

    @fail_safe(_NO_FILES)  # failing safe here means no file leaves the computer
    def chooseFiles(
        self,
        mode: QWebEnginePage.FileSelectionMode,
        old_files: Iterable[str | None],
        accepted_mime_types: Iterable[str | None],
    ) -> list[str]:
        detail = {"from": self.url().toString(), "mode": mode.name}
        if not self._uploads:
            self.decided("upload", "refused", detail)
            self.refused_action("Uploading files is not allowed during this exam.")
            return []
        self.decided("upload", "allowed: file chooser opened", detail)
        return list(super().chooseFiles(mode, old_files, accepted_mime_types))

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
        seb_link = is_main_frame and url.scheme().lower() in ("seb", "sebs")
        if self.seb_links is not None and seb_link:
            self.seb_links(url.toString())
            self._keep_page_focus(url.toString())
            return False
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
            self._keep_page_focus(url.toString())
        return False

    _PASTES = (QWebEnginePage.WebAction.Paste, QWebEnginePage.WebAction.PasteAndMatchStyle)

    @fail_safe(None)  # failing safe means the action is not done
    def triggerAction(self, action: QWebEnginePage.WebAction, checked: bool = False) -> None:
        """Every web action, the context menu's among them: a paste is the clipboard guard's
        to allow, as the paste key is."""
        if action in self._PASTES and not self.paste_allowed():
            return
        super().triggerAction(action, checked)

    def insert_text(self, text: str, done: Callable[[], None] | None = None) -> None:
        """Pastes ``text`` where the caret is, in whichever frame has it (an isolated
        clipboard's own copy, which never goes through the system clipboard). From the
        application world: the page sees a paste event, then its input, as with a real paste.

        The text is armed first and pasted when the marker key comes, sent to the engine after
        the keys typed before the paste, and so after them: a Tab just before the paste key
        has moved the caret by then. ``done`` is told once the marker is on its way; the keys
        held meanwhile, sent after it, land after the paste."""
        view = QWebEngineView.forPage(self)
        target = None if view is None else view.focusProxy() or view
        function = scripts.PASTE_FUNCTION if target is None else scripts.PASTE_ARM_FUNCTION
        self.runJavaScript(
            f"{function}({json.dumps(text)})",
            QWebEngineScript.ScriptWorldId.ApplicationWorld,
            lambda _: self._armed(target, done),
        )

    @fail_safe(None)
    def _armed(self, target: QWidget | None, done: Callable[[], None] | None) -> None:
        try:
            if target is not None and not sip.isdeleted(target):
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    mark = QKeyEvent(kind, PASTE_MARK_KEY, Qt.KeyboardModifier.NoModifier)
                    QCoreApplication.sendEvent(target, mark)
        finally:
            if done is not None:
                done()

    def _keep_page_focus(self, refused: str) -> None:
        """Chromium blurs the page as it starts a navigation to another application's scheme
        (mailto:, ssh:, vnd.foo:), before the kiosk is even asked: refused, it leaves the exam
        without focus while the window stays active, and no focus event tells anyone. The page
        is asked, in the application world where its own scripts cannot answer for it, and a
        page that lost the focus gets it back."""
        self.runJavaScript(
            "document.hasFocus()",
            QWebEngineScript.ScriptWorldId.ApplicationWorld,
            lambda focused: self._give_focus_back(focused, refused),
        )

    @fail_safe(None)
    def _give_focus_back(self, focused: object, refused: str) -> None:
        if sip.isdeleted(self):  # a page being deleted answers its pending scripts with None
            return
        view = QWebEngineView.forPage(self)
        window = None if view is None else view.window()
        if focused is not False or view is None or window is None or not window.isActiveWindow():
            return  # focused, or the student is elsewhere: that is the focus detector's
        target = view.focusProxy() or view
        target.clearFocus()  # a focus-out then a focus-in tell Chromium the page has it again
        target.setFocus()
        self.decided("focus", "given back to the page", {"after": refused})

    @fail_safe(_NO_WINDOW)  # failing safe here means refusing the window
    def createWindow(self, kind: QWebEnginePage.WebWindowType) -> QWebEnginePage | None:
        decision = decide_new_window(kind.name, self._new_window)
        self.decided(
            "new_window", decision.action, {"kind": kind.name, "from": self.url().toString()}
        )
        if not decision.open_in_place:
            return None
        # Not ``self``: handing Chromium the exam page as the new window replaces the exam
        # document before the URL is even known. A catcher page learns the URL, shows
        # nothing, and the exam page then navigates to it through the URL filter like a link.
        catcher = _NewWindowCatcher(self.profile(), self)
        catcher.caught.connect(self._open_in_place)
        return catcher

    @fail_safe(None)
    def _open_in_place(self, url: QUrl) -> None:
        if url.scheme().lower() not in ("http", "https"):  # about:blank, data:, blob: popups
            detail = {"url": url.toString()[:200], "frame": "new window", "kind": "popup",
                      "rule": "only http(s) opens in the exam window"}  # fmt: skip
            self.decided("navigation", "refused", detail)
            return
        self.load(url)

    @fail_safe(None)
    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str | None,
        line: int,
        source: str | None,
    ) -> None:
        page_log.log(self._LEVELS.get(level, logging.DEBUG), "%s:%d %s", source, line, message)


#: How long a new-window stand-in waits for its first navigation.
CATCHER_LIFETIME_MS = 5000


class _NewWindowCatcher(QWebEnginePage):
    """Stands in for a new window just long enough to learn where it wanted to go."""

    caught = pyqtSignal(QUrl)

    def __init__(self, profile: QWebEngineProfile | None, parent: QObject) -> None:
        super().__init__(profile, parent)
        self._done = False
        # window.open('') never navigates: the stand-in goes after a while all the same.
        QTimer.singleShot(CATCHER_LIFETIME_MS, self._expire)

    @fail_safe(None)
    def _expire(self) -> None:
        if not self._done:
            self._done = True
            self.deleteLater()

    @fail_safe(False)
    def acceptNavigationRequest(
        self, url: QUrl, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        if is_main_frame and not self._done:
            self._done = True
            self.caught.emit(QUrl(url))
            self.deleteLater()
        return False
