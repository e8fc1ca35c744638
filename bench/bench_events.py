"""How long an event takes from the session firing it to the exam page's listener, and until
the page's acknowledgement is back: a real KioskApp in this process (record, bridge, page) on
this machine's display, thousands of events, each fired on its own GUI-loop turn.

The page stamps each arrival with ``performance.timeOrigin + performance.now()``, the wall
clock the session stamps the firing with; the acknowledgement is the record's own
``dispatched`` time.

Usage: ``.venv/bin/python bench/bench_events.py [--events 2000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import figure, percentile, save  # noqa: E402
from kiosk.platform.x11.xvfb import VirtualDisplay  # noqa: E402

#: Between two events: the page is never flooded, so each latency is an event's own.
GAP_MS = 2


def spin(seconds: float) -> None:
    """Runs the GUI loop for ``seconds`` (the events, the page and its answers go on)."""
    from kiosk.platform.qt import QCoreApplication, QEventLoop

    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, int(left * 1000) + 1)


def one_run(qapp: object, url: str, folder: Path, count: int) -> tuple[list[float], list[float]]:
    from bridge.catalogue import lookup
    from detectors.sources import CameraSource, MicrophoneSource
    from kiosk.app import KioskApp
    from kiosk.config.settings import KioskConfig
    from kiosk.launch.options import RunOptions
    from kiosk.platform.qt import QCoreApplication, QTimer
    from policies.engine import decide

    opts = RunOptions(
        url=url, config=KioskConfig(), camera=CameraSource("none"),
        microphone=MicrophoneSource("none"), data_dir=folder / "data", event_log=None,
        autostart=False, fullscreen=False, engine=decide(os.environ), seb=None,
        awaiting_configuration=False, test_machine=True,
    )  # fmt: skip
    app = KioskApp(qapp, opts)  # type: ignore[arg-type]
    app.show()
    page = app.window.page

    def evaluate(script: str) -> object:
        box: list[object] = []
        page.runJavaScript(script, 0, box.append)
        deadline = time.monotonic() + 30
        while not box:
            assert time.monotonic() < deadline, script
            spin(0.005)
        return box[0]

    while evaluate("document.readyState + ':' + Array.isArray(window.got)") != "complete:true":
        spin(0.05)
    spec = lookup(2003)
    fired: dict[int, tuple[float, int]] = {}

    def fire_next(i: int = 0) -> None:
        if i < count:
            event = app.session.fire(spec, bench=i)
            fired[i] = (event.t, event.seq)
            QTimer.singleShot(GAP_MS, lambda: fire_next(i + 1))

    fire_next()
    while evaluate("window.got.length") != count:
        spin(0.05)
    arrivals = dict(evaluate("window.got"))  # type: ignore[call-overload]
    deadline = time.monotonic() + 30
    while app.bridge.pending and time.monotonic() < deadline:
        spin(0.02)
    acked = {e.seq: e.dispatched for e in app.record.events()}
    to_page = [(arrivals[i] / 1000 - t) * 1000 for i, (t, _) in fired.items()]
    to_ack = [((acked[seq] or float("nan")) - t) * 1000 for t, seq in fired.values()]
    app.teardown()
    app.deleteLater()
    QCoreApplication.sendPostedEvents(None, 52)  # DeferredDelete
    return to_page, to_ack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    display = VirtualDisplay(width=1280, height=800).start()
    os.environ["DISPLAY"] = display.display
    if os.geteuid() == 0:  # Chromium's sandbox cannot start as root (docs/platform.md)
        os.environ.update(QTWEBENGINE_DISABLE_SANDBOX="1", KIOSK_TEST_ALLOW_UNSAFE_ENGINE="1")
    from kiosk.launch.qapplication import make_qapplication
    from tests.support.web import Answer, serving

    qapp = make_qapplication()
    page = (REPO / "bench" / "pages" / "events.html").read_bytes()
    routes = {"/events.html": Answer(page, 200, {"Content-Type": "text/html"})}
    p50: list[float] = []
    p99: list[float] = []
    a50: list[float] = []
    a99: list[float] = []
    try:
        with serving(routes) as host, tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                page, ack = one_run(qapp, f"http://{host}/events.html", Path(tmp) / str(run),
                                    args.events)  # fmt: skip
                p50.append(percentile(page, 50))
                p99.append(percentile(page, 99))
                a50.append(percentile(ack, 50))
                a99.append(percentile(ack, 99))
                print(
                    f"run {run + 1}: page p50 {p50[-1]:.2f} p99 {p99[-1]:.2f} ms, "
                    f"ack p50 {a50[-1]:.2f} p99 {a99[-1]:.2f} ms",
                    flush=True,
                )
    finally:
        display.stop()
    n = f"{args.events} events a run"
    save(
        "events",
        f"Event latency ({args.runs} runs, {n})",
        [
            figure("event fired to the page's listener, p50", p50, "ms", "", 2),
            figure("event fired to the page's listener, p99", p99, "ms", "< 1", 2),
            figure("event fired to its acknowledgement recorded, p50", a50, "ms", "", 2),
            figure("event fired to its acknowledgement recorded, p99", a99, "ms", "", 2),
        ],
        notes=f"One event every {GAP_MS} ms; each is committed to the record before it is sent.",
    )


if __name__ == "__main__":
    main()
