"""The kiosk's own events: not in AutoProctor's table, marked ``extension`` (docs/events.md).

A regular one (no code) is recorded but never dispatched to a page. A custom one has a code in
the kiosk's own ranges, 41xx for setup errors and 51xx for evidence during the exam, far from
AutoProctor's; it reaches the page like any custom event, and a page written for AutoProctor
that knows nothing of it ignores it.
"""

from __future__ import annotations

from bridge.event_spec import EventSpec, Kind, extension, kiosk_code

KIOSK_EVENTS: tuple[EventSpec, ...] = (
    extension(
        "kioskEndedAbnormally",
        "The last event of a session whose kiosk ended without closing it (killed with SIGKILL, "
        "crashed, the computer stopped): the next kiosk start on the same data folder closes "
        "the record with it, at the time of the session's last event (closed_at too); detail "
        "carries lastEventSeq, foundAt (when it was found), monitoring (whether it had started), "
        "killedEngineProcesses (what of the dead kiosk's web engine was still running) and "
        "cause. No page receives it; a reporter sends it on like every recorded event.",
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5101,
        "The exam was interrupted: the kiosk was frozen or the computer suspended",
        "During monitoring, the kiosk's own heartbeat (a thread beating four times a second) "
        "missed its beats for longer than 3 s: the process was stopped (SIGSTOP, a debugger) "
        "or the computer slept. detail.seconds is how long; detail.suspended how much of it "
        "the computer slept (the boot clock ran on while the process clock did not).",
        violation=True,
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5102,
        "The computer's clock was changed during the exam",
        "During monitoring, the wall clock moved by more than 5 s against the clock that "
        "counts real time (CLOCK_BOOTTIME): someone set the time, or it was synchronised. "
        "detail.seconds is the jump (negative: set back).",
        violation=True,
    ),
)
