"""A real local HTTP server for the exam pages the tests load, and for what they report back.

Pages POST JSON to ``/report?run=ID``; tests wait for reports with a deadline (never a sleep).
``/set-cookie`` answers with a cookie so tests can prove the profile forgets it.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from tests.support.paths import PAGES


class ReportServer:
    def __init__(self) -> None:
        self.reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.requests: list[str] = []
        self.headers: list[tuple[str, dict[str, str]]] = []  # (host + path, headers) per GET
        self.commands: dict[str, list[dict[str, str]]] = defaultdict(list)
        self._lock = threading.Condition()
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(PAGES), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(self.path)
                    server.headers.append(
                        (f"{self.headers.get('Host')}{self.path}", dict(self.headers))
                    )
                if self.path.startswith("/command"):
                    query = parse_qs(urlsplit(self.path).query)
                    run = query.get("run", ["default"])[0]
                    after = int(query.get("after", ["0"])[0])
                    with server._lock:
                        body = json.dumps(server.commands[run][after:]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/set-cookie"):
                    self.send_response(200)
                    self.send_header("Set-Cookie", "remembered=yes; Max-Age=86400; Path=/")
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok")
                    return
                super().do_GET()

            def do_POST(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                run = query.get("run", ["default"])[0]
                with server._lock:
                    server.reports[run].append(body)
                    server._lock.notify_all()
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def command(self, run: str, js: str) -> str:
        """Queues a script for the escape page of ``run`` (it polls); returns its id."""
        with self._lock:
            ident = f"c{len(self.commands[run])}"
            self.commands[run].append({"id": ident, "js": js})
        return ident

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def exam_url(
        self, run: str, steps: str, options: Any = None, page: str = "exam.html", extra: str = ""
    ) -> str:
        """The test exam page, told which steps to drive and which setup() options to pass."""
        url = f"{page}?run={run}&steps={steps}{extra}"
        if options is not None:
            url += "&options=" + quote(json.dumps(options))
        return self.url(url)

    def reports_of(self, run: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.reports[run])

    def wait_for(self, run: str, predicate: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Waits until ``predicate(reports)`` is true; returns the reports or fails clearly."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.reports[run]):
                left = deadline - time.monotonic()
                if left <= 0:
                    got = self.reports[run]
                    raise AssertionError(f"timed out after {timeout}s on run {run!r}; got {got}")
                self._lock.wait(left)
            return list(self.reports[run])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def events(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in reports if r.get("type") == "event"]


def event_names(reports: list[dict[str, Any]]) -> list[str]:
    """``apEvidenceEvent:5005`` style labels for custom events, names for regular ones."""
    out = []
    for r in events(reports):
        d = r["detail"]
        code = d.get("successCode") or d.get("errorCode") or d.get("evidenceCode")
        out.append(f"{r['name']}:{code}" if code else r["name"])
    return out
