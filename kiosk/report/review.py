"""What a reviewer needs of one session, read from its record: ``kiosk report show``.

Everything comes from the session folder alone (the record and its evidence photos), so a
session can be reviewed on the computer it ran on, or wherever its folder was copied, with no
network and no LRS. The page itself is drawn by kiosk/report/review_page.py.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.platform.errors import UsageError
from kiosk.report.outbox import Outbox, Standing
from kiosk.report.photos import photos_in, read_photo
from kiosk.session.record import ENDED_ABNORMALLY, RECORD_NAME, SessionRecord
from kiosk.session.scoring import score_monitoring

#: A photo is put in the page only up to this size: the evidence store writes ~100 KB JPEGs.
MAX_PHOTO_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Photo:
    id: str
    kind: str
    data_uri: str | None  # None: not on this computer any more (or not readable)
    sha256: str | None
    missing: str = ""


@dataclass(frozen=True)
class Row:
    """One line of the timeline: an event or a decision."""

    seq: int
    t: float
    what: str  # "event" or "decision"
    name: str  # the event's name, or the decision's policy
    code: int | None
    text: str  # the event's message or cause, or what the policy decided
    detail: dict[str, Any]
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class Episode:
    code: int
    started: float
    ended: float


@dataclass
class Review:
    session: str
    meta: dict[str, Any]
    standing: Standing
    rows: list[Row] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    penalties: dict[str, float] = field(default_factory=dict)  # code (or flat name): points
    trust_score: int | None = None
    start: float = 0.0
    end: float = 0.0

    @property
    def state(self) -> str:
        if self.standing.ended_abnormally:
            return ENDED_ABNORMALLY
        return "closed" if self.standing.closed else "open (still running, or its kiosk died)"


def read(data_dir: Path, session: str) -> Review:
    folder = data_dir / "sessions" / session
    if not (folder / RECORD_NAME).is_file():
        raise UsageError(f"no session {session} in {data_dir / 'sessions'}")
    with Outbox(folder) as box:
        standing = box.standing()
    record = SessionRecord(folder)
    try:
        meta = record.meta()
        events, decisions = record.events(), record.decisions()
        review = Review(session, meta, standing)
        for e in events:
            text = e.detail.get("message") or e.detail.get("cause") or ""
            photos = tuple(_photo(photo, folder) for _, photo in photos_in(e.detail))
            review.rows.append(
                Row(e.seq, e.t, "event", e.name, e.code, str(text), e.detail, photos)
            )
        for n, (t, policy, decision, detail) in enumerate(decisions, 1):
            review.rows.append(Row(n, t, "decision", policy, None, decision, detail))
        review.rows.sort(key=lambda r: (r.t, r.what, r.seq))
        times = [r.t for r in review.rows]
        review.start = float(meta.get("launched_at") or (min(times) if times else 0.0))
        review.end = float(meta.get("closed_at") or (max(times) if times else review.start))
        review.end = max(review.end, review.start)
        _score(review, record, events)
    finally:
        record.shut()
    return review


def _score(review: Review, record: SessionRecord, events: list[Any]) -> None:
    """The episodes since monitoring started, and the score the page was told at the end (a
    session that never ended normally was never scored)."""
    started = next((e.seq for e in events if e.name == "apMonitoringStarted"), None)
    if started is None:
        return
    found, _ = score_monitoring(record, started, review.end, {})
    review.episodes = [Episode(ep.code, ep.started, ep.ended) for ep in found]
    stopped = next((e for e in reversed(events) if e.name == "apMonitoringStopped"), None)
    if stopped is not None:
        review.trust_score = stopped.detail.get("trustScore")
        review.penalties = {
            str(k): float(v) for k, v in stopped.detail.get("penalties", {}).items()
        }


def _photo(found: dict[str, Any], folder: Path) -> Photo:
    photo_id, kind = str(found.get("id", "")), str(found.get("kind", ""))
    data, missing = read_photo(Path(found["path"]), folder)
    if data is None:
        return Photo(photo_id, kind, None, None, missing)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_PHOTO_BYTES:
        return Photo(photo_id, kind, None, digest, "too large to put in the page")
    return Photo(
        photo_id, kind, "data:image/jpeg;base64," + base64.b64encode(data).decode(), digest
    )
