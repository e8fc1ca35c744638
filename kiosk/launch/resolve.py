"""From parsed arguments to what one run does: the configuration layers merged and checked."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from detectors.sources import parse_camera, parse_microphone
from kiosk.config import settings as config_mod
from kiosk.launch.options import RunOptions
from kiosk.launch.target import parse_target
from kiosk.platform.errors import UsageError
from kiosk.platform.files import expanded
from kiosk.session.event_log import check_log
from policies import window_mode

if TYPE_CHECKING:
    from kiosk.launch.seb.containers import AskPassword


def _writable_dir(path: Path, flag: str) -> Path:
    path = expanded(path, f"{flag} {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write there ({exc.strerror})") from None
    except ValueError:  # a NUL in the name
        raise UsageError(f"{flag} {path!r}: not a valid folder name") from None
    return path.resolve()


def resolve(
    args: argparse.Namespace, env: Mapping[str, str], ask_password: AskPassword | None = None
) -> RunOptions:
    """``ask_password`` asks for the settings password of an encrypted .seb (None: it cannot
    be asked, and such a file is refused with a clear line)."""
    cfg = config_mod.load(args.config) if args.config else config_mod.KioskConfig()
    target = parse_target(args.target)
    seb = None
    awaiting = False
    if target.kind in ("file", "seb"):
        from kiosk.launch import seb_launch as launch

        found = launch.from_target(target, ask_password)
        if isinstance(found, launch.LmsPage):  # log in first; the LMS serves it next
            url, awaiting = found.url, True
        else:
            seb = found
            url = seb.url
            cfg = launch.apply(cfg, seb)
    else:
        assert target.url is not None
        url = target.url
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
    data_dir = _writable_dir(data_dir, "--data-dir")
    event_log = args.event_log or cfg.session.event_log
    if event_log is not None:
        event_log = expanded(event_log, f"--event-log {event_log}")
        check_log(event_log)  # a FIFO, a device or a folder, refused before any session exists
    windowed = args.windowed if args.windowed is not None else cfg.window.windowed
    mode = window_mode.decide(windowed, cfg.policy.allow_windowed)
    if mode.refused:
        raise UsageError(mode.refused)
    from kiosk.launch import preflight

    # last: every check above is a usage error, whatever the engine's environment
    verdict = preflight.check_engine_environment(env)
    return RunOptions(
        url=url,
        config=cfg,
        camera=camera,
        microphone=microphone,
        data_dir=data_dir,
        event_log=event_log,
        # no exam starts on the login page: the run that opens the configuration starts it
        autostart=not awaiting
        and (args.autostart if args.autostart is not None else cfg.session.autostart),
        fullscreen=mode.fullscreen,
        engine=verdict,
        seb=seb,
        awaiting_configuration=awaiting,
    )
