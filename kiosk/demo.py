"""``kiosk demo``: the bundled demo exam, served locally and opened in the kiosk.

On a desktop it opens fullscreen with a visible "Finish exam and quit" button. Without a display
it runs under a private Xvfb (with openbox) or, failing that, offscreen; the page then takes the
exam by itself, every event is printed as it fires and a screenshot of the window is saved.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

from detectors.sources import CameraSource, MicrophoneSource
from kiosk.config.layers import Layers
from kiosk.config.managed import load_managed
from kiosk.config.settings import data_dir_of
from kiosk.launch.options import RunOptions

SCREENSHOT_DELAY_MS = 1500
UNATTENDED_LIMIT_S = 60


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-http").start()
    return server


def _describe(names: tuple[str, ...], detail: dict[str, Any]) -> str:
    code = detail.get("successCode") or detail.get("errorCode") or detail.get("evidenceCode")
    text = " / ".join(names) + (f" {code} {detail.get('message', '')}" if code else "")
    if "trustScore" in detail:
        text += f" (trust score {detail['trustScore']}, {len(detail['violations'])} violations)"
    return text


def run_demo(verbose: bool = False) -> int:
    from kiosk.launch import preflight
    from kiosk.platform import logs
    from kiosk.platform.x11.xvfb import DisplayError, VirtualDisplay

    # A demo runs anywhere, even where nothing can be locked down (offscreen, Wayland), in a
    # virtual machine or beside a messenger; its record then says so. Everything else is the
    # product's default, under the school's policy.
    own = {"policy": {"require_lockdown": False},
           "computer": {"virtual_machine": "off", "remote_session": "warn",
                        "prohibited_processes": "warn"}}  # fmt: skip
    config = Layers(file=own, managed=load_managed()).config()
    verdict = preflight.check_engine_environment(os.environ, config.engine.unsafe_engine_allowance)
    data_dir = data_dir_of(config.session)
    if not verbose:
        logs.quiet(data_dir)
    folder = Path(str(resources.files("kiosk").joinpath("demo_exam")))
    server = _serve(folder)
    unattended = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    xdisplay: VirtualDisplay | None = None
    if unattended and not os.environ.get("QT_QPA_PLATFORM"):
        try:
            xdisplay = VirtualDisplay().start()
            os.environ["DISPLAY"] = xdisplay.display
            print(f"kiosk demo: no display here; running on a private Xvfb {xdisplay.display}")
        except DisplayError as exc:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            print(f"kiosk demo: no display and no Xvfb ({exc}); running offscreen")
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html" + (
        "?auto=1" if unattended else ""
    )
    opts = RunOptions(
        url=url,
        config=config,
        camera=CameraSource("none"),
        microphone=MicrophoneSource("none"),
        data_dir=data_dir,
        event_log=None,
        autostart=False,
        fullscreen=True,
        engine=verdict,
    )
    try:
        return _run(opts, unattended)
    finally:
        server.shutdown()
        if xdisplay is not None:
            xdisplay.stop()


def _run(opts: RunOptions, unattended: bool) -> int:
    from kiosk.launch.qapplication import make_qapplication, release_qapplication

    qapp = make_qapplication()
    from bridge.messages import FiredEvent
    from kiosk.app import KioskApp
    from kiosk.platform.qt import QTimer

    app = KioskApp(qapp, opts)
    began = time.time()
    shot = app.folder / "demo-screenshot.png"
    summary: dict[str, Any] = {}
    print(f"kiosk demo: exam at {opts.url}")
    print(f"kiosk demo: session record in {app.folder}")
    if not unattended:
        print("kiosk demo: use the red 'Finish exam and quit' button (or Ctrl+C here) to leave")

    def screenshot() -> None:
        if app.window.grab().save(str(shot)):
            print(f"kiosk demo: screenshot saved to {shot}")
        else:
            print("kiosk demo: the screenshot could not be saved", file=sys.stderr)

    def on_event(event: FiredEvent) -> None:
        print(f"  +{event.t - began:6.2f}s  {_describe(event.names, event.detail)}", flush=True)
        if unattended and event.names[0] == "apMonitoringStarted":
            QTimer.singleShot(SCREENSHOT_DELAY_MS, screenshot)
        if "trustScore" in event.detail:
            summary.update(event.detail)

    app.delivered.connect(on_event)
    if unattended:
        QTimer.singleShot(UNATTENDED_LIMIT_S * 1000, lambda: app.request_quit("demo time limit"))
    code = app.run()
    release_qapplication(qapp)
    if summary:
        print(f"kiosk demo: finished with trust score {summary['trustScore']}")
    elif unattended:
        print("kiosk demo: the exam did not finish", file=sys.stderr)
        return 1
    return code
