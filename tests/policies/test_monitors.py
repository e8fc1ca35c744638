"""The one-monitor decisions (4015, 5007, 5008), from real Head and MonitorsSnapshot values."""

from __future__ import annotations

from types import EllipsisType

import pytest

from detectors.monitors import Head, MonitorsSnapshot
from policies.monitors import (
    PROJECTOR_MODES,
    MonitorPolicy,
    decide_change,
    decide_setup,
    extra_heads,
    suspected,
)

LAPTOP = Head("eDP-1", 0, 0, 1920, 1200, primary=True)
HDMI = Head("HDMI-1", 1920, 0, 1920, 1080, primary=False)
DP = Head("DP-1", 3840, 0, 1280, 1024, primary=False)


def snap(
    *screens: Head, os: tuple[Head, ...] | EllipsisType | None = ..., cause: str = "now"
) -> MonitorsSnapshot:
    """A snapshot; unless ``os`` is given, the OS sees exactly what Qt sees."""
    heads = tuple(screens) if isinstance(os, EllipsisType) else os
    return MonitorsSnapshot(t=0.0, screens=tuple(screens), os_heads=heads, cause=cause)


# extra_heads


def test_one_screen_has_no_extra_heads() -> None:
    assert extra_heads(snap(LAPTOP)) == ()


def test_extra_heads_are_the_screens_other_than_the_primary() -> None:
    second_primary = Head("HDMI-1", 1920, 0, 1920, 1080, primary=True)
    not_primary = Head("eDP-1", 0, 0, 1920, 1200, primary=False)
    assert extra_heads(snap(not_primary, second_primary, DP)) == (not_primary, DP)


def test_without_a_primary_the_first_screen_is_the_exams() -> None:
    first = Head("A", 0, 0, 800, 600, primary=False)
    second = Head("B", 800, 0, 800, 600, primary=False)
    assert extra_heads(snap(first, second)) == (second,)
    assert extra_heads(snap()) == ()


# decide_setup


@pytest.mark.parametrize("policy", ["block", "warn", "off"])
def test_one_screen_proceeds_without_a_code(policy: MonitorPolicy) -> None:
    decision = decide_setup(snap(LAPTOP), policy)
    assert (decision.proceed, decision.code) == (True, None)
    assert decision.detail["policy"] == policy
    assert decision.detail["screens"] == [
        {"name": "eDP-1", "geometry": "1920x1200+0+0", "primary": True}
    ]
    assert decision.detail["extra"] == []
    assert "suspected" not in decision.detail


@pytest.mark.parametrize(
    ("policy", "proceed", "code"),
    [("block", False, 4015), ("warn", True, 4015), ("off", True, None)],
)
def test_two_screens_at_setup(policy: MonitorPolicy, proceed: bool, code: int | None) -> None:
    decision = decide_setup(snap(LAPTOP, HDMI), policy)
    assert (decision.proceed, decision.code) == (proceed, code)
    assert decision.detail["policy"] == policy
    assert [s["name"] for s in decision.detail["screens"]] == ["eDP-1", "HDMI-1"]
    assert decision.detail["screens"][1]["geometry"] == "1920x1080+1920+0"
    assert decision.detail["extra"] == ["HDMI-1"]


def test_setup_notes_a_suspected_display_without_refusing() -> None:
    decision = decide_setup(snap(LAPTOP, os=(LAPTOP, HDMI)), "block")
    assert (decision.proceed, decision.code) == (True, None)
    assert "reports 2 displays" in decision.detail["suspected"]


# suspected


def test_nothing_is_suspected_when_qt_and_the_os_agree() -> None:
    assert suspected(snap(LAPTOP, HDMI)) is None


def test_nothing_is_suspected_when_the_os_cannot_enumerate() -> None:
    assert suspected(snap(LAPTOP, os=None)) is None


def test_more_qt_screens_than_os_heads_is_not_suspicious() -> None:
    """xrandr --setmonitor (RandR monitors splitting one output) gives Qt more screens than
    screeninfo lists; Qt already shows each of them, so there is nothing hidden."""
    whole = Head("screen", 0, 0, 1280, 800, primary=False)
    carved = Head("RIGHT", 640, 0, 640, 800, primary=True)
    assert suspected(snap(carved, whole, os=(whole,))) is None


def test_more_os_heads_than_qt_screens_is_suspected() -> None:
    reason = suspected(snap(LAPTOP, os=(LAPTOP, HDMI)))
    assert reason == "the operating system reports 2 displays but Qt shows 1 screen(s)"


def test_two_os_heads_at_one_origin_are_a_mirrored_pair() -> None:
    """Xvfb with two screens and +xinerama: two heads at 0,0 and Qt sees one screen."""
    head0 = Head("head 0", 0, 0, 1280, 800, primary=False)
    head1 = Head("head 1", 0, 0, 1280, 800, primary=False)
    reason = suspected(snap(LAPTOP, os=(head0, head1)))
    assert reason is not None
    assert "two displays start at 0,0 (head 0 and head 1)" in reason
    assert "mirrored" in reason
    assert "reports 2 displays but Qt shows 1" in reason
    # A mirrored pair is suspicious even when Qt shows as many screens as the OS has heads.
    only_mirror = suspected(snap(LAPTOP, HDMI, os=(head0, head1)))
    assert only_mirror is not None and "reports" not in only_mirror


