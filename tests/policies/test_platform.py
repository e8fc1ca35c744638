"""Which platforms can be locked down and can capture other windows, and what a test may do then."""

from __future__ import annotations

import pytest

from bridge.catalogue import CATALOGUE
from detectors.screen_capture import CaptureCapability, capability
from policies.platform import (
    CaptureDecision,
    LockdownDecision,
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
