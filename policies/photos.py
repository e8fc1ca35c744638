"""When the random evidence photos are taken: spread over the test, unpredictable to the student.

The test time is cut into ``count`` equal slots and one moment is drawn in each, so the photos
cover the whole test (no clustering) while no single moment can be predicted.
"""

from __future__ import annotations

import random


def schedule(count: int, duration_s: float, rng: random.Random | None = None) -> list[float]:
    """Offsets in seconds from the start of monitoring, sorted."""
    if count <= 0 or duration_s <= 0:
        return []
    rng = rng or random.SystemRandom()
    slot = duration_s / count
    return [i * slot + rng.uniform(0.05 * slot, 0.95 * slot) for i in range(count)]
