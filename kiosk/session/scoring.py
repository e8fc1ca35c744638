"""The end of monitoring: the record's violations as episodes, and the trust score.

The catalogue says which codes are violations and what ends their episodes; policies/trust.py
turns the record's events into episodes and a score; this module reads the record and writes
what the page receives with apMonitoringStopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bridge.catalogue import CATALOGUE, by_code, violation_codes
from kiosk.session.record import SessionRecord
from policies.trust import Episode, EpisodeRules, TrustScore, ViolationWeight, episodes, score

#: The record's note that a sustained violation (5001, 5002, 5004) is over.
EPISODE_ENDED = "episode ended"

RULES = EpisodeRules(
    violations=violation_codes(),
    closers={s.code: s.ends for s in CATALOGUE if s.ends is not None and s.code is not None},
    sustained=frozenset(s.code for s in CATALOGUE if s.sustained and s.code is not None),
)


def episode_detail(episode: Episode) -> dict[str, Any]:
    """One violation as the page receives it in apMonitoringStopped's ``violations``."""
    return {
        "evidenceCode": episode.code,
        "message": by_code(episode.code)[0].message,
        "startedAt": round(episode.started * 1000),
        "endedAt": round(episode.ended * 1000),
        "seconds": round(episode.seconds, 3),
    }


def score_monitoring(
    record: SessionRecord,
    started_seq: int,
    end: float,
    weights: Mapping[int, ViolationWeight],
    flat: Mapping[str, float] | None = None,
) -> tuple[list[Episode], TrustScore]:
    """The episodes since monitoring started (event ``started_seq``), and their score."""
    since_start = [(e.t, e.code) for e in record.events() if e.seq >= started_seq]
    started = since_start[0][0] if since_start else end
    ended = [
        (when, int(detail["code"]))
        for when, policy, decision, detail in record.decisions()
        if policy == "evidence" and decision == EPISODE_ENDED and when >= started
    ]
    found = episodes(since_start, end=end, ended=ended, rules=RULES)
    return found, score(found, weights, flat)
