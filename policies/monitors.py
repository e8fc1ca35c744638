"""One monitor: what extra displays mean at setup (4015) and during the exam (5007, 5008).

Decisions are made from snapshots of the displays (detectors/monitors.py makes them; described
here structurally, since policies do not import detectors):

- ``screens``: what Qt shows, which is what an exam or a second application can appear on. More
  than one is a 4015 at setup (refused under ``block``, noted under ``warn``) and a 5007 when one
  is added during the exam.
- ``os_heads``: the operating system's own list, a cross-check. A display the OS reports but Qt
  does not show may be a projector or a clone of the exam screen, so it is only *suspected*
  (5008, not a violation). The converse, Qt showing more screens than the OS lists, is not
  suspicious: on X11 Qt follows RandR monitors, which can split one output into several screens,
  and every one of them is already a screen the policy sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

MonitorPolicy = Literal["block", "warn", "off"]

#: Sizes a screen falls back to when the OS mirrors it to a projector (modes every projector
#: takes). Only a *change* to one of them is evidence: a screen may simply be 1280x720. WXGA
#: (1280x800) is left out: it is as common a laptop panel as a projector mode.
PROJECTOR_MODES = frozenset({(800, 600), (1024, 768), (1280, 720)})

SETUP_CODE = 4015  # more than one screen when the exam starts
ADDED_CODE = 5007  # a screen was added during the exam
SUSPECTED_CODE = 5008  # a display the OS reports but Qt does not show (not a violation)


class HeadLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def x(self) -> int: ...
    @property
    def y(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def primary(self) -> bool: ...


H = TypeVar("H", bound=HeadLike)
H_co = TypeVar("H_co", bound=HeadLike, covariant=True)


class SnapshotLike(Protocol[H_co]):
    @property
    def screens(self) -> Sequence[H_co]: ...
    @property
    def os_heads(self) -> Sequence[H_co] | None: ...
    @property
    def cause(self) -> str: ...


def geometry(head: HeadLike) -> str:
    return f"{head.width}x{head.height}+{head.x}+{head.y}"


def describe(heads: Sequence[HeadLike]) -> list[dict[str, Any]]:
    return [{"name": h.name, "geometry": geometry(h), "primary": h.primary} for h in heads]


def extra_heads(snapshot: SnapshotLike[H]) -> tuple[H, ...]:
    """Qt's screens other than the exam's: the primary (the first screen if none is marked)."""
    screens = tuple(snapshot.screens)
    exam = next((s for s in screens if s.primary), screens[0] if screens else None)
    return tuple(s for s in screens if s is not exam)


@dataclass(frozen=True)
class SetupDecision:
    proceed: bool
    code: int | None  # 4015 or None
    detail: dict[str, Any] = field(default_factory=dict)


def decide_setup(snapshot: SnapshotLike[HeadLike], policy: MonitorPolicy) -> SetupDecision:
    detail: dict[str, Any] = {
        "policy": policy,
        "screens": describe(snapshot.screens),
        "extra": [h.name for h in extra_heads(snapshot)],
    }
    reason = suspected(snapshot)
    if reason is not None:
        detail["suspected"] = reason
    if policy == "off" or len(snapshot.screens) <= 1:
        return SetupDecision(proceed=True, code=None, detail=detail)
    return SetupDecision(proceed=policy == "warn", code=SETUP_CODE, detail=detail)


@dataclass(frozen=True)
class MonitorFinding:
    code: int  # 5007 or 5008
    detail: dict[str, Any] = field(default_factory=dict)


def effective_policy(configured: MonitorPolicy, page_detects: bool | None) -> MonitorPolicy:
    """``block`` is a managed requirement the page cannot relax; ``warn`` follows the page's
    detectMultipleScreens (None before setup), as AutoProctor does."""
    if configured == "warn" and page_detects is False:
        return "off"
    return configured


def decide_start(snapshot: SnapshotLike[HeadLike], policy: MonitorPolicy) -> list[MonitorFinding]:
    """Monitoring starts: a monitor still there (``warn``) is 5007, a suspected one 5008."""
    if policy == "off":
        return []
    findings: list[MonitorFinding] = []
    extra = extra_heads(snapshot)
    if extra:
        detail = {
            "added": [h.name for h in extra],
            "screens": describe(snapshot.screens),
            "cause": "more than one monitor when monitoring started",
        }
        findings.append(MonitorFinding(ADDED_CODE, detail))
    reason = suspected(snapshot)
    if reason is not None:
        detail = {"reason": reason, "suspected": True, "cause": "monitoring started"}
        findings.append(MonitorFinding(SUSPECTED_CODE, detail))
    return findings


def decide_change(
    before: SnapshotLike[HeadLike], after: SnapshotLike[HeadLike]
) -> list[MonitorFinding]:
    findings: list[MonitorFinding] = []
    if len(after.screens) > len(before.screens) and len(after.screens) > 1:
        known = {h.name for h in before.screens}
        added = [h for h in after.screens if h.name not in known]
        if not added:  # same names (unusual): whatever was not there before
            added = [h for h in after.screens if h not in before.screens]
        findings.append(
            MonitorFinding(
                ADDED_CODE,
                {
                    "added": [h.name for h in added],
                    "screens": describe(after.screens),
                    "cause": after.cause,
                },
            )
        )
    new = [r for r in _reasons(after, before) if r not in _reasons(before, None)]
    if new:
        findings.append(
            MonitorFinding(
                SUSPECTED_CODE,
                {
                    "reason": "; ".join(new),
                    "suspected": True,
                    "screens": describe(after.screens),
                    "osHeads": None if after.os_heads is None else describe(after.os_heads),
                    "cause": after.cause,
                },
            )
        )
    return findings


def suspected(
    snapshot: SnapshotLike[HeadLike], before: SnapshotLike[HeadLike] | None = None
) -> str | None:
    """Why a display Qt does not show as a screen may be attached, or None.

    ``before`` (the previous snapshot) enables the projector-mode rule, which needs a change.
    """
    reasons = _reasons(snapshot, before)
    return "; ".join(reasons) if reasons else None


def _reasons(snapshot: SnapshotLike[HeadLike], before: SnapshotLike[HeadLike] | None) -> list[str]:
    reasons: list[str] = []
    heads = snapshot.os_heads
    if heads is not None:
        seen: dict[tuple[int, int], HeadLike] = {}
        for h in heads:
            twin = seen.setdefault((h.x, h.y), h)
            if twin is not h:
                reasons.append(
                    f"two displays start at {h.x},{h.y} ({twin.name} and {h.name}): "
                    "a mirrored pair shows the exam on both"
                )
        if len(heads) > len(snapshot.screens):
            reasons.append(
                f"the operating system reports {len(heads)} displays "
                f"but Qt shows {len(snapshot.screens)} screen(s)"
            )
    if before is not None:
        sizes = {h.name: (h.width, h.height) for h in before.screens}
        for h in snapshot.screens:
            old = sizes.get(h.name)
            now = (h.width, h.height)
            if old is not None and old != now and now in PROJECTOR_MODES:
                reasons.append(
                    f"{h.name} changed from {old[0]}x{old[1]} to {now[0]}x{now[1]}, "
                    "a typical projector mode (mirroring to a projector often forces one)"
                )
    return reasons
