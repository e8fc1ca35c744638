"""The network gate refuses every connection the engine sends it, and records its host."""

from __future__ import annotations

import socket
from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.enforcement.network_gate import REFUSAL, NetworkGate
from kiosk.enforcement.page_guards import lock_engine_settings
from kiosk.platform.qt import QApplication, QWebEnginePage, QWebEngineSettings, sip


def _exchange(qtbot: QtBot, port: int, send: bytes) -> bytes:
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(send)
        conn.setblocking(False)

        def answered() -> bool:
            try:
                chunk = conn.recv(4096)
            except BlockingIOError:
                return False
            got.extend(chunk)
            return not chunk  # the gate closed the connection

        qtbot.waitUntil(answered, timeout=5000)
    return bytes(got)


def test_a_connection_is_refused_and_recorded(qapp: QApplication, qtbot: QtBot) -> None:
    decisions: list[tuple[str, str, dict[str, Any]]] = []
    gate = NetworkGate(qapp)
    try:
        gate.decided = lambda *d: decisions.append(d)
        # Sent in two parts: the gate waits for the whole first line.
        answer = _exchange(qtbot, gate.port, b"CONNECT 10.1.2.3:3478 HTTP/1.1\r\nHost: 10.1.")
        assert answer == REFUSAL
        assert decisions == [
            ("network", "refused", {"target": "10.1.2.3:3478",
                                    "request": "CONNECT 10.1.2.3:3478 HTTP/1.1",
                                    "why": "the URL filter admits no such host"}),
        ]  # fmt: skip
    finally:
        gate.deleteLater()


def test_the_gate_holds_its_port(qapp: QApplication) -> None:
    """No other program can listen where the engine sends what the filter does not admit."""
    gate = NetworkGate(qapp)
    try:
        other = socket.socket()
        try:
            other.bind(("127.0.0.1", gate.port))
            other.listen()
            raise AssertionError("another program took the gate's port")
        except OSError:
            pass
        finally:
            other.close()
    finally:
        gate.deleteLater()


def test_dns_prefetching_stays_off(qapp: QApplication) -> None:
    """A prefetched name is a DNS query no filter decides: off whatever Qt's default."""
    page = QWebEnginePage(qapp)
    try:
        settings = page.settings()
        assert settings is not None
        settings.setAttribute(QWebEngineSettings.WebAttribute.DnsPrefetchEnabled, True)
        lock_engine_settings(settings, "isolated")
        assert not settings.testAttribute(QWebEngineSettings.WebAttribute.DnsPrefetchEnabled)
    finally:
        sip.delete(page)
