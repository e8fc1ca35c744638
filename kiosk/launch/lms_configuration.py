"""The exam's configuration that an LMS serves once the student has logged in.

Moodle's "Launch Safe Exam Browser" link (``sebs://…/config.php?cmid=…``) needs a login: a
kiosk that fetches it gets the login page instead of the file. The kiosk then opens the link's
http(s) URL in its own browser: the LMS sends it to the login page, and after the login back
to the link, which now answers with the configuration as a download (a page may also offer a
seb(s):// link to it). That file is kept in the session folder, and this run ends so that the
exam starts from it on a fresh profile, as SEB reconfigures itself from a downloaded file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.launch.seb.fetch import named_as_configuration
from kiosk.launch.target import link_url
from kiosk.platform.errors import UsageError
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QObject, QTimer, QUrl, QWebEngineDownloadRequest, QWebEnginePage
from kiosk.session.record import Decided

#: Where the configuration is kept, in the session folder of the run that received it.
CONFIGURATION_FILE = "lms-configuration.seb"


_State = QWebEngineDownloadRequest.DownloadState


class ConfigurationWait(QObject):
    """Follows the page's seb(s):// links and takes the configuration download; ``arrived``
    gets the file once all of it is on disk."""

    def __init__(
        self,
        page: QWebEnginePage,
        folder: Path,
        decided: Decided,
        notice: Callable[[str], None],
        arrived: Callable[[Path], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._page = page
        self._folder = folder
        self._decided = decided
        self._notice = notice
        self._arrived = arrived
        self._busy = False  # one configuration at a time: a second download is refused

    @fail_safe(None)
    def link(self, link: str) -> None:
        """A seb(s):// link on the LMS's page: fetched in this browser, with the login's
        cookies, its configuration arrives as a download."""
        try:
            _, url = link_url(link)
        except UsageError as exc:
            self._decided("navigation", "refused", {"url": link[:200], "why": str(exc)})
            self._notice(f"The exam link was not opened: {exc}")
            return
        self._decided("navigation", "configuration link followed", {"url": url})
        # Not from inside acceptNavigationRequest, which is still deciding the seb:// one.
        QTimer.singleShot(0, lambda: self._page.load(QUrl(url)))

    @fail_safe(False)  # failing safe here means the download policy decides
    def take(self, download: QWebEngineDownloadRequest) -> bool:
        """Takes a configuration download (the answer to DownloadGuard.taken_by)."""
        name = download.suggestedFileName() or download.downloadFileName()
        if not named_as_configuration(download.mimeType(), name):
            return False
        detail = {"url": download.url().toString(), "type": download.mimeType()}
        if self._busy:
            download.cancel()
            self._decided("download", "refused: a configuration is already arriving", detail)
            return True
        self._busy = True
        self._decided("download", "the exam's configuration, from the LMS", detail)
        target = self._folder / CONFIGURATION_FILE
        target.unlink(missing_ok=True)  # the engine would pick another name rather than replace
        download.setDownloadDirectory(str(self._folder))
        download.setDownloadFileName(CONFIGURATION_FILE)
        download.stateChanged.connect(lambda state: self._state_changed(download, state, target))
        download.accept()
        return True

    @fail_safe(None)
    def _state_changed(
        self, download: QWebEngineDownloadRequest, state: _State, target: Path
    ) -> None:
        if state in (_State.DownloadRequested, _State.DownloadInProgress):
            return
        self._busy = False
        if state == _State.DownloadCompleted:
            self._decided("download", "the exam's configuration arrived", {"file": str(target)})
            self._arrived(target)
            return
        why = download.interruptReasonString() or state.name
        self._decided("download", "the exam's configuration did not arrive", {"why": why})
        if state == _State.DownloadInterrupted:  # not resumed behind the student's back
            download.stateChanged.disconnect()
            download.cancel()
            self._notice("The exam's configuration could not be downloaded: open the link again.")
        # Cancelled: only the kiosk cancels it, when it ends (the window may be gone already).