@pytest.mark.parametrize("size", sorted(PROJECTOR_MODES))
def test_a_change_to_a_projector_mode_is_suspected(size: tuple[int, int]) -> None:
    before = snap(LAPTOP)
    projector = Head("eDP-1", 0, 0, *size, primary=True)
    reason = suspected(snap(projector), before=before)
    assert reason is not None
    assert f"eDP-1 changed from 1920x1200 to {size[0]}x{size[1]}" in reason
    assert suspected(snap(projector)) is None  # without a before, no change to judge


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_no_projector_suspicion_without_a_change_to_a_projector_mode(
    size: tuple[int, int],
) -> None:
    wxga = Head("eDP-1", 0, 0, 1280, 800, primary=True)
    now = Head("eDP-1", 0, 0, *size, primary=True)
    assert suspected(snap(now), before=snap(wxga)) is None


# decide_change


def test_a_screen_added_during_the_exam_is_5007() -> None:
    findings = decide_change(snap(LAPTOP), snap(LAPTOP, HDMI, cause="a screen was added: HDMI-1"))
    assert [f.code for f in findings] == [5007]
    assert findings[0].detail["added"] == ["HDMI-1"]
    assert findings[0].detail["cause"] == "a screen was added: HDMI-1"
    assert [s["name"] for s in findings[0].detail["screens"]] == ["eDP-1", "HDMI-1"]


def test_a_third_screen_names_only_the_new_one() -> None:
    findings = decide_change(snap(LAPTOP, HDMI), snap(LAPTOP, HDMI, DP))
    assert [(f.code, f.detail["added"]) for f in findings] == [(5007, ["DP-1"])]


def test_a_new_screen_with_a_known_name_is_still_named() -> None:
    twin = Head("HDMI-1", 3840, 0, 1600, 900, primary=False)
    findings = decide_change(snap(LAPTOP, HDMI), snap(LAPTOP, HDMI, twin))
    assert [(f.code, f.detail["added"]) for f in findings] == [(5007, ["HDMI-1"])]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((LAPTOP, HDMI), (LAPTOP,)),  # removed
        ((LAPTOP, HDMI), (LAPTOP, HDMI)),  # unchanged
        ((), (LAPTOP,)),  # the first screen appearing is not an extra one
    ],
)
def test_no_5007_unless_screens_were_added_to_more_than_one(
    before: tuple[Head, ...], after: tuple[Head, ...]
) -> None:
    assert decide_change(snap(*before), snap(*after)) == []


def test_a_newly_suspected_display_is_5008() -> None:
    findings = decide_change(snap(LAPTOP), snap(LAPTOP, os=(LAPTOP, HDMI)))
    assert [f.code for f in findings] == [5008]
    detail = findings[0].detail
    assert detail["suspected"] is True
    assert detail["reason"] == "the operating system reports 2 displays but Qt shows 1 screen(s)"
    assert [h["name"] for h in detail["osHeads"]] == ["eDP-1", "HDMI-1"]


def test_a_suspicion_already_known_is_not_repeated() -> None:
    before = snap(LAPTOP, os=(LAPTOP, HDMI))
    assert decide_change(before, snap(LAPTOP, os=(LAPTOP, HDMI))) == []
    assert decide_change(before, snap(LAPTOP)) == []  # and its end is no finding


def test_a_projector_mode_change_during_the_exam_is_5008_once() -> None:
    projector = Head("eDP-1", 0, 0, 1024, 768, primary=True)
    first = decide_change(snap(LAPTOP), snap(projector))
    assert [f.code for f in first] == [5008]
    assert "1024x768" in first[0].detail["reason"]
    assert decide_change(snap(projector), snap(projector)) == []
    back = Head("eDP-1", 0, 0, 1280, 800, primary=True)  # WXGA: a laptop panel as often
    assert decide_change(snap(projector), snap(back)) == []


def test_5008_when_the_os_enumeration_goes_from_failing_to_suspicious() -> None:
    findings = decide_change(snap(LAPTOP, os=None), snap(LAPTOP, os=(LAPTOP, HDMI)))
    assert [f.code for f in findings] == [5008]
    assert decide_change(snap(LAPTOP), snap(LAPTOP, os=None)) == []


def test_added_and_suspected_together() -> None:
    findings = decide_change(snap(LAPTOP), snap(LAPTOP, HDMI, os=(LAPTOP, HDMI, DP)))
    assert [f.code for f in findings] == [5007, 5008]
    assert findings[0].detail["added"] == ["HDMI-1"]
    assert "reports 3 displays but Qt shows 2" in findings[1].detail["reason"]
