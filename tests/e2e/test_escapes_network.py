"""Traffic the URL filter's request interceptor never sees, tried against the running kiosk.

Each row has the exam page try to reach a foreign host (one port of 127.0.0.1 that no rule
admits, listening on UDP and TCP) by a path that is not an ordinary request: WebRTC's STUN,
TURN and ICE checks, WebTransport (QUIC), a preconnect, and the paths the interceptor does see
(WebSocket, a beacon, a keepalive fetch, EventSource, a service worker's fetch), plus the
Direct Sockets API. A row first waits for its positive witness (the page's attempt ran to its
end, or the kiosk recorded refusing it), then passes only if no packet at all arrived.
The last row runs the kiosk with a proxy in the environment, which must be refused.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e import test_escapes as escapes
from tests.e2e.test_escapes import Exam, locked, wait
from tests.support.listener import ForeignHost
from tests.support.process import KioskProcess
from tests.support.tally import ESCAPES

#: The escape suite's exam (by its URL, and by a .seb file), started once more for this module,
#: with a policy that allows WebRTC: what it reaches then is what these rows check.
exam = escapes.exam
EXAM_CONFIG = "[policy]\nwebrtc = true\n"


def _gathering(make_pc: str) -> str:
    """ICE gathering against page-chosen STUN and TURN servers on the foreign host."""
    return (
        "return (async () => {" + make_pc + "const pc = new PC({iceServers: ["
        "{urls: 'stun:127.0.0.1:PORT'},"
        "{urls: ['turn:127.0.0.1:PORT', 'turn:127.0.0.1:PORT?transport=tcp'],"
        " username: 'page-chosen-name', credential: 'x'}]});"
        "pc.createDataChannel('answers');"
        "await pc.setLocalDescription(await pc.createOffer());"
        "const done = await Promise.race(["
        " new Promise((r) => { const c = () => pc.iceGatheringState === 'complete' &&"
        "  r('complete'); pc.addEventListener('icegatheringstatechange', c); c(); }),"
        " new Promise((r) => setTimeout(() => r('still ' + pc.iceGatheringState), 25000))]);"
        "pc.close(); return done; })();"
    )


#: ICE connectivity checks to a candidate the page wrote itself, with a user name it chose.
ICE_CHECKS = (
    "return (async () => { const pc = new RTCPeerConnection(); pc.createDataChannel('answers');"
    "const offer = await pc.createOffer(); await pc.setLocalDescription(offer);"
    "const sdp = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',"
    " 'm=application PORT UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 127.0.0.1', 'a=mid:0',"
    " 'a=ice-ufrag:PAGECHOSEN', 'a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa',"
    " offer.sdp.match(/a=fingerprint:.*/)[0], 'a=setup:active', 'a=sctp-port:5000',"
    " 'a=candidate:1 1 udp 2122260223 127.0.0.1 PORT typ host',"
    " 'a=candidate:2 1 tcp 1518280447 127.0.0.1 PORT typ host tcptype passive', ''];"
    "await pc.setRemoteDescription({type: 'answer', sdp: sdp.join('\\r\\n')});"
    "await new Promise((r) => setTimeout(r, 3000)); const state = pc.iceConnectionState;"
    "pc.close(); return state; })();"
)

_TRANSPORT = (
    "let t; try { t = new WebTransport('https://127.0.0.1:PORT/'); }"
    " catch (e) { return 'threw'; } t.closed.catch(() => null);"
    "return await Promise.race([t.ready.then(() => 'ready', () => 'refused'),"
    " new Promise((r) => setTimeout(() => r('pending'), 20000))]);"
)
WEBTRANSPORT = "return (async () => {" + _TRANSPORT + "})();"
WEBTRANSPORT_IN_A_WORKER = (
    "const src = `onmessage = async () => postMessage(await (async () => {"
    + _TRANSPORT
    + "})());`;"
    "const w = new Worker(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));"
    "return new Promise((r) => { w.onmessage = (e) => r(e.data);"
    " w.onerror = (e) => r('worker failed: ' + e.message); w.postMessage('go'); });"
)


@dataclass(frozen=True)
class NetAttempt:
    name: str
    js: str  # PORT stands for the foreign host's port
    done: Callable[[Any], bool]  # the page's answer says its attempt ran to its end
    refused: bool = False  # the kiosk must also record refusing a connection to the host
    seconds: float = 10.0  # how long the page may take to answer


NET_ATTEMPTS = [
    NetAttempt("WebRTC STUN and TURN servers", _gathering("const PC = RTCPeerConnection;"),
               lambda v: v == "complete", refused=True, seconds=40),
    NetAttempt("WebRTC of a fresh iframe", _gathering(
        "const f = document.createElement('iframe'); document.body.append(f);"
        "const PC = f.contentWindow.RTCPeerConnection;"), lambda v: v == "complete",
        refused=True, seconds=40),
    NetAttempt("WebRTC ICE checks to a page-given candidate", ICE_CHECKS,
               lambda v: isinstance(v, str), refused=True),
    NetAttempt("WebTransport", WEBTRANSPORT, lambda v: v in ("refused", "threw"), seconds=35),
    NetAttempt("WebTransport from a worker", WEBTRANSPORT_IN_A_WORKER,
               lambda v: v in ("refused", "threw"), seconds=35),
    NetAttempt("preconnect", "for (const scheme of ['http', 'https']) {"
               " const l = document.createElement('link'); l.rel = 'preconnect';"
               " l.href = scheme + '://127.0.0.1:PORT/'; document.head.append(l); }"
               "return 'added';", lambda v: v == "added", refused=True),
    NetAttempt("WebSocket", "return new Promise((r) => { const s = new WebSocket("
               "'ws://127.0.0.1:PORT/'); s.onerror = () => r('error'); s.onopen = () => r('open');"
               "});", lambda v: v == "error", refused=True),
    NetAttempt("sendBeacon", "return navigator.sendBeacon('http://127.0.0.1:PORT/b', 'answers');",
               lambda v: isinstance(v, bool), refused=True),
    NetAttempt("fetch keepalive", "return fetch('http://127.0.0.1:PORT/k', {method: 'POST',"
               " body: 'answers', keepalive: true, mode: 'no-cors'}).then(() => 'sent',"
               " () => 'failed');", lambda v: v == "failed", refused=True),
    NetAttempt("EventSource", "return new Promise((r) => { const s = new EventSource("
               "'http://127.0.0.1:PORT/e'); s.onerror = () => { s.close(); r('error'); }; });",
               lambda v: v == "error", refused=True),
    NetAttempt("a service worker's fetch", "return navigator.serviceWorker.register("
               "'net-sw.js?port=PORT').then(() => 'registered', (e) => 'refused: ' + e);",
               lambda v: v == "registered", refused=True),
    NetAttempt("Direct Sockets", "if (typeof TCPSocket === 'undefined') return 'absent';"
               "try { new TCPSocket('127.0.0.1', PORT); return 'made'; }"
               " catch (e) { return 'threw'; }", lambda v: v in ("absent", "threw")),
]  # fmt: skip


def refusals_of(exam: Exam, since: int, port: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Decisions refusing traffic to the foreign host (the request filter's or the network's)."""
    return [
        d
        for d in exam.proc.decisions()[since:]
        if d[0] in ("request", "network") and f":{port}" in json.dumps(d[2])
    ]


