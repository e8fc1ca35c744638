"""Violation episodes and the trust score."""

from __future__ import annotations

from kiosk.config.settings import TrustScoreConfig
from kiosk.session.scoring import RULES, episode_detail
from policies.trust import DEFAULT_WEIGHTS, Episode, ViolationWeight, score
from policies.trust import episodes as episodes_of


def episodes(
    events: list[tuple[float, int | None]],
    end: float,
    ended: list[tuple[float, int]] | None = None,
) -> list[Episode]:
    """Episodes under the catalogue's rules (5006 ends 5005, 2003 ends 4008, 5001/5002/5004
    are watched conditions)."""
    return episodes_of(events, end, ended or [], rules=RULES)


def test_the_rules_are_the_catalogues() -> None:
    assert dict(RULES.closers) == {5006: 5005, 2003: 4008}
    assert RULES.sustained == {5001, 5002, 5004}
    assert RULES.violations == {
        4007,
        4008,
        5001,
        5002,
        5004,
        5005,
        5007,
        5101,
        5102,
        5103,
        5104,
        5105,
        5106,
    }


# -- episodes -------------------------------------------------------------------------------------


def test_focus_lost_is_paired_with_the_following_regain() -> None:
    found = episodes([(10.0, 5005), (70.0, 5006)], end=100.0)
    assert found == [Episode(5005, 10.0, 70.0)]
    assert found[0].seconds == 60.0


def test_an_open_episode_ends_at_end() -> None:
    assert episodes([(10.0, 5005)], end=100.0) == [Episode(5005, 10.0, 100.0)]


def test_repeated_loss_while_open_does_not_start_a_second_episode() -> None:
    found = episodes([(10.0, 5005), (20.0, 5005), (30.0, 5006)], end=100.0)
    assert found == [Episode(5005, 10.0, 30.0)]


def test_a_new_loss_after_a_regain_is_a_second_episode() -> None:
    found = episodes([(10.0, 5005), (20.0, 5006), (50.0, 5005), (65.0, 5006)], end=100.0)
    assert found == [Episode(5005, 10.0, 20.0), Episode(5005, 50.0, 65.0)]


def test_watched_conditions_last_until_the_record_notes_them_over() -> None:
    events = [(10.0, 5001), (15.0, 5002), (20.0, 5004), (30.0, 5001), (40.0, 5007)]
    ended = [(12.5, 5001), (25.0, 5004), (33.0, 5001)]
    found = episodes(events, end=100.0, ended=ended)
    assert found == [
        Episode(5001, 10.0, 12.5),
        Episode(5002, 15.0, 100.0),  # never noted over: it lasted until monitoring stopped
        Episode(5004, 20.0, 25.0),
        Episode(5001, 30.0, 33.0),
        Episode(5007, 40.0, 40.0),  # no closer, not a watched condition: zero length
    ]


def test_an_end_noted_without_an_open_episode_is_ignored() -> None:
    assert episodes([(10.0, 5002)], end=50.0, ended=[(5.0, 5002), (8.0, 5001)]) == [
        Episode(5002, 10.0, 50.0)
    ]


def test_non_violations_and_stray_closers_are_ignored() -> None:
    events: list[tuple[float, int | None]] = [
        (1.0, None),  # a regular event
        (2.0, 2001),
        (3.0, 5003),  # random photo: evidence, not a violation
        (4.0, 5008),  # suspected monitor: not a violation
        (5.0, 5006),  # regain with nothing open
        (6.0, 4001),
    ]
    assert episodes(events, end=100.0) == []


def test_episodes_are_sorted_by_start() -> None:
    found = episodes([(10.0, 5005), (20.0, 5007), (30.0, 5006)], end=100.0)
    assert found == [Episode(5005, 10.0, 30.0), Episode(5007, 20.0, 20.0)]


def test_an_episode_as_the_page_receives_it() -> None:
    assert episode_detail(Episode(5005, 10.0, 12.5)) == {
        "evidenceCode": 5005,
        "message": "Document page hidden or focus lost",
        "startedAt": 10_000,
        "endedAt": 12_500,
        "seconds": 2.5,
    }


def test_episode_seconds_never_negative() -> None:
    assert Episode(5005, 10.0, 5.0).seconds == 0.0


# -- score ----------------------------------------------------------------------------------------


def test_no_violation_scores_100() -> None:
    result = score([], DEFAULT_WEIGHTS)
    assert result.score == 100
    assert result.penalties == {}


def test_default_weights_per_event_and_per_minute() -> None:
    # 5005 defaults: 5 per episode, 3 per minute, cap 50.
    found = [Episode(5005, 0.0, 60.0), Episode(5005, 100.0, 220.0)]
    result = score(found, DEFAULT_WEIGHTS)
    assert result.penalties == {5005: 5 * 2 + 3 * 3}
    assert result.score == 100 - 19


def test_penalties_add_up_across_codes() -> None:
    # 5001: 4 per episode; 5007: 15 per episode; both zero-length.
    found = [Episode(5001, 1.0, 1.0), Episode(5001, 2.0, 2.0), Episode(5007, 3.0, 3.0)]
    result = score(found, DEFAULT_WEIGHTS)
    assert result.penalties == {5001: 8, 5007: 15}
    assert result.score == 77


def test_fractional_minutes() -> None:
    result = score([Episode(5005, 0.0, 10.0)], DEFAULT_WEIGHTS)
    assert result.penalties == {5005: 5.5}  # 5 + 3 * (10 / 60)


def test_max_penalty_caps_one_code() -> None:
    found = [Episode(5005, float(i), float(i)) for i in range(20)]  # 20 * 5 = 100 > cap 50
    result = score(found, DEFAULT_WEIGHTS)
    assert result.penalties == {5005: 50}
    assert result.score == 50


def test_score_is_floored_at_zero() -> None:
    found = [Episode(code, float(i), float(i) + 3600) for i, code in enumerate((5001, 5002, 5005))]
    result = score(found, DEFAULT_WEIGHTS)
    assert result.penalties == {5001: 40, 5002: 50, 5005: 50}
    assert result.score == 0


def test_custom_weights() -> None:
    config = TrustScoreConfig(
        weights={5005: ViolationWeight(per_event=1, per_minute=10, max_penalty=100)}
    )
    result = score([Episode(5005, 0.0, 90.0)], config.weights)
    assert result.penalties == {5005: 16}  # 1 + 10 * 1.5
    assert result.score == 84


def test_custom_cap() -> None:
    config = TrustScoreConfig(weights={5001: ViolationWeight(per_event=10, max_penalty=15)})
    found = [Episode(5001, 0.0, 0.0), Episode(5001, 1.0, 1.0)]
    assert score(found, config.weights).penalties == {5001: 15}


def test_a_flat_penalty_counts_once_for_the_session_beside_the_violations() -> None:
    found = [Episode(5005, 0.0, 60.0)]
    plain = score(found, DEFAULT_WEIGHTS)
    flagged = score(found, DEFAULT_WEIGHTS, {"unsafeEngine": 50.0})
    assert flagged.penalties == {**plain.penalties, "unsafeEngine": 50.0}
    assert flagged.score == max(0, plain.score - 50)
    assert score([], DEFAULT_WEIGHTS, {"unsafeEngine": 0.0}).penalties == {}  # a zero is none
