"""When what the camera and the microphone observe becomes a violation (5001, 5002, 5004).

Detectors report every frame or audio block; a violation is a condition that *lasts*. An
episode starts when the condition has held for ``after`` seconds without a break longer than
``grace`` (one missed frame is not a new episode), and ends once it has been absent for ``grace``.
``ProctorWatch`` holds the three conditions of on-device proctoring and says, for each
observation and each tick of the clock, which episodes start (an event for the page, with an
evidence photo for the camera's) and which end (for the trust score only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Change = Literal["start", "end"] | None


@dataclass
class SustainedCondition:
    after: float  # seconds the condition must hold before it counts
    grace: float = 1.0  # seconds of absence that end an episode (and of flicker tolerated)
    _since: float | None = field(default=None, init=False)  # when the condition began
    _last_seen: float | None = field(default=None, init=False)
    _active: bool = field(default=False, init=False)  # an episode is running

    @property
    def active(self) -> bool:
        return self._active

    def update(self, present: bool, t: float) -> Change:
        if not present:
            return self.tick(t)
        if self._last_seen is None or t - self._last_seen > self.grace:
            if self._active:  # the episode ended unseen (no tick in between): close it first
                self._active = False
                self._last_seen = None
                return "end"
            self._since = t  # a new run of the condition begins
        self._last_seen = t
        if not self._active and self._since is not None and t - self._since >= self.after:
            self._active = True
            return "start"
        return None

    def tick(self, t: float) -> Change:
        """Time passing without the condition being seen."""
        if self._last_seen is None or t - self._last_seen <= self.grace:
            return None
        self._since = None
        self._last_seen = None
        if self._active:
            self._active = False
            return "end"
        return None


NO_ONE_LOOKING = 5001
MORE_THAN_ONE_PERSON = 5002
AUDIO_ABOVE_BACKGROUND = 5004

#: Flicker tolerated in the microphone's loudness: half a second, not a frame's second.
AUDIO_GRACE_S = 0.5


@dataclass(frozen=True)
class Finding:
    """An episode of ``code`` starts (an event, ``photo`` when it carries an evidence photo)
    or, with ``ended``, is over (no event: the record notes it for the score)."""

    code: int
    detail: dict[str, Any] = field(default_factory=dict)
    photo: bool = False
    ended: bool = False


class ProctorWatch:
    """The conditions watched while monitoring, for the tracking options the page turned on."""

    def __init__(
        self,
        *,
        faces: bool,
        audio: bool,
        no_face_after: float,
        multiple_faces_after: float,
        audio_after: float,
    ) -> None:
        self._faces = faces
        self._audio = audio
        self._no_face = SustainedCondition(no_face_after)
        self._many_faces = SustainedCondition(multiple_faces_after)
        self._loud = SustainedCondition(audio_after, grace=AUDIO_GRACE_S)

    def faces(self, count: int, looking: int, t: float) -> list[Finding]:
        """A frame analysed: ``count`` faces, ``looking`` of them at the screen."""
        if not self._faces:
            return []
        out = []
        change = self._no_face.update(looking == 0, t)
        if change == "start":
            seen = "no face" if count == 0 else "no face looking at the screen"
            out.append(Finding(NO_ONE_LOOKING, {"faces": count, "seen": seen}, photo=True))
        elif change == "end":
            out.append(Finding(NO_ONE_LOOKING, ended=True))
        change = self._many_faces.update(count >= 2, t)
        if change == "start":
            out.append(Finding(MORE_THAN_ONE_PERSON, {"faces": count}, photo=True))
        elif change == "end":
            out.append(Finding(MORE_THAN_ONE_PERSON, ended=True))
        return out

    def audio(self, loud: bool, level_db: float, background_db: float, t: float) -> list[Finding]:
        """A block of sound measured against the room's background."""
        if not self._audio:
            return []
        change = self._loud.update(loud, t)
        if change == "start":
            level = {"levelDb": round(level_db, 1), "backgroundDb": round(background_db, 1)}
            return [Finding(AUDIO_ABOVE_BACKGROUND, level)]
        if change == "end":
            return [Finding(AUDIO_ABOVE_BACKGROUND, ended=True)]
        return []

    def tick(self, t: float) -> list[Finding]:
        """Time passing: conditions no longer observed end their episodes."""
        conditions = (
            (NO_ONE_LOOKING, self._no_face),
            (MORE_THAN_ONE_PERSON, self._many_faces),
            (AUDIO_ABOVE_BACKGROUND, self._loud),
        )
        return [Finding(code, ended=True) for code, c in conditions if c.tick(t) == "end"]
