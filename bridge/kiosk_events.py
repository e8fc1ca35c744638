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
    kiosk_code(
        Kind.ERROR,
        4101,
        "The exam cannot run in a virtual machine",
        "At setup, under computer.virtual_machine = block (a .seb's allowVirtualMachine=false): "
        "the computer is a virtual machine or a container that the school did not allow. "
        "detail.cause names what was found; the record keeps every fact behind it.",
    ),
    kiosk_code(
        Kind.ERROR,
        4102,
        "The exam cannot run in a remote session",
        "At setup, under computer.remote_session = block: the display is not this computer's "
        "screen (X over SSH, an xrdp session) or a remote control program runs (a VNC server, "
        "TeamViewer, AnyDesk, RustDesk...). detail.cause names each.",
    ),
    kiosk_code(
        Kind.ERROR,
        4103,
        "Close the programs that are not allowed during the exam",
        "At setup, under computer.prohibited_processes = block: programs on the kiosk's list, "
        "the school's or the .seb's (prohibitedProcesses) run. detail.cause names each with "
        "its pid: the student closes them and setup() is called again.",
    ),
    kiosk_code(
        Kind.ERROR,
        4104,
        "Other programs are on the exam's display",
        "At setup, under computer.unknown_display_clients = block: the X server lists clients "
        "that are neither the kiosk nor a helper (window manager, input method, the desktop's "
        "pieces, assistive tools). detail.cause names each with its pid.",
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5103,
        "The exam runs in a virtual machine",
        "When monitoring starts, under computer.virtual_machine = warn (or a test machine's "
        "allowance of block): detail.kind, detail.name and detail.evidence (every fact, as "
        "path: value).",
        violation=True,
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5104,
        "The exam is in a remote session",
        "A remote control program started during the exam (name, pid, program, category), or, "
        "when monitoring starts under computer.remote_session = warn, the remote session "
        "found at setup (display, programs).",
        violation=True,
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5105,
        "A program that is not allowed is running during the exam",
        "A prohibited program started during the exam, or (under warn) ran when monitoring "
        "started: detail.name, pid, program, category, running (when it was found) and, under "
        "computer.end_prohibited_processes, ended (what the kiosk did).",
        violation=True,
    ),
    kiosk_code(
        Kind.EVIDENCE,
        5106,
        "Another program connected to the exam's display",
        "During the exam, a client that is neither the kiosk nor a helper connected to the X "
        "display (it can read the screen and type into the exam): detail.client (the X "
        "server's name for it), name, pid and program; a client with no local process came "
        "over the network.",
        violation=True,
    ),
)
