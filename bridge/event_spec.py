"""What an event the page can receive is: its kind, name, code, message and meaning.

bridge/catalogue.py holds AutoProctor's events (the seed's) and bridge/kiosk_events.py the
kiosk's own; both are built with the constructors here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    REGULAR = "regular"
    SUCCESS = "success"
    ERROR = "error"
    EVIDENCE = "evidence"


#: DOM event name and the ``detail`` key that carries the code, per kind of custom event.
CUSTOM_EVENT = {
    Kind.SUCCESS: ("apSuccessEvent", "successCode"),
    Kind.ERROR: ("apErrorEvent", "errorCode"),
    Kind.EVIDENCE: ("apEvidenceEvent", "evidenceCode"),
}


@dataclass(frozen=True)
class EventSpec:
    kind: Kind
    name: str  # the DOM event name dispatched on window
    code: int | None
    reason: str | None  # tells apart the two cases the seed lists under one code
    message: str
    fires_when: str
    seed_text: str
    violation: bool = False
    ends: int | None = None  # the violation code whose episode this event closes
    sustained: bool = False  # a watched condition: the record notes when its episode is over
    aliases: tuple[str, ...] = ()
    #: A kiosk extension: not in AutoProctor's table. A regular one is recorded but never
    #: dispatched to a page; a custom one (a code of the kiosk's own ranges, 41xx setup errors,
    #: 51xx evidence) reaches the page like any, and a page that knows nothing of it ignores it.
    extension: bool = False

    @property
    def key(self) -> str:
        if self.code is None:
            return self.name
        return f"{self.code}" if self.reason is None else f"{self.code}:{self.reason}"

    def detail(self, timestamp_ms: int, **extra: Any) -> dict[str, Any]:
        """The ``detail`` object of this event as the page receives it."""
        out: dict[str, Any] = {}
        if self.kind is not Kind.REGULAR:
            out[CUSTOM_EVENT[self.kind][1]] = self.code
            out["message"] = self.message
            if self.reason is not None:
                out["reason"] = self.reason
        out["timestamp"] = timestamp_ms
        out.update(extra)
        return out


def regular(name: str, fires_when: str, seed: str, aliases: tuple[str, ...] = ()) -> EventSpec:
    return EventSpec(Kind.REGULAR, name, None, None, name, fires_when, seed, aliases=aliases)


def custom(
    kind: Kind,
    code: int,
    message: str,
    fires_when: str,
    seed: str,
    *,
    reason: str | None = None,
    violation: bool = False,
    ends: int | None = None,
    sustained: bool = False,
) -> EventSpec:
    return EventSpec(
        kind,
        CUSTOM_EVENT[kind][0],
        code,
        reason,
        message,
        fires_when,
        seed,
        violation=violation,
        ends=ends,
        sustained=sustained,
    )


def extension(name: str, fires_when: str) -> EventSpec:
    return EventSpec(Kind.REGULAR, name, None, None, name, fires_when, "", extension=True)


def kiosk_code(
    kind: Kind, code: int, message: str, fires_when: str, *, violation: bool = False
) -> EventSpec:
    name = CUSTOM_EVENT[kind][0]
    return EventSpec(kind, name, code, None, message, fires_when, "", violation, extension=True)
