"""The trust score: 100 minus a penalty per kind of violation, floored at 0.

For each violation code, ``penalty = min(max_penalty, per_event * episodes + per_minute *
minutes)``, where an episode runs from the violation to the event that ends it (5005 is ended by
5006, 4008 by 2003), or for the conditions the kiosk watches (5001, 5002, 5004) to the moment
the record notes the condition over, or else to the end of monitoring; other codes (5007) last
zero minutes. The weights are configurable per code under ``[trust_score.weights."<code>"]``
(kiosk/config/settings.py); see docs/trust-score.md. Which codes are violations, which events
end which episodes and which conditions are watched is the catalogue's, handed in as
``EpisodeRules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class ViolationWeight(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    per_event: float = Field(ge=0, description="Points lost for each episode.")
    per_minute: float = Field(0.0, ge=0, description="Points lost per minute an episode lasts.")
    max_penalty: float = Field(100.0, ge=0, le=100, description="Cap on this code's penalty.")


DEFAULT_WEIGHTS: dict[int, ViolationWeight] = {
    5001: ViolationWeight(per_event=4, per_minute=2, max_penalty=40),
    5002: ViolationWeight(per_event=10, per_minute=5, max_penalty=50),
    5004: ViolationWeight(per_event=3, per_minute=1, max_penalty=30),
    5005: ViolationWeight(per_event=5, per_minute=3, max_penalty=50),
    5007: ViolationWeight(per_event=15, per_minute=0, max_penalty=30),
    # A camera or microphone lost during the exam.
    4007: ViolationWeight(per_event=5, per_minute=0, max_penalty=20),
    4008: ViolationWeight(per_event=5, per_minute=0, max_penalty=20),
    # The kiosk's own: the exam interrupted (frozen, suspended), the clock set.
    5101: ViolationWeight(per_event=10, per_minute=0, max_penalty=40),
    5102: ViolationWeight(per_event=10, per_minute=0, max_penalty=30),
    5103: ViolationWeight(per_event=20, per_minute=0, max_penalty=20),
    5104: ViolationWeight(per_event=30, per_minute=0, max_penalty=30),
    5105: ViolationWeight(per_event=10, per_minute=0, max_penalty=30),
    5106: ViolationWeight(per_event=10, per_minute=0, max_penalty=30),
}


@dataclass(frozen=True)
class Episode:
    code: int
    started: float  # unix seconds
    ended: float

    @property
    def seconds(self) -> float:
        return max(0.0, self.ended - self.started)


@dataclass(frozen=True)
class EpisodeRules:
    """What the catalogue says of the codes: which are violations, which event ends which
    violation's episode (closer -> violation: 5006 -> 5005), which are watched conditions."""

    violations: frozenset[int]
    closers: Mapping[int, int]
    sustained: frozenset[int]


def episodes(
    events: Iterable[tuple[float, int | None]],
    end: float,
    ended: Iterable[tuple[float, int]] = (),
    *,
    rules: EpisodeRules,
) -> list[Episode]:
    """Violation episodes from ``(time, code)`` pairs in record order, and ``ended``: the times
    sustained violations (5001, 5002, 5004) were over. Open episodes end at ``end``."""
    violations = rules.violations
    closers = rules.closers
    ending = frozenset(closers.values())
    # Events first at equal times: an episode noted over at its own start time still counts.
    timeline = sorted(
        [(t, 0, code) for t, code in events if code is not None]
        + [(t, 1, code) for t, code in ended],
        key=lambda item: (item[0], item[1]),
    )
    open_: dict[int, float] = {}
    out: list[Episode] = []
    for t, kind, code in timeline:
        if kind == 1:
            if code in rules.sustained and code in open_:
                out.append(Episode(code, open_.pop(code), t))
            continue
        if code in violations:
            if code in ending or code in rules.sustained:
                open_.setdefault(code, t)  # an episode already open just goes on
            else:
                out.append(Episode(code, t, t))
        elif code in closers and closers[code] in open_:
            out.append(Episode(closers[code], open_.pop(closers[code]), t))
    out.extend(Episode(code, started, end) for code, started in open_.items())
    return sorted(out, key=lambda e: e.started)


@dataclass(frozen=True)
class TrustScore:
    score: int
    penalties: dict[int | str, float]  # by violation code, or by name for a flat penalty


def score(
    found: Iterable[Episode],
    weights: Mapping[int, ViolationWeight],
    flat: Mapping[str, float] | None = None,
) -> TrustScore:
    """``flat``: penalties for the whole session, by name (an unsafe engine setting in use)."""
    counts: dict[int, int] = {}
    minutes: dict[int, float] = {}
    for ep in found:
        counts[ep.code] = counts.get(ep.code, 0) + 1
        minutes[ep.code] = minutes.get(ep.code, 0.0) + ep.seconds / 60
    penalties: dict[int | str, float] = {name: v for name, v in (flat or {}).items() if v}
    for code, n in counts.items():
        w = weights.get(code)
        if w is None:
            continue
        penalties[code] = round(
            min(w.max_penalty, w.per_event * n + w.per_minute * minutes[code]), 3
        )
    total = 100 - sum(penalties.values())
    return TrustScore(score=max(0, min(100, round(total))), penalties=penalties)
