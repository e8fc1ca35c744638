"""The kiosk's own proxy, where the engine sends every connection the URL filter does not admit.

WebRTC, WebTransport and preconnects open sockets the request interceptor never sees.
policies/network.py turns WebRTC's UDP off and names this gate as the engine's proxy, with the
filter's hosts bypassing it; so whatever else the engine connects to arrives here, is refused
(``403``, closed) and recorded with the host it was for. WebTransport does not run through a
proxy at all. The flags are read once, when the first profile starts the engine: ``starting``
puts them into ``QTWEBENGINE_CHROMIUM_FLAGS`` for exactly that moment. A later run in the same
process (the exam after an LMS login) may admit hosts that first bypass list does not name:
the gate carries a CONNECT to a host the current run's filter admits, so https to them works.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from kiosk.platform.failsafe import fail_safe
from kiosk.platform.qt import QCoreApplication, QHostAddress, QObject, QTcpServer, QTcpSocket
from kiosk.session.record import Decided
from policies.network import (
    ANY_HOST,
    bypass_rules,
    engine_flags,
    gate_target,
    split_target,
    tunnel_admits,
)
from policies.urlfilter import UrlFilter

log = logging.getLogger("kiosk.network")

FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
REFUSAL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
UNREACHABLE = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#: The most of a first line the gate reads (a CONNECT line is short), and of a CONNECT head.
LINE_LIMIT = 2048
HEAD_LIMIT = 16384


class NetworkGate(QObject):
    """Listens on a port of 127.0.0.1 it holds for the whole process, so no other program can
    take the engine's proxy port; answers every connection with a refusal."""

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self._server = QTcpServer(self)
        if not self._server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
            raise OSError(f"the network gate cannot listen: {self._server.errorString()}")
        self.port = self._server.serverPort()
        self._server.newConnection.connect(self._accept)
        #: The bypass rules the engine runs with; None: the engine started without the gate.
        self.in_force: tuple[str, ...] | None = None
        #: Where refusals are recorded (the current run's record).
        self.decided: Decided | None = None
        #: The current run's URL filter: a CONNECT to a host it admits is carried, not refused.
        self.urls: UrlFilter | None = None

    def describe(self) -> dict[str, Any] | None:
        if self.in_force is None:
            return None
        return {"proxy": f"http://127.0.0.1:{self.port}", "direct": list(self.in_force)}

    def exempts(self, urls: UrlFilter) -> bool:
        """Whether every host ``urls`` admits reaches the network directly in this process."""
        forced = set(self.in_force or ())
        return ANY_HOST in forced or set(bypass_rules(urls.admitted_hosts())) <= forced

    @fail_safe(None)
    def _accept(self) -> None:
        while (sock := self._server.nextPendingConnection()) is not None:
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    @fail_safe(None)
    def _read(self, sock: QTcpSocket) -> None:
        if not sock.canReadLine() and sock.bytesAvailable() < LINE_LIMIT:
            return  # the rest of the first line is still on its way
        line = bytes(sock.peek(LINE_LIMIT)).split(b"\n", 1)[0].decode("latin-1").strip()
        target = gate_target(line)
        connect = line.upper().startswith("CONNECT ")
        if connect and self.urls is not None and tunnel_admits(self.urls.admitted_hosts(), target):
            self._tunnel_when_read(sock, target)
            return
        sock.readyRead.disconnect()
        detail = {"target": target, "request": line[:300],
                  "why": "the URL filter admits no such host"}  # fmt: skip
        log.info("network: refused %s", detail)
        if self.decided is not None:
            self.decided("network", "refused", detail)
        sock.write(REFUSAL)
        sock.disconnectFromHost()

    def _tunnel_when_read(self, sock: QTcpSocket, target: str) -> None:
        """Once the whole CONNECT head is in, carries the connection to ``target``."""
        head = bytes(sock.peek(HEAD_LIMIT))
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) >= HEAD_LIMIT:
                sock.abort()
            return  # the rest of the head is still on its way
        sock.readyRead.disconnect()
        sock.read(end + 4)
        host, port = split_target(target) or ("", 0)
        log.info("network: carrying a connection to %s, which this run's URL filter admits", target)
        upstream = QTcpSocket(sock)

        @fail_safe(None)
        def connected() -> None:
            sock.write(ESTABLISHED)
            sock.readyRead.connect(lambda: upstream.write(sock.readAll().data()))
            upstream.readyRead.connect(lambda: sock.write(upstream.readAll().data()))
            upstream.write(sock.readAll().data())

        @fail_safe(None)
        def failed(_error: object) -> None:
            if upstream.state() != QTcpSocket.SocketState.ConnectedState:
                sock.write(UNREACHABLE)
            sock.disconnectFromHost()

        upstream.connected.connect(connected)
        upstream.errorOccurred.connect(failed)
        upstream.disconnected.connect(sock.disconnectFromHost)
        sock.disconnected.connect(upstream.abort)
        upstream.connectToHost(host, port)


_gate: list[NetworkGate] = []


def gate() -> NetworkGate:
    """The process's one gate, made on first use (it lives as long as the application)."""
    if not _gate:
        _gate.append(NetworkGate(QCoreApplication.instance()))
    return _gate[0]


_started: list[bool] = []


def engine_started_elsewhere() -> None:
    """The engine already runs, without the gate's flags (an in-process test's own profile)."""
    _started.append(True)


@contextlib.contextmanager
def starting(urls: UrlFilter, also: Sequence[str] = ()) -> Iterator[NetworkGate]:
    """Around the creation of a run's profile. The first one starts the engine: it reads the
    gate's flags (and ``also``, the page's appearance) from the environment, which then gets its
    own value back (child processes must not inherit them)."""
    the_gate = gate()
    the_gate.urls = urls
    if _started:
        if the_gate.in_force is None:
            log.info("the engine was started without the network gate")
        elif not the_gate.exempts(urls):
            log.info(
                "this run's URL filter admits hosts the engine, started by an earlier run, "
                "sends to the network gate (%s): it carries https and wss to them; plain http "
                "and WebTransport to them are refused",
                ", ".join(bypass_rules(urls.admitted_hosts())),
            )
        yield the_gate
        return
    hosts = urls.admitted_hosts()
    before = os.environ.get(FLAGS_ENV)
    flags = [before or "", *engine_flags(the_gate.port, hosts), *also]
    os.environ[FLAGS_ENV] = " ".join(flags).strip()
    try:
        yield the_gate
    finally:
        if before is None:
            os.environ.pop(FLAGS_ENV, None)
        else:
            os.environ[FLAGS_ENV] = before
        _started.append(True)
        the_gate.in_force = tuple(bypass_rules(hosts))
