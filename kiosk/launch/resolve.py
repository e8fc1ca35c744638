"""From parsed arguments to a running kiosk: merge the configuration layers, check, start."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import platformdirs

from detectors.sources import parse_camera, parse_microphone
from kiosk.config import settings as config_mod
from kiosk.launch.options import RunOptions
from kiosk.platform.errors import UsageError
from policies import window_mode

if TYPE_CHECKING:
    from kiosk.platform.qt import QApplication


def check_target(target: str) -> str:
    """An http(s) URL with a host; anything else is a clear usage error."""
    text = target.strip()
    if any(c.isspace() for c in text):
        raise UsageError(f"TARGET {target!r}: a URL cannot contain spaces")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise UsageError(
            f"TARGET {target!r}: {shown} is not supported; give an http:// or https:// exam URL"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(f"TARGET {target!r}: the port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise UsageError(f"TARGET {target!r}: the URL has no host")
    return text


def _writable_dir(path: Path, flag: str) -> Path:
    path = path.expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write there ({exc.strerror})") from None
    return path.resolve()


def resolve(args: argparse.Namespace, env: Mapping[str, str]) -> RunOptions:
    cfg = config_mod.load(args.config) if args.config else config_mod.KioskConfig()
    url = check_target(args.target)
    camera_text = args.camera if args.camera is not None else cfg.devices.camera
    mic_text = args.microphone if args.microphone is not None else cfg.devices.microphone
    try:
        camera = parse_camera(camera_text)
    except ValueError as exc:
        raise UsageError(f"--camera: {exc}") from None
    try:
        microphone = parse_microphone(mic_text)
    except ValueError as exc:
        raise UsageError(f"--microphone: {exc}") from None
    data_dir = args.data_dir or cfg.session.data_dir or Path(platformdirs.user_data_dir("kiosk"))
    event_log = args.event_log or cfg.session.event_log
    if event_log is not None:
        event_log = event_log.expanduser()
        if not event_log.parent.is_dir():
            raise UsageError(
                f"--event-log {event_log}: the folder {event_log.parent} does not exist"
            )
        if event_log.is_dir():
            raise UsageError(f"--event-log {event_log}: is a folder, not a file")
    windowed = args.windowed if args.windowed is not None else cfg.window.windowed
    mode = window_mode.decide(windowed, cfg.policy.allow_windowed)
    if mode.refused:
        raise UsageError(mode.refused)
    from kiosk.launch import preflight

    verdict = preflight.check_engine_environment(env)
    return RunOptions(
        url=url,
        config=cfg,
        camera=camera,
        microphone=microphone,
        data_dir=_writable_dir(data_dir, "--data-dir"),
        event_log=event_log,
        autostart=args.autostart if args.autostart is not None else cfg.session.autostart,
        fullscreen=mode.fullscreen,
        engine=verdict,
    )


def make_qapplication() -> QApplication:
    """Checks the display and Qt, then creates the one QApplication (argv must not be empty)."""
    from kiosk.launch import preflight
    from kiosk.platform import logs

    preflight.check_display(os.environ)
    preflight.import_qt()
    from kiosk.platform.qt import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] or "kiosk"])
    assert isinstance(app, QApplication)
    logs.route_qt_messages()
    return app


def release_qapplication(qapp: QApplication) -> None:
    """Destroys the QApplication now, while its display still exists (the demo's Xvfb)."""
    from kiosk.platform.qt import QCoreApplication, QEvent, sip

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    sip.delete(qapp)


def start(opts: RunOptions) -> int:
    from kiosk.app import KioskApp

    return KioskApp(make_qapplication(), opts).run()
