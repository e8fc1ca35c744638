"""Every request the engine makes, and every download, decided before it leaves the machine.

A request the URL filter refuses is blocked (sub-resources included); a download is refused
unless policy allows it. Both are recorded decisions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import (
    QObject,
    QWebEngineDownloadRequest,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from kiosk.session.record import Decided
from policies.urlfilter import UrlFilter
from policies.windows import decide_download

log = logging.getLogger("kiosk.window")


class RequestInterceptor(QWebEngineUrlRequestInterceptor):
    """Every request the engine makes, sub-resources included, before it leaves the machine."""

    def __init__(
        self,
        urls: UrlFilter,
        decided: Decided,
        parent: QObject,
        headers: Callable[[str], dict[str, str]] | None = None,
    ) -> None:
        """``headers(url)``: what an allowed request to ``url`` carries besides its own."""
        super().__init__(parent)
        self._urls = urls
        self._decided = decided
        self._headers = headers

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
            elif self._headers is not None:
                for name, value in self._headers(url).items():
                    info.setHttpHeader(name.encode("ascii"), value.encode("ascii"))
        except Exception:  # fail safe: a request we cannot decide does not leave
            log.exception("request filter failed; request blocked")
            info.block(True)


class DownloadGuard(QObject):
    """Answers the profile's ``downloadRequested``."""

    def __init__(self, allowed: bool, decided: Decided, parent: QObject) -> None:
        super().__init__(parent)
        self._allowed = allowed
        self._decided = decided
        # Asked first: takes the downloads it stands for and says so (while an LMS is to serve
        # the exam's configuration, kiosk/launch/lms_configuration.py).
        self.taken_by: Callable[[QWebEngineDownloadRequest], bool] | None = None

    @fail_safe(None)
    def requested(self, download: QWebEngineDownloadRequest) -> None:
        if self.taken_by is not None and self.taken_by(download):
            return
        detail = {"url": download.url().toString(), "file": download.downloadFileName()}
        if decide_download(self._allowed):
            download.accept()
            self._decided("download", "allowed", detail)
        else:
            download.cancel()
            self._decided("download", "refused", detail)
