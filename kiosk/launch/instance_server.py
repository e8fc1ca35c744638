"""The running kiosk's end of kiosk/launch/single_instance.py: it answers a second launch.

One JSON line in (``{"target": ...}``), one out (``{"accepted": bool, "why": str}``); the
decision is the application's (``decide``), made on Qt's thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from kiosk.launch.target import parse_target
from kiosk.platform.errors import UsageError
from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QLocalServer, QLocalSocket, QObject

log = logging.getLogger("kiosk.instance")

MAX_LINE = 16384

Decide = Callable[[str], tuple[bool, str]]


class InstanceServer(QObject):
    def __init__(self, path: Path, decide: Decide, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._decide = decide
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(str(path))  # a previous run's: this process holds the lock
        if not self._server.listen(str(path)):
            log.warning("a second launch cannot reach this kiosk: %s", self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def close(self) -> None:
        self._server.close()

    @fail_safe(None)
    def _accept(self) -> None:
        while (conn := self._server.nextPendingConnection()) is not None:
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)

    @fail_safe(None)
    def _read(self, conn: QLocalSocket) -> None:
        if not conn.canReadLine():
            if conn.bytesAvailable() > MAX_LINE:
                conn.abort()
            return
        line = bytes(conn.readLine(MAX_LINE))
        try:
            target = json.loads(line)["target"]
            if not isinstance(target, str):
                raise TypeError("the target is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("a second launch sent what is not a target: %s", exc)
            conn.abort()
            return
        try:
            parse_target(target)  # the second launch checked it too: this is its last line
        except UsageError as exc:
            accepted, why = False, str(exc)
        else:
            accepted, why = self._decide(target)
        conn.write(json.dumps({"accepted": accepted, "why": why}).encode() + b"\n")
        conn.flush()
        conn.disconnectFromServer()
