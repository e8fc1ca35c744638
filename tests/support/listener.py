"""A foreign host for the network escape rows: one port of 127.0.0.1, listening on UDP and TCP.

Whatever arrives (a datagram, a TCP connection, its first bytes) is kept, so a row can say
that not a single packet of the page's attempt reached a host the URL filter does not admit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Arrival:
    kind: str  # "udp", "tcp" (a connection accepted) or "tcp data"
    data: bytes


@dataclass
class ForeignHost:
    """UDP and TCP on the same port; ``close()`` stops both."""

    arrivals: list[Arrival] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.bind(("127.0.0.1", 0))
        self.port: int = self._tcp.getsockname()[1]
        self._tcp.listen(16)
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._closed = False
        for target in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    def _add(self, kind: str, data: bytes) -> None:
        with self._lock:
            self.arrivals.append(Arrival(kind, data[:512]))

    def _serve_udp(self) -> None:
        while not self._closed:
            try:
                data, _ = self._udp.recvfrom(65536)
            except OSError:
                return
            self._add("udp", data)

    def _serve_tcp(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._tcp.accept()
            except OSError:
                return
            self._add("tcp", b"")
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if data:
                self._add("tcp data", data)

    def received(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)

    def close(self) -> None:
        self._closed = True
        for sock in (self._tcp, self._udp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
