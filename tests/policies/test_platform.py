"""Which platforms can be locked down and can capture other windows, and what a test may do then."""

from __future__ import annotations

import dataclasses

import pytest

from bridge.catalogue import CATALOGUE
from detectors.compositor import CompositorFact
from detectors.screen_capture import CaptureCapability, capability
from policies.platform import (
    CaptureDecision,
    LockdownDecision,
    cage_allows_vt_switching,
    decide_capture,
    decide_lockdown,
)

NO_DESKTOP = ["offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"]


@pytest.mark.parametrize("code", [4011, 4012, 4013, 4014, 4016, 4017])
def test_every_code_used_here_is_in_the_catalogue(code: int) -> None:
    assert code in {entry.code for entry in CATALOGUE}


# --- decide_lockdown ---------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["xcb", "windows", "cocoa", "XCB"])
@pytest.mark.parametrize("required", [False, True])
def test_lockdown_is_possible_on_desktops(platform: str, required: bool) -> None:
    decision = decide_lockdown(platform, "x11" if platform.lower() == "xcb" else None, required)
    assert (decision.possible, decision.proceed, decision.code) == (True, True, None)


def test_x11_lockdown_says_what_it_enforces() -> None:
    assert "keyboard" in decide_lockdown("xcb", None, True).why


@pytest.mark.parametrize(
    ("platform", "session", "reason"),
    [
        ("wayland", "wayland", "cannot grab the keyboard"),
        ("wayland-egl", None, "cannot grab the keyboard"),
        ("xcb", "wayland", "XWayland"),
        *((p, None, "no real desktop") for p in NO_DESKTOP),
        ("haiku", None, "unknown platform"),
    ],
)
def test_lockdown_impossible_and_required_stops_the_test(
    platform: str, session: str | None, reason: str
) -> None:
    decision = decide_lockdown(platform, session, required=True)
    assert decision == LockdownDecision(False, False, 4016, decision.why)
    assert reason in decision.why
    assert "required" in decision.why


@pytest.mark.parametrize(("platform", "session"), [("wayland", None), ("offscreen", None)])
def test_lockdown_impossible_and_not_required_runs_unlocked(
    platform: str, session: str | None
) -> None:
    decision = decide_lockdown(platform, session, required=False)
    assert (decision.possible, decision.proceed, decision.code) == (False, True, None)
    assert "NOT locked down" in decision.why


# --- decide_capture ----------------------------------------------------------------------------

X11 = capability("xcb", "x11")
WAYLAND = capability("wayland", "wayland")
OFFSCREEN = capability("offscreen", None)


@pytest.mark.parametrize(("requested", "forced"), [(True, False), (True, True), (False, True)])
def test_capture_possible_goes_on_whatever_is_asked(requested: bool, forced: bool) -> None:
    decision = decide_capture(X11, requested, forced)
    assert (decision.proceed, decision.code) == (True, None)
    assert "available" in decision.why


def test_capture_possible_and_not_requested() -> None:
    assert decide_capture(X11, False, False) == CaptureDecision(
        True, None, "captureSwitchedTab not requested"
    )


@pytest.mark.parametrize("cap", [WAYLAND, OFFSCREEN, capability("haiku", None)])
@pytest.mark.parametrize("requested", [False, True])
def test_forced_capture_that_is_impossible_stops_the_test(
    cap: CaptureCapability, requested: bool
) -> None:
    decision = decide_capture(cap, requested, forced=True)
    assert (decision.proceed, decision.code) == (False, 4017)
    assert "forced" in decision.why and cap.why in decision.why


@pytest.mark.parametrize(("cap", "code"), [(WAYLAND, 4011), (OFFSCREEN, 4014)])
def test_requested_capture_that_is_impossible_stops_with_the_platform_reason(
    cap: CaptureCapability, code: int
) -> None:
    decision = decide_capture(cap, requested=True, forced=False)
    assert (decision.proceed, decision.code) == (False, code)
    assert "requested" in decision.why


def test_a_capability_without_a_failure_code_counts_as_denied() -> None:
    decision = decide_capture(CaptureCapability(False, "somewhere", "no"), True, False)
    assert (decision.proceed, decision.code) == (False, 4011)


@pytest.mark.parametrize("cap", [WAYLAND, OFFSCREEN])
def test_impossible_capture_not_requested_goes_on(cap: CaptureCapability) -> None:
    decision = decide_capture(cap, requested=False, forced=False)
    assert (decision.proceed, decision.code) == (True, None)
    assert cap.why in decision.why


