"""The ScreenBlanker with two X screens: each cover on its own screen, none over the exam.

Two X screens (``Xvfb -screen 0 1280x800x24 -screen 1 1024x768x24``) are two ``QScreen``s with
the same name, "screen", both at 0,0. Covers keyed by name put the second screen's cover on the
exam's X screen (at the second one's size) and left the second screen uncovered. The layout runs
in a subprocess on a private Xvfb (tests/support/blanker_scenarios.py).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kiosk.platform.geometry import overlap
from tests.support.process import run_json


def run_scenario(name: str) -> dict[str, Any]:
    result: dict[str, Any] = run_json("-m", "tests.support.blanker_scenarios", name, timeout=90)
    return result


def test_each_x_screen_gets_its_own_cover_and_none_lands_on_the_exams() -> None:
    result = run_scenario("two-x-screens")
    first, second = result["screens"]
    assert (first["name"], second["name"]) == ("screen", "screen")
    assert first["geometry"] == [0, 0, 1280, 800]
    assert second["geometry"] == [0, 0, 1024, 768]
    assert (first["siblings"], second["siblings"]) == ([0], [1])  # two X roots
    assert result["setup_code"] == 4015  # the exam would not start on such a machine

    assert result["exam_screen"] == 0
    assert result["exam_x_screens"] == [0]
    assert result["exam_active_before"] is True
    assert result["placed"] is True, result

    # As Qt sees it: one cover, on the second QScreen, exactly its geometry, none on the exam's.
    assert [c["screen"] for c in result["qt_covers"]] == [1], result
    (cover,) = result["qt_covers"]
    assert cover["geometry"] == second["geometry"]
    assert cover["fullscreen"] is True  # another X root cannot overlap the exam's
    assert cover["close_refused"] is True
    assert result["covered"] == ["screen (2)"]

    # As the X server sees it: nothing on the exam's X screen, exactly one cover on the second.
    on_exam_root, on_second_root = result["x_covers"]
    assert [r for r in on_exam_root if overlap(tuple(r), tuple(first["geometry"]))] == [], result
    assert on_second_root == [second["geometry"]], result

    assert result["exam_active_with_covers"] is True
    assert result["gone_after_stop"] is True
    assert result["covered_after_stop"] == []


def test_with_xinerama_qt_shows_one_screen_and_nothing_covers_the_exam() -> None:
    result = run_scenario("xinerama")
    assert [s["name"] for s in result["screens"]] == ["screen"]
    assert result["exam_screen"] == 0
    assert result["covered"] == []
    assert result["qt_covers"] == []
    assert result["x_covers"] == [[], []]
    assert result["exam_active_with_covers"] is True


def test_screens_sharing_a_name_are_told_apart_in_qt_order() -> None:
    from kiosk.enforcement.screen_covers import screen_labels

    screens: list[Any] = [
        SimpleNamespace(name=lambda n=n: n) for n in ("screen", "HDMI-1", "screen", "screen")
    ]
    assert screen_labels(screens) == ["screen", "HDMI-1", "screen (2)", "screen (3)"]
    assert screen_labels([]) == []
