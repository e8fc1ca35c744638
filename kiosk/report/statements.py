"""xAPI 1.0.3 statements of a session record: one per recorded event and decision.

A statement is built from the record alone, so whoever sends it (the kiosk while the exam runs,
the next start, ``kiosk report flush``) builds the same one: its id is derived from the
session's registration and the row's place in the record, and an LRS keeps one statement per id.
The student is identified only as the page or the LMS gave them: an ``account`` on the exam's
origin named by the test attempt id (or, when the page gave none, by the session's registration).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bridge.catalogue import CATALOGUE, EventSpec, Kind, lookup
from kiosk.platform.version import VERSION

#: The project's IRI namespace for verbs and extensions: stable, documented in docs/xapi.md.
NS = "https://w3id.org/kiosk/xapi/"
ADL = "http://adlnet.gov/expapi/verbs/"
#: Statement ids are uuid5 of the registration and the row: the same row, the same statement.
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"


@dataclass(frozen=True)
class Verb:
    iri: str
    display: str

    def as_xapi(self) -> dict[str, Any]:
        return {"id": self.iri, "display": {"en-US": self.display}}


#: Lifecycle events take ADL's verbs where one fits; the rest are the project's own.
BY_NAME = {
    "apSetupComplete": Verb(NS + "verbs/set-up", "set up"),
    "apMonitoringStarted": Verb(ADL + "initialized", "initialized"),
    "apMonitoringStopped": Verb(ADL + "terminated", "terminated"),
    "kioskEndedAbnormally": Verb(NS + "verbs/ended-abnormally", "ended abnormally"),
}
BY_KIND = {
    Kind.SUCCESS: Verb(NS + "verbs/passed-check", "passed a check"),
    Kind.ERROR: Verb(NS + "verbs/failed-check", "failed a check"),
    Kind.EVIDENCE: Verb(NS + "verbs/observed", "observed"),
}
DECIDED = Verb(NS + "verbs/decided", "decided")
EXT = {
    "code": NS + "extensions/code",
    "reason": NS + "extensions/reason",
    "message": NS + "extensions/message",
    "detail": NS + "extensions/detail",
    "event": NS + "extensions/event",
    "policy": NS + "extensions/policy",
    "decision": NS + "extensions/decision",
    "sequence": NS + "extensions/sequence",
    "session": NS + "extensions/session",
    "evidence": NS + "extensions/evidence",
}


def verb_of(spec: EventSpec) -> Verb:
    return BY_NAME.get(spec.name) or BY_KIND[spec.kind]


def mapping() -> list[tuple[EventSpec, Verb]]:
    """Every catalogue event with its verb (docs/xapi.md is generated from it)."""
    return [(spec, verb_of(spec)) for spec in CATALOGUE]


def _spec_of(name: str, code: int | None, reason: str | None) -> EventSpec | None:
    """The catalogue's entry for a recorded event; None for a name it no longer has."""
    try:
        return lookup(code, reason) if code is not None else lookup(name)
    except KeyError:
        return None


@dataclass(frozen=True)
class SessionFacts:
    """What every statement of one session shares, from its record's meta."""

    registration: str  # a UUID
    folder: str  # the session's folder name
    url: str
    ids: dict[str, Any]

    @classmethod
    def from_meta(cls, folder: str, meta: dict[str, Any]) -> SessionFacts:
        reg = meta.get("registration")
        if not isinstance(reg, str):  # a record older than reporting: derived, so stable
            reg = str(uuid.uuid5(uuid.NAMESPACE_URL, NS + "sessions/" + folder))
        ids = meta.get("ids")
        return cls(reg, folder, str(meta.get("url") or ""), ids if isinstance(ids, dict) else {})

    def actor(self) -> dict[str, Any]:
        parts = urlsplit(self.url)
        home = urlunsplit((parts.scheme, parts.netloc, "/", "", "")) if parts.netloc else self.url
        name = self.ids.get("testAttemptId") or self.ids.get("hashedTestAttemptId")
        name = str(name or f"session:{self.registration}")
        return {"objectType": "Agent", "account": {"homePage": home or NS, "name": name}}

    def activity(self) -> dict[str, Any]:
        parts = urlsplit(self.url)  # the exam, not the student's place in it
        exam = urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) or NS + "exam"
        return {
            "objectType": "Activity",
            "id": exam,
            "definition": {"type": ASSESSMENT, "name": {"en-US": exam}},
        }

    def statement_id(self, kind: str, seq: int) -> str:
        return str(uuid.uuid5(uuid.UUID(self.registration), f"{kind}/{seq}"))


def timestamp(t: float) -> str:
    """ISO 8601 in UTC with milliseconds, as xAPI's timestamps are compared."""
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(
    facts: SessionFacts, kind: str, seq: int, t: float, verb: Verb, ext: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": facts.statement_id(kind, seq),
        "actor": facts.actor(),
        "verb": verb.as_xapi(),
        "object": facts.activity(),
        "result": {"extensions": {EXT[k]: v for k, v in ext.items() if v is not None}},
        "context": {
            "registration": facts.registration,
            "platform": f"kiosk {VERSION}",
            "extensions": {EXT["sequence"]: f"{kind}/{seq}", EXT["session"]: facts.folder},
        },
        "timestamp": timestamp(t),
    }


def event_statement(
    facts: SessionFacts,
    seq: int,
    t: float,
    name: str,
    code: int | None,
    reason: str | None,
    detail: dict[str, Any],
    evidence: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``evidence``: the references of the event's photos (kiosk/report/photos.py)."""
    spec = _spec_of(name, code, reason)
    verb = verb_of(spec) if spec is not None else BY_KIND[Kind.EVIDENCE]
    message = detail.get("message") if isinstance(detail.get("message"), str) else None
    ext = {"event": name, "code": code, "reason": reason, "message": message, "detail": detail,
           "evidence": evidence or None}  # fmt: skip
    return _statement(facts, "event", seq, t, verb, ext)


def decision_statement(
    facts: SessionFacts, seq: int, t: float, policy: str, decision: str, detail: dict[str, Any]
) -> dict[str, Any]:
    ext = {"policy": policy, "decision": decision, "detail": detail}
    return _statement(facts, "decision", seq, t, DECIDED, ext)