@pytest.mark.parametrize("platform", ["xcb", "windows", "cocoa", "wayland", "haiku", *NO_DESKTOP])
def test_capture_and_lockdown_agree_on_which_platforms_are_desktops(platform: str) -> None:
    """The two lists live apart (policies do not import detectors); they must not drift."""
    assert (
        capability(platform, None).can_capture_others
        == decide_lockdown(platform, None, False).possible
    )


# --- the kiosk's own Wayland session (cage) ----------------------------------------------------


def cage(**changes: object) -> CompositorFact:
    """The kiosk's own session as the probe finds it: the system's cage on real hardware, with
    no options, that launched the kiosk and nothing else."""
    fact = CompositorFact(
        "/run/user/1000/wayland-0", pid=900, program="/usr/bin/cage", system_program=True,
        arguments=("--", "/usr/bin/kiosk", "session"), backends=("drm", "libinput"),
        launched_us=True,
    )  # fmt: skip
    return dataclasses.replace(fact, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("platform", ["wayland", "wayland-egl"])
def test_wayland_is_lockable_inside_the_kiosks_own_cage_session(platform: str) -> None:
    decision = decide_lockdown(platform, "wayland", True, cage())
    assert (decision.possible, decision.proceed, decision.code) == (True, True, None)
    assert "cage kiosk session" in decision.why


def test_xwayland_inside_the_kiosks_own_cage_session_is_lockable_too() -> None:
    assert decide_lockdown("xcb", "wayland", True, cage()).possible


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"unknown": "its socket does not answer"}, "compositor is unknown"),
        ({"program": "/usr/bin/gnome-shell"}, "is /usr/bin/gnome-shell, not the kiosk's own"),
        ({"program": "/home/student/bin/cage", "system_program": False}, "not the system's cage"),
        ({"arguments": ("-s", "--", "kiosk")}, "started with -s"),
        ({"arguments": ("-ds", "kiosk")}, "started with -s"),
        ({"backends": ("wayland",)}, "inside another desktop (its wayland backend)"),
        ({"backends": ("x11",)}, "inside another desktop (its x11 backend)"),
        ({"backends": ("headless",)}, "cage runs headless"),
        ({"backends": ("drm", "headless")}, "cage runs headless"),
        ({"launched_us": False}, "not the program this cage session launched"),
        ({"others": ("wayvnc (1234)",)}, "other programs besides the kiosk: wayvnc (1234)"),
    ],
)  # fmt: skip
def test_any_other_compositor_is_not_lockable_and_says_why(
    changes: dict[str, object], said: str
) -> None:
    decision = decide_lockdown("wayland", "wayland", True, cage(**changes))
    assert (decision.possible, decision.proceed, decision.code) == (False, False, 4016)
    assert "cannot grab the keyboard" in decision.why and said in decision.why


def test_headless_cage_counts_only_with_a_test_machines_allowance() -> None:
    headless = cage(backends=("headless",))
    assert not decide_lockdown("wayland", None, True, headless).possible
    allowed = decide_lockdown("wayland", None, True, headless, headless_allowed=True)
    assert allowed.possible and "test machine" in allowed.why
    nested = cage(backends=("headless", "wayland"))
    assert not decide_lockdown("wayland", None, True, nested, headless_allowed=True).possible


def test_a_compositor_changes_nothing_on_x11() -> None:
    assert decide_lockdown("xcb", "x11", True, cage(program="/usr/bin/weston")).possible


@pytest.mark.parametrize(
    ("arguments", "switching"),
    [
        ((), False), (("--", "kiosk", "-s"), False), (("kiosk", "-s"), True),
        (("-s",), True), (("-d", "-s", "--", "kiosk"), True), (("-dsr", "kiosk"), True),
        (("-m", "last", "--", "kiosk"), False), (("-mlast", "kiosk"), False),
        (("-m", "last", "-s", "kiosk"), True), (("-dm", "last", "kiosk"), False),
        (("-rm", "extend", "-ds", "kiosk"), True),
    ],
)  # fmt: skip
def test_vt_switching_is_read_from_cages_options_as_getopt_reads_them(
    arguments: tuple[str, ...], switching: bool
) -> None:
    assert cage_allows_vt_switching(arguments) is switching
