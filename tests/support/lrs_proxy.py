"""A door in front of the real Ralph that can fail as LRSs fail: answer 500, 503 or 429 (with
Retry-After), hang without answering, or pass each request through untouched."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class FaultyDoor:
    def __init__(self, target: str) -> None:
        """``target``: Ralph's xAPI base; this door's own base is :attr:`url`."""
        self.target = target.rstrip("/")
        self.failures: list[tuple[int, str | None]] = []  # (status, Retry-After), used in turn
        self.hang = threading.Event()  # set: requests are held, never answered
        self.released = threading.Event()
        self.seen: list[str] = []  # "POST 503", "POST 200", "POST hung"...
        door = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            headers_kept: ClassVar = ("Authorization", "X-Experience-API-Version", "Content-Type")

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if door.hang.is_set():
                    door.seen.append(f"{self.command} hung")
                    door.released.wait(120)
                    self.close_connection = True
                    return
                if door.failures:
                    status, retry = door.failures.pop(0)
                    door.seen.append(f"{self.command} {status}")
                    self.send_response(status)
                    if retry is not None:
                        self.send_header("Retry-After", retry)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = self.path.split("/xAPI", 1)[-1]
                request = urllib.request.Request(
                    door.target + path, data=body, method=self.command,
                    headers={k: v for k in self.headers_kept if (v := self.headers.get(k))},
                )  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        status, data = answer.status, answer.read()
                except urllib.error.HTTPError as exc:
                    status, data = exc.code, exc.read()
                door.seen.append(f"{self.command} {status}")
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/xAPI/"

    def close(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
