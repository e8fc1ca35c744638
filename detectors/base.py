"""What every detector publishes: a frozen observation stamped with when it was made."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Observation:
    t: float  # unix seconds
