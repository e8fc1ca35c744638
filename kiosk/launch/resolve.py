"""From parsed arguments to what one run does: the configuration layers merged and checked."""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detectors.compositor import CompositorFact
from detectors.sources import parse_camera, parse_microphone
from kiosk.config import settings as config_mod
from kiosk.config.layers import Layers
from kiosk.config.managed import load_managed
from kiosk.launch.options import RunOptions
from kiosk.launch.target import parse_target
from kiosk.platform.errors import UsageError
from kiosk.platform.files import expanded
from kiosk.session.event_log import check_log
from policies import window_mode
from policies.engine import test_machine
from policies.platform import HEADLESS

if TYPE_CHECKING:
    from kiosk.launch.seb.containers import AskPassword
    from kiosk.launch.seb_launch import SebLaunch


#: How a headless compositor a test machine allows is announced (2001's unsafeEngineSettings).
HEADLESS_COMPOSITOR = "WLR_BACKENDS=headless (the compositor's: no screen a student sees)"


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


def cli_layer(args: argparse.Namespace) -> dict[str, Any]:
    """What the command line sets, as a configuration layer."""
    given = {
        ("devices", "camera"): args.camera,
        ("devices", "microphone"): args.microphone,
        ("session", "data_dir"): args.data_dir,
        ("session", "event_log"): args.event_log,
        ("session", "autostart"): args.autostart,
        ("window", "windowed"): args.windowed,
    }
    layer: dict[str, Any] = {}
    for (section, name), value in given.items():
        if value is not None:
            layer.setdefault(section, {})[name] = value
    return layer


@dataclass(frozen=True)
class Layered:
    layers: Layers
    url: str
    seb: SebLaunch | None
    awaiting: bool  # an LMS login page first; it serves the exam's configuration next


def _keyring_first(secret: str, ask: AskPassword | None) -> AskPassword:
    """The keyring's password for the first try; the usual question (if any) for the rest."""
    tried: list[bool] = []

    def answer(left: int) -> str | None:
        if tried:
            given = ask(left) if ask is not None else None
            if given is None:
                raise UsageError(
                    f"the password the keyring holds as {secret} (session.seb_password_keyring) "
                    "does not open this .seb file, and no other was given"
                )
            return given
        tried.append(True)
        from kiosk.platform import secrets

        value = secrets.get(secrets.check_name(secret))
        if value is None:
            raise UsageError(
                f"session.seb_password_keyring names {secret}, which the keyring does not hold "
                f"(store it with: kiosk secret set {secret})"
            )
        return value

    return answer


def layered(
    args: argparse.Namespace, ask_password: AskPassword | None, root: Path | None = None
) -> Layered:
    """Every configuration layer of the run ``args`` asks for, the managed policy's from
    ``root`` (None: its fixed place; tests of the layering pass their own)."""
    managed = load_managed(root)
    file = config_mod.file_layer(args.config)
    # from the file and the managed policy only: it decides how the .seb itself is read
    secret = Layers(file=file, managed=managed).config().session.seb_password_keyring
    if secret is not None:
        ask_password = _keyring_first(secret, ask_password)
    url, seb, awaiting, seb_values = "", None, False, {}
    target = parse_target(args.target) if args.target is not None else None
    if target is None:  # `config show` without one
        pass
    elif target.kind in ("file", "seb"):
        from kiosk.launch import seb_launch as launch

        found = launch.from_target(target, ask_password)
        if isinstance(found, launch.LmsPage):  # log in first; the LMS serves it next
            url, awaiting = found.url, True
        else:
            seb, url = found, found.url
            seb_values = launch.seb_layer(found, "autostart" in file.get("session", {}))
    else:
        assert target.url is not None
        url = target.url
    return Layered(Layers(file, seb_values, cli_layer(args), managed), url, seb, awaiting)


def resolve(
    args: argparse.Namespace,
    env: Mapping[str, str],
    ask_password: AskPassword | None = None,
    compositor: CompositorFact | None = None,
) -> RunOptions:
    """``ask_password`` asks for the settings password of an encrypted .seb (None: it cannot
    be asked, and such a file is refused with a clear line). ``compositor``: the Wayland
    compositor, probed once before the process's first web engine (the probe counts the
    kiosk's own children: kiosk/cli.py); None, and Wayland cannot be locked down."""
    found = layered(args, ask_password)
    cfg, url, seb, awaiting = found.layers.config(), found.url, found.seb, found.awaiting
    try:
        camera = parse_camera(cfg.devices.camera)
    except ValueError as exc:
        raise UsageError(f"--camera: {exc}") from None
    try:
        microphone = parse_microphone(cfg.devices.microphone)
    except ValueError as exc:
        raise UsageError(f"--microphone: {exc}") from None
    data_dir = config_mod.data_dir_of(cfg.session)
    data_dir = _writable_dir(data_dir, "--data-dir")
    event_log = cfg.session.event_log
    if event_log is not None:
        event_log = expanded(event_log, f"--event-log {event_log}")
        check_log(event_log)  # a FIFO, a device or a folder, refused before any session exists
    mode = window_mode.decide(cfg.window.windowed, cfg.policy.allow_windowed)
    if mode.refused:
        raise UsageError(mode.refused)
    from kiosk.launch import preflight

    # last: every check above is a usage error, whatever the engine's environment
    verdict = preflight.check_engine_environment(env, cfg.engine.unsafe_engine_allowance)
    headless = compositor is not None and HEADLESS in compositor.backends
    headless_allowed = headless and test_machine(env, cfg.engine.unsafe_engine_allowance)
    if headless_allowed:  # announced, recorded and scored as the unsafe settings are
        verdict = dataclasses.replace(verdict, unsafe=(*verdict.unsafe, HEADLESS_COMPOSITOR))
    return RunOptions(
        url=url,
        config=cfg,
        camera=camera,
        microphone=microphone,
        data_dir=data_dir,
        event_log=event_log,
        # no exam starts on the login page: the run that opens the configuration starts it
        autostart=not awaiting and cfg.session.autostart,
        fullscreen=mode.fullscreen,
        engine=verdict,
        seb=seb,
        awaiting_configuration=awaiting,
        compositor=compositor,
        headless_allowed=headless_allowed,
        test_machine=test_machine(env, cfg.engine.unsafe_engine_allowance),
    )
