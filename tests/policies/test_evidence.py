"""Debouncing observations into violation episodes, and spreading random photos."""

from __future__ import annotations

import random

import pytest

from policies.evidence import SustainedCondition
from policies.photos import schedule


def run(
    condition: SustainedCondition, timeline: list[tuple[float, bool]]
) -> list[tuple[float, str]]:
    out = []
    for t, present in timeline:
        change = condition.update(present, t)
        if change:
            out.append((t, change))
    return out


def frames(start: float, end: float, present: bool, step: float = 0.25) -> list[tuple[float, bool]]:
    n = round((end - start) / step)
    return [(round(start + i * step, 3), present) for i in range(n)]


def test_a_condition_counts_only_once_it_has_lasted() -> None:
    c = SustainedCondition(after=3.0, grace=1.0)
    changes = run(c, frames(0, 2.5, True) + frames(2.5, 5, False) + frames(5, 10, True))
    assert changes == [(8.0, "start")]


def test_one_episode_per_stretch_however_many_frames() -> None:
    c = SustainedCondition(after=1.0, grace=1.0)
    changes = run(c, frames(0, 20, True))
    assert changes == [(1.0, "start")]


def test_a_short_flicker_does_not_split_an_episode_but_a_real_break_does() -> None:
    c = SustainedCondition(after=1.0, grace=1.0)
    timeline = frames(0, 5, True) + frames(5, 5.5, False) + frames(5.5, 8, True)
    timeline += frames(8, 10, False) + frames(10, 12, True)
    assert run(c, timeline) == [(1.0, "start"), (9.0, "end"), (11.0, "start")]


def test_tick_ends_an_episode_when_observations_stop_arriving() -> None:
    c = SustainedCondition(after=0.0, grace=1.0)
    assert c.update(True, 0.0) == "start"
    assert c.tick(0.5) is None
    assert c.tick(1.5) == "end"
    assert c.tick(2.0) is None


@pytest.mark.parametrize(("count", "minutes"), [(1, 10), (3, 60), (10, 45)])
def test_random_photos_are_spread_one_per_slot(count: int, minutes: float) -> None:
    duration = minutes * 60
    times = schedule(count, duration, random.Random(7))
    assert len(times) == count
    assert times == sorted(times)
    slot = duration / count
    for i, t in enumerate(times):
        assert i * slot < t < (i + 1) * slot


def test_random_photos_differ_between_sessions() -> None:
    assert schedule(5, 3600) != schedule(5, 3600)


def test_no_photos_without_count_or_time() -> None:
    assert schedule(0, 3600) == []
    assert schedule(3, 0) == []
