"""A local web server that answers each path as the test tells it: what an LMS would serve.

A route's answer is fixed (an ``Answer``) or made per request by a callable, which is given the
request's path and headers (how a stand-in LMS checks what a client sends)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Route = Answer | Callable[[str, dict[str, str]], Answer]


@contextmanager
def serving(routes: dict[str, Route]) -> Iterator[str]:
    """Serves ``routes`` (path with query -> answer; anything else is a 404) on 127.0.0.1;
    yields its "host:port"."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            route = routes.get(self.path, Answer(b"not here", 404))
            answer = route if isinstance(route, Answer) else route(self.path, dict(self.headers))
            self.send_response(answer.status)
            for name, value in {"Content-Length": str(len(answer.body)), **answer.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
