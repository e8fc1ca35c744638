"""The network gate refuses every connection the engine sends it, and records its host."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.enforcement.network_gate import ESTABLISHED, REFUSAL, NetworkGate
from kiosk.enforcement.page_guards import lock_engine_settings
from kiosk.platform.qt import QApplication, QWebEnginePage, QWebEngineSettings, sip
from policies.urlfilter import UrlFilter


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


def _echo_server() -> socket.socket:
    """A host the run's filter admits: it echoes what arrives, once."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            with conn:
                conn.sendall(conn.recv(4096))

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_a_connection_to_a_host_the_run_admits_is_carried(qapp: QApplication, qtbot: QtBot) -> None:
    """A later run's filter may admit hosts the engine (whose bypass list is the first run's)
    sends to the gate: those CONNECTs are carried, nothing else is."""
    echo = _echo_server()
    port = echo.getsockname()[1]
    gate = NetworkGate(qapp)
    decisions: list[tuple[str, str, dict[str, Any]]] = []
    try:
        gate.decided = lambda *d: decisions.append(d)
        gate.urls = UrlFilter([], f"https://127.0.0.1:{port}/exam")
        with socket.create_connection(("127.0.0.1", gate.port), timeout=5) as conn:
            conn.sendall(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            conn.setblocking(False)
            got = bytearray()

            def received(expected: bytes) -> bool:
                with contextlib.suppress(BlockingIOError):
                    got.extend(conn.recv(4096))
                return bytes(got) == expected

            conn.sendall(b"\r\n")  # the head is complete only now
            qtbot.waitUntil(lambda: received(ESTABLISHED), timeout=5000)
            got.clear()
            conn.sendall(b"the exam's own bytes")
            qtbot.waitUntil(lambda: received(b"the exam's own bytes"), timeout=5000)
        # The same host on another port is not admitted.
        answer = _exchange(qtbot, gate.port, f"CONNECT 127.0.0.1:{port + 1} HTTP/1.1\r\n".encode())
        assert answer == REFUSAL
        assert [d[2]["target"] for d in decisions] == [f"127.0.0.1:{port + 1}"]
    finally:
        gate.deleteLater()
        echo.close()
