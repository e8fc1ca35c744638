"""The QWebChannel between the kiosk and the exam page.

The channel lives in the application world only: the page's own scripts never see ``qt``, the
channel or :class:`BridgeObject`. Calls are accepted only while the top frame shows the exam's
origin. An event stays queued until a document has acknowledged it; each new exam document's
hello re-sends what is still unacknowledged, so an event fired during a navigation reaches the
next document instead of being lost. A navigation that never commits (refused by the URL
filter, a download, a 204) keeps the current document, which keeps receiving events: "ready"
is deliberately not reset when a load merely starts.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bridge import scripts
from bridge.messages import BAD_REQUEST, UNKNOWN_METHOD, FiredEvent, Rejected
from bridge.origin import origin_of
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import (
    QObject,
    QWebChannel,
    QWebEnginePage,
    QWebEngineScript,
    pyqtSignal,
    pyqtSlot,
)

log = logging.getLogger("kiosk.bridge")

METHODS = ("setup", "start", "stop")
Handler = Callable[[str, Any], dict[str, Any]]
DeliveredHook = Callable[[FiredEvent, float], None]


class BridgeObject(QObject):
    """What the application-world script can call. Every slot fails safe."""

    eventFired = pyqtSignal(int, str, str)  # seq, JSON list of DOM names, JSON detail
    replied = pyqtSignal(str, bool, str)  # request id, ok, JSON payload

    def __init__(self, owner: PageBridge) -> None:
        super().__init__()
        self._owner = owner

    @pyqtSlot(str)
    @fail_safe(None)
    def hello(self, href: str) -> None:
        self._owner.page_ready(href)

    @pyqtSlot(str, str, str)
    @fail_safe(None)
    def request(self, request_id: str, method: str, args: str) -> None:
        self._owner.handle_request(request_id, method, args)

    @pyqtSlot(int)
    @fail_safe(None)
    def delivered(self, seq: int) -> None:
        self._owner.acknowledge(seq)


class PageBridge(QObject):
    def __init__(
        self,
        page: QWebEnginePage,
        exam_url: str,
        handler: Handler,
        on_delivered: DeliveredHook,
        seb: scripts.SebKeys | None = None,
    ) -> None:
        super().__init__(page)
        self._page = page
        self.origin = origin_of(exam_url)
        self._handler = handler
        self._on_delivered = on_delivered
        self._pending: OrderedDict[int, FiredEvent] = OrderedDict()
        self._ready = False
        self.object = BridgeObject(self)
        self._channel = QWebChannel(self)
        self._channel.registerObject(scripts.OBJECT_NAME, self.object)
        page.setWebChannel(self._channel, QWebEngineScript.ScriptWorldId.ApplicationWorld)
        for script in scripts.build(self.origin, seb):
            page.scripts().insert(script)

    # -- state of the page ---------------------------------------------------------------------

    def _page_is_exam(self) -> bool:
        return origin_of(self._page.url().toString()) == self.origin

    def page_ready(self, href: str) -> None:
        if not self._page_is_exam() or origin_of(href) != self.origin:
            log.warning("bridge hello from %s ignored: not the exam origin %s", href, self.origin)
            return
        self._ready = True
        for event in list(self._pending.values()):
            self._send(event)

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- Python -> page -------------------------------------------------------------------------

    def dispatch(self, event: FiredEvent) -> None:
        self._pending[event.seq] = event
        if self._ready:
            self._send(event)

    def _send(self, event: FiredEvent) -> None:
        self.object.eventFired.emit(
            event.seq, json.dumps(list(event.names)), json.dumps(event.detail)
        )

    def acknowledge(self, seq: int) -> None:
        event = self._pending.pop(seq, None)
        if event is not None:
            self._on_delivered(event, time.time())

    # -- page -> Python -------------------------------------------------------------------------

    def handle_request(self, request_id: str, method: str, args: str) -> None:
        if not self._page_is_exam():
            log.warning("call %s from %s refused: not the exam origin", method, self._page.url())
            return
        if method not in METHODS:
            self._reply(request_id, False, {"code": UNKNOWN_METHOD, "message": method})
            return
        try:
            parsed = json.loads(args)
        except ValueError:
            answer = {"code": BAD_REQUEST, "message": "arguments are not JSON"}
            self._reply(request_id, False, answer)
            return
        try:
            result = self._handler(method, parsed)
        except Rejected as exc:
            self._reply(request_id, False, {"code": exc.code, "message": exc.message})
        except Exception as exc:  # fail safe: the page gets an error, the kiosk keeps running
            log.exception("%s() failed inside the kiosk", method)
            self._reply(request_id, False, {"code": 4005, "message": f"internal error: {exc}"})
        else:
            self._reply(request_id, True, result)

    def _reply(self, request_id: str, ok: bool, payload: dict[str, Any]) -> None:
        self.object.replied.emit(request_id, ok, json.dumps(payload))