@pytest.fixture
def foreign() -> Iterator[ForeignHost]:
    host = ForeignHost()
    yield host
    host.close()


@pytest.mark.parametrize("attempt", NET_ATTEMPTS, ids=[a.name for a in NET_ATTEMPTS])
def test_traffic_to_a_host_the_filter_does_not_admit(
    exam: Exam, foreign: ForeignHost, attempt: NetAttempt
) -> None:
    since = len(exam.proc.decisions())
    js = attempt.js.replace("PORT", str(foreign.port))
    answer = exam.run_js(js, timeout=attempt.seconds + 5)
    assert answer["error"] is None, answer
    refused: list[Any] = []
    if attempt.refused:
        with contextlib.suppress(AssertionError):
            refused = wait("the kiosk to refuse it", lambda: refusals_of(exam, since, foreign.port))
    arrived = foreign.received()
    problems = locked(exam)
    ESCAPES.record(f"network: {attempt.name}", bool(arrived) or bool(problems))
    assert not arrived, f"reached the foreign host: {arrived[:3]} (page said {answer['value']!r})"
    assert attempt.done(answer["value"]), answer
    assert refused or not attempt.refused, exam.proc.decisions()[since:]
    assert not problems, problems


def test_the_record_says_what_reaches_the_network_directly(exam: Exam) -> None:
    """Only the exam's own server (the one host either launch admits) bypasses the gate."""
    gate = exam.proc.record()[1]["network_gate"]
    assert gate["proxy"].startswith("http://127.0.0.1:")
    assert gate["direct"] == [f"127.0.0.1:{exam.server.port}"]


# -- a proxy from the student's environment -------------------------------------------------------

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                   "ALL_PROXY")  # fmt: skip


class ForeignProxy:
    """An HTTP "proxy" that answers every request with its own exam page."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy.requests.append(self.requestline)
                body = b"<!doctype html><title>not the exam</title><h1>the proxy's exam</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_CONNECT = do_GET

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_proxy_from_the_environment_is_refused(kiosk: Callable[..., KioskProcess]) -> None:
    """Refused like the other unsafe engine settings, and not covered by the test-only
    allowance (this suite runs with it set, as root)."""
    proxy = ForeignProxy()
    try:
        env = {**os.environ, **{name: f"http://127.0.0.1:{proxy.port}" for name in PROXY_VARIABLES}}
        # A host no resolver knows: only a proxy could serve it.
        proc = kiosk("http://exam.invalid/escape.html", env=env)
        wait("the kiosk to exit, or the proxy to be asked",
             lambda: proc.proc.poll() is not None or proxy.requests, 30)  # fmt: skip
        code = proc.proc.poll()
        asked = list(proxy.requests)
    finally:
        proxy.close()
    ESCAPES.record("a proxy from the environment", bool(asked) or code != 2)
    assert not asked, asked
    assert code == 2, proc.stderr()
    line = proc.stderr().strip().splitlines()[-1]
    assert line.startswith("kiosk: error: refusing unsafe web-engine settings from the "), line
    assert all(f"{name}=" in line for name in PROXY_VARIABLES), line
