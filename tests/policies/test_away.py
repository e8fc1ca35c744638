"""Away and back (5005, 5006): from focus, fullscreen and what the X server shows."""

from __future__ import annotations

from policies.away import AWAY, BACK, COMING_UP_SECONDS, AwayChange, AwayTracker
from policies.page_dialogs import PAGE_DIALOG


def came_up() -> AwayTracker:
    """A kiosk whose window the window manager has shown, fullscreen and focused."""
    away = AwayTracker()
    assert away.exam_window(True, False, "the exam window is shown", 0.0) is None
    assert away.focus(True, "the kiosk window is active again", 0.0) is None
    return away


def monitoring(tab_switch: bool = True) -> AwayTracker:
    away = came_up()
    away.tab_switch = tab_switch
    assert away.start(0.0) is None
    return away


def test_nothing_is_reported_before_monitoring_starts() -> None:
    away = AwayTracker()
    away.tab_switch = True
    assert away.focus(False, "another window", 1.0) is None
    assert away.away


def test_away_at_start_is_reported_at_once_with_its_cause() -> None:
    away = came_up()
    away.tab_switch = True
    away.focus(False, "another window", 1.0)
    assert away.start(2.0) == AwayChange(AWAY, "another window when monitoring started")


def test_a_window_still_coming_up_when_monitoring_starts_is_no_absence() -> None:
    """A slow window manager maps the exam after the page started monitoring (seen in CI)."""
    away = AwayTracker()
    away.tab_switch = True
    assert (
        away.exam_window(False, False, "initial state: the exam window was unmapped", 0.0) is None
    )
    assert away.focus(False, "initial state", 0.0) is None
    assert away.start(0.5) is None
    assert away.tick(1.0) is None
    assert away.exam_window(True, False, "the exam window is shown again", 1.2) is None
    assert away.focus(True, "the kiosk window is active again", 1.3) is None
    assert away.tick(COMING_UP_SECONDS + 1) is None
    # From then on an absence is one.
    assert away.focus(False, "another window", 20.0) == AwayChange(AWAY, "another window")


def test_a_window_that_never_comes_up_is_away_once_the_launch_has_had_its_time() -> None:
    away = AwayTracker()
    away.tab_switch = True
    assert away.exam_window(False, False, "the exam window was unmapped", 0.0) is None
    assert away.start(1.0) is None
    assert away.tick(COMING_UP_SECONDS - 0.1) is None
    late = away.tick(COMING_UP_SECONDS)
    assert late == AwayChange(
        AWAY, "the exam window was unmapped (the exam window did not come up)"
    )
    assert away.tick(COMING_UP_SECONDS + 1) is None
    back = away.exam_window(True, False, "the exam window is shown again", COMING_UP_SECONDS + 2)
    assert back is not None and back.code == BACK and back.away_seconds == 2.0


def test_a_window_that_never_came_up_before_monitoring_is_away_when_it_starts() -> None:
    away = AwayTracker()
    away.tab_switch = True
    away.exam_window(False, False, "the exam window was unmapped", 0.0)
    assert away.tick(COMING_UP_SECONDS) is None  # not monitoring: nothing to report yet
    started = away.start(COMING_UP_SECONDS + 5)
    assert started == AwayChange(AWAY, "the exam window was unmapped when monitoring started")


def test_one_absence_is_one_5005_and_one_5006_with_its_length() -> None:
    away = monitoring()
    assert away.focus(False, "another window", 10.0) == AwayChange(AWAY, "another window")
    assert away.focus(False, "another window", 12.0) is None
    assert away.focus(True, "back", 17.5) == AwayChange(BACK, "back", away_seconds=7.5)
    assert away.focus(True, "back", 18.0) is None


def test_leaving_an_enforced_fullscreen_is_one_switch_away_with_focus_loss() -> None:
    away = monitoring()
    lost = away.fullscreen(False, True, "the kiosk window was minimised", 1.0)
    assert lost == AwayChange(AWAY, "the kiosk window was minimised")
    assert away.focus(False, "the kiosk window was minimised", 1.0) is None  # seen twice
    assert away.fullscreen(True, True, "the kiosk window is fullscreen", 2.0) is None
    back = away.focus(True, "the kiosk window is active again", 3.0)  # still away until now
    assert back == AwayChange(BACK, "the kiosk window is active again", away_seconds=2.0)


def test_fullscreen_left_is_away_only_when_enforced() -> None:
    away = monitoring()
    assert away.fullscreen(False, False, "the kiosk window left fullscreen", 1.0) is None
    assert away.fullscreen(False, True, "the kiosk window left fullscreen", 2.0) is not None
    assert away.fullscreen(True, True, "the kiosk window is fullscreen", 3.0) is not None


def test_focus_without_tab_switch_is_ignored_but_fullscreen_is_not() -> None:
    away = monitoring(tab_switch=False)
    assert away.focus(False, "another window was activated", 1.0) is None
    change = away.fullscreen(False, True, "the kiosk window left fullscreen", 2.0)
    assert change is not None and change.code == AWAY


def test_hidden_or_covered_by_another_program_is_away_whatever_tab_switch_says() -> None:
    away = monitoring(tab_switch=False)
    assert away.exam_window(False, False, "the exam window was unmapped", 1.0) is not None
    assert away.exam_window(True, False, "the exam window is shown again", 2.0) is not None
    covered = away.exam_window(True, True, "another program's window is drawn over it", 3.0)
    assert covered == AwayChange(AWAY, "another program's window is drawn over it")


def test_after_stop_nothing_more_is_reported() -> None:
    away = monitoring()
    away.stop()
    assert away.focus(False, "another window", 1.0) is None


def test_the_exam_pages_own_dialog_having_the_focus_is_no_switch_away() -> None:
    away = monitoring()
    assert away.focus(False, "a dialog over the exam has the focus", 1.0, PAGE_DIALOG) is None
    assert not away.away
    assert away.focus(True, "the kiosk window is active again", 2.0) is None
    # Another of the kiosk's dialogs (the quit password) is still away from the exam.
    lost = away.focus(False, "a dialog over the exam has the focus", 3.0, "QInputDialog")
    assert lost is not None and lost.code == AWAY


def test_leaving_the_pages_dialog_for_another_program_is_away_until_back_in_it() -> None:
    away = monitoring()
    away.focus(False, "dialog", 1.0, PAGE_DIALOG)
    assert away.focus(False, "another window was activated", 2.0) == AwayChange(
        AWAY, "another window was activated"
    )
    back = away.focus(False, "dialog", 5.0, PAGE_DIALOG)
    assert back == AwayChange(BACK, "dialog", away_seconds=3.0)
