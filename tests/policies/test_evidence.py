"""Debouncing observations into violation episodes, and spreading random photos."""

from __future__ import annotations

import random

import pytest

from policies.evidence import Finding, ProctorWatch, SustainedCondition
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


# -- the watch of on-device proctoring ------------------------------------------------------------


def watch(faces: bool = True, audio: bool = True) -> ProctorWatch:
    return ProctorWatch(
        faces=faces, audio=audio, no_face_after=3.0, multiple_faces_after=2.0, audio_after=1.0
    )


def looking_frames(
    w: ProctorWatch, count: int, looking: int, start: float, end: float
) -> list[Finding]:
    out, t = [], start
    while t < end:
        out += w.faces(count, looking, t)
        t += 0.25
    return out


def test_no_one_looking_for_three_seconds_is_one_5001_with_a_photo() -> None:
    w = watch()
    found = looking_frames(w, 1, 0, 0.0, 10.0)
    assert found == [Finding(5001, {"faces": 1, "seen": "no face looking at the screen"}, True)]
    assert looking_frames(w, 0, 0, 10.0, 12.0) == []  # still the same episode
    assert looking_frames(w, 1, 1, 12.0, 15.0) == [Finding(5001, ended=True)]


def test_two_people_for_two_seconds_is_5002_and_its_end_is_noted() -> None:
    w = watch()
    found = looking_frames(w, 2, 2, 0.0, 3.0)
    assert found == [Finding(5002, {"faces": 2}, photo=True)]
    assert w.tick(10.0) == [Finding(5002, ended=True)]  # no frame since: over


def test_loud_for_a_second_is_5004_with_the_levels_and_no_photo() -> None:
    w = watch()
    found = [f for i in range(15) for f in w.audio(True, -20.04, -50.06, i * 0.1)]
    assert found == [Finding(5004, {"levelDb": -20.0, "backgroundDb": -50.1})]
    assert w.audio(False, -50.0, -50.0, 2.5) == [Finding(5004, ended=True)]


def test_what_the_page_did_not_ask_for_is_not_watched() -> None:
    w = watch(faces=False, audio=False)
    assert looking_frames(w, 0, 0, 0.0, 10.0) == []
    assert [f for i in range(30) for f in w.audio(True, -20.0, -50.0, i * 0.1)] == []
    assert w.tick(100.0) == []
