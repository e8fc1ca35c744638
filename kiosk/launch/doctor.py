"""``kiosk doctor``: what a student or an administrator can fix before the exam, one line each.

Each check says ok, warning (the exam can run, something is weaker than it should be) or
problem (setup would fail, or the kiosk could not start), with what to do; exit 1 when any is a
problem. The checks ask what the kiosk itself asks at start and setup, through the same code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from detectors.sources import parse_camera, parse_microphone
from kiosk.config.settings import KioskConfig
from kiosk.platform.errors import KioskExit
from policies.display_clients import ClientsVerdict

Status = Literal["ok", "warning", "problem"]
SCHEMES = ("seb", "sebs", "kiosk", "kiosks")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


def _wayland(env: Mapping[str, str]) -> Check:
    from detectors.compositor import probe_compositor
    from policies.platform import kiosk_compositor

    fact = probe_compositor(env)
    if fact is None:
        return Check("display", "warning", "Wayland with no compositor socket to ask")
    own, why = kiosk_compositor(fact, headless_allowed=False)
    if own:
        return Check("display", "ok", f"Wayland: {why}")
    return Check("display", "warning", f"Wayland: {why}; nothing can be locked down here "
                 "(setup fails with 4016): use X11 or the kiosk's own session")  # fmt: skip


def _display(env: Mapping[str, str]) -> Check:
    from kiosk.launch import preflight

    try:
        platform = preflight.check_display(env)
    except KioskExit as exc:
        return Check("display", "problem", str(exc))
    if platform.startswith("wayland"):
        return _wayland(env)
    if platform != "xcb":
        return Check("display", "warning", f"{platform}: nothing can be locked down there "
                     "(setup fails with 4016); use X11 or the kiosk's own session")  # fmt: skip
    from kiosk.platform.x11.session import X11Session

    with X11Session(env["DISPLAY"]) as x:
        managed = x.window_manager_present()
    if not managed:
        return Check("display", "warning", f"X11 {env['DISPLAY']} without a window manager: "
                     "fullscreen and focus are weaker")  # fmt: skip
    return Check("display", "ok", f"X11 {env['DISPLAY']}, with a window manager")


def _engine(env: Mapping[str, str], config: KioskConfig) -> Check:
    from kiosk.launch import preflight

    try:
        verdict = preflight.check_engine_environment(env, config.engine.unsafe_engine_allowance)
    except KioskExit as exc:
        return Check("web engine", "problem", str(exc))
    if verdict.unsafe:
        return Check("web engine", "warning", "unsafe settings allowed on this test machine: "
                     f"{', '.join(verdict.unsafe)} (the trust score counts them)")  # fmt: skip
    return Check("web engine", "ok", "the sandbox is on and nothing unsafe is set")


def _camera(config: KioskConfig) -> Check:
    from detectors.camera import check_camera
    from detectors.faces import default_model_path, verify_model

    try:
        source = parse_camera(config.devices.camera)
        if source.kind == "none":
            return Check("camera", "warning", "none configured: exams that watch faces fail")
        check_camera(source)
        verify_model(default_model_path())
    except Exception as exc:  # a bad source, a DeviceError, the face model's: what setup says
        return Check("camera", "problem", str(exc))
    return Check("camera", "ok", f"{source.describe()}, face model {default_model_path()}")


def _microphone(config: KioskConfig) -> Check:
    from detectors.audio_capture import _sounddevice, pick_input_device

    try:
        source = parse_microphone(config.devices.microphone)
        if source.kind == "none":
            return Check("microphone", "warning", "none configured: exams that listen fail")
        if source.kind == "file":
            return Check("microphone", "ok", source.describe())
        sd = _sounddevice()
        devices = list(sd.query_devices())
        index = pick_input_device(devices, int(sd.default.device[0]), source)
    except Exception as exc:  # what setup would say
        return Check("microphone", "problem", str(exc))
    return Check("microphone", "ok", f"{devices[index]['name']} ({source.describe()})")


def _monitors(config: KioskConfig) -> Check:
    try:
        import screeninfo

        count = len(screeninfo.get_monitors())
    except Exception as exc:  # no display, no Xinerama
        return Check("monitors", "warning", f"cannot be counted here: {exc}")
    if count > 1:
        status: Status = "problem" if config.policy.multiple_monitors == "block" else "warning"
        return Check("monitors", status, f"{count} monitors: unplug all but one (4015)")
    return Check("monitors", "ok", "one")


def _keyring() -> Check:
    from kiosk.platform import secrets

    try:
        names = secrets.names()
    except KioskExit as exc:
        return Check("keyring", "warning", f"{exc} (needed only for stored secrets)")
    return Check("keyring", "ok", f"{len(names)} kiosk secret(s) stored")


def _schemes() -> Check:
    if shutil.which("xdg-mime") is None:
        return Check("links", "warning", "xdg-mime is missing (xdg-utils): links cannot be "
                     "checked, and may not open the kiosk")  # fmt: skip
    missing = []
    for scheme in SCHEMES:
        done = subprocess.run(
            ["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"],
            capture_output=True, text=True, timeout=10,
        )  # fmt: skip
        if "kiosk" not in done.stdout:
            missing.append(scheme)
    if missing:
        return Check("links", "warning", f"{', '.join(s + '://' for s in missing)} do not "
                     "open the kiosk (install its package to register them)")  # fmt: skip
    return Check("links", "ok", "seb, sebs, kiosk and kiosks links open the kiosk")


def _computer(config: KioskConfig, env: Mapping[str, str]) -> list[Check]:
    """What setup's computer check would say: a virtual machine, a remote session, programs
    to close (the same ComputerWatch setup asks)."""
    from kiosk.enforcement.computer import ComputerWatch
    from policies.engine import test_machine

    allowance = test_machine(env, config.engine.unsafe_engine_allowance)
    watch = ComputerWatch(config.computer, lambda *_: None, allowance, env=env)
    machine = watch.machine()
    found = ", ".join(machine.checks["found"]) or "none"  # type: ignore[arg-type]
    if not machine.proceed:
        vm = Check("computer", "problem", f"{machine.why} (4101)")
    elif machine.checks.get("verdict") in ("warned", "allowed on a test machine"):
        vm = Check("computer", "warning", f"{found}: {machine.checks['verdict']}")
    else:
        vm = Check("computer", "ok", f"virtual machine or container: {found}")
    running, _, verdict = watch.programs()
    if not verdict.proceed:
        programs = Check("programs", "problem", f"{verdict.why} ({verdict.code})")
    elif verdict.at_start:
        named = ", ".join(f"{f.process.as_detail()['name']} ({f.category})" for f in running)
        programs = Check(
            "programs", "warning", f"reported once the exam starts: {named or 'a remote display'}"
        )
    else:
        programs = Check("programs", "ok", "no remote session, nothing prohibited running")
    return [vm, programs, _display_clients(watch.display_clients())]


def _display_clients(verdict: ClientsVerdict) -> Check:
    listed = verdict.checks["displayClients"]
    if not isinstance(listed, dict):  # not checked, or no X-Resource
        status: Status = "ok" if listed == "not checked" else "warning"
        return Check("display clients", status, str(listed))
    if not verdict.proceed:
        return Check("display clients", "problem", f"{verdict.why} (4104)")
    if listed["unknown"]:
        return Check("display clients", "warning",
                     f"listed at setup: {', '.join(listed['unknown'])}")  # fmt: skip
    return Check("display clients", "ok", f"helpers only: {', '.join(listed['helpers'])}")


def _appearance(config: KioskConfig) -> Check:
    from kiosk.launch.appearance import engine_appearance

    shown = engine_appearance(config.accessibility)
    said = shown.checks
    return Check("accessibility", "ok", f"high contrast {said['highContrast']}, reduced motion "
                 f"{said['reducedMotion']}")  # fmt: skip


def checks(config: KioskConfig, managed: Check, env: Mapping[str, str]) -> list[Check]:
    steps: list[Callable[[], Check]] = [
        lambda: managed,
        lambda: _display(env),
        lambda: _engine(env, config),
        lambda: _camera(config),
        lambda: _microphone(config),
        lambda: _monitors(config),
        _keyring,
        _schemes,
        lambda: _appearance(config),
    ]
    return [step() for step in steps] + _computer(config, env)


def as_table(found: list[Check]) -> str:
    width = max(len(c.name) for c in found)
    return "\n".join(f"{c.name:<{width}}  {c.status:<7}  {c.detail}" for c in found)


def examine(
    config_path: Path | None, camera: str | None, microphone: str | None
) -> tuple[list[Check], KioskConfig | None]:
    """Every check, and the configuration they used (None: the managed policy is broken)."""
    from kiosk.config.layers import Layers
    from kiosk.config.managed import load_managed

    try:
        policy = load_managed()
        files = ", ".join(map(str, policy.files)) or "none (nothing locked)"
        managed = Check("managed policy", "ok", files)
    except KioskExit as exc:
        return [Check("managed policy", "problem", str(exc))], None
    from kiosk.config import settings as config_mod

    own = config_mod.file_layer(config_path)
    cli = {"devices": {k: v for k, v in (("camera", camera), ("microphone", microphone)) if v}}
    config = Layers(file=own, cli=cli, managed=policy).config()
    return checks(config, managed, os.environ), config


def exit_code(found: list[Check]) -> int:
    return int(any(c.status == "problem" for c in found))
