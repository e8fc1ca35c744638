"""More ways out through the exam page, tried against the running kiosk of test_escapes.py:
links to other applications (which took the page's focus without anyone noticing) and the
page's own dialogs (which are no switch away, and no way out either).

Each row reuses that module's ``exam`` (one kiosk per launch kind) and records its attempt in
the tally.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kiosk.platform.x11.session import X11Session
from tests.e2e import test_escapes
from tests.e2e.test_escapes import (
    OTHER,
    Exam,
    answer_box,
    decided,
    evidence,
    locked,
    new_codes,
    typed_after_paste,
    wait,
)
from tests.support.other_program import other_program
from tests.support.process import KioskProcess
from tests.support.server import ReportServer
from tests.support.tally import ESCAPES
from tests.support.xdo import active_window, xdotool

SCREEN = (0, 0, 1280, 800)  # the test display's one screen, where the exam is

#: How long the student reads a dialog before closing it: longer than the ~100 ms Qt takes to
#: tell the kiosk the focus moved (a dialog closed at once could beat any focus report).
READING = 1.0

exam = test_escapes.exam  # that module's kiosk fixture: one here too, per launch kind

#: Schemes another application would handle: a mail client, a terminal, anything installed.
EXTERNAL = ["mailto:x@y", "ssh://host", "vnd.foo:bar"]


def page_focused(exam: Exam) -> bool:
    """The page itself says it has the focus (the page's own document.hasFocus())."""
    return exam.run_js("return document.hasFocus();")["value"] is True


@pytest.mark.parametrize("link", EXTERNAL)
def test_a_link_to_another_application_leaves_the_page_focused(exam: Exam, link: str) -> None:
    since = len(exam.proc.decisions())
    answer_box(exam)
    wait("the page to have the focus", lambda: page_focused(exam), 5)
    exam.run_js(f"setTimeout(() => location = {json.dumps(link)}, 0);")
    wait(
        f"{link} refused",
        lambda: [d for d in decided(exam, since, "navigation", "refused") if d[2]["url"] == link],
    )
    try:
        wait("the page to have the focus again", lambda: page_focused(exam), 5)
        focused = True
    except AssertionError:
        focused = False
    xdotool("key", "x")  # and what the student types still reaches the answer
    value = wait("the key typed", lambda: typed_after_paste(exam))
    problems = locked(exam)
    ESCAPES.record(f"page location = {link}", not focused or value != "x" or bool(problems))
    assert focused, f"the page lost the focus: {exam.proc.decisions()[since:]}"
    assert value == "x" and not problems, (value, problems)


# -- the page's own dialogs ----------------------------------------------------------------------


@dataclass(frozen=True)
class DialogAttempt:
    name: str
    js: str  # an expression opening the dialog; the page keeps its value in window.__answer
    keys: tuple[str, ...]  # what the student types to close it ("type:TEXT" types TEXT)
    answer: object  # what the page's call returns


DIALOGS = [
    DialogAttempt("alert", "alert('Question 3 goes on over the page')", ("Return",), None),
    DialogAttempt("confirm, cancelled", "confirm('Submit now?')", ("Escape",), False),
    DialogAttempt("confirm, accepted", "confirm('Submit now?')", ("Return",), True),
    DialogAttempt("prompt", "prompt('Your seat number?', '')", ("type:42", "Return"), "42"),
]


def press(keys: tuple[str, ...]) -> None:
    for key in keys:
        if key.startswith("type:"):
            xdotool("type", key.removeprefix("type:"))
        else:
            xdotool("key", key)


def open_dialog(exam: Exam) -> str:
    """The window that took the focus from the exam (the page's dialog), once it has."""
    found: str = wait(
        "the page's dialog to have the focus",
        lambda: (w := active_window()) not in ("", exam.window) and w,
    )
    return found


def read_dialog(exam: Exam) -> list[str]:
    """Waits for the page's dialog, checks it is over the exam, and reads it for a while."""
    dialog = open_dialog(exam)
    problems = [] if over_the_exam(exam, dialog) else ["the dialog is not over the exam"]
    time.sleep(READING)
    return problems


def over_the_exam(exam: Exam, dialog: str) -> bool:
    """The X server stacks the dialog above the exam, inside the exam's screen."""
    with X11Session(exam.display) as x:
        frame = x.frame_of(int(exam.window))
        above = x.windows_above(frame, SCREEN, {int(exam.window), frame})
        mine = x.frame_of(int(dialog))
        return any(
            w.id == mine and w.x >= 0 and w.y >= 0 and w.x + w.width <= SCREEN[2]
            and w.y + w.height <= SCREEN[3]
            for w in above
        )  # fmt: skip


def only_the_witness_switched_away(exam: Exam, before: int) -> list[str]:
    """Empty when the one absence since ``before`` is the witness's: another application's
    window, opened now, whose 5005 proves the kiosk has reported every absence before it."""
    shown_at = time.time() * 1000
    with other_program("intruder.py", ready="shown"):  # another application takes the focus
        try:
            wait("the witness's 5005", lambda: [
                e for e in evidence(exam, 5005)[-1:] if e["timestamp"] >= shown_at - 50
            ])  # fmt: skip
        except AssertionError:
            raise AssertionError(
                f"{new_codes(exam, before)} {evidence(exam, 5005)[-1:]} {active_window()} "
                f"{exam.proc.decisions()[-6:]}"
            ) from None
        wait("its 5006", lambda: new_codes(exam, before)[-1:] == [5006])
    codes = new_codes(exam, before)
    return [] if codes == [5005, 5006] else [f"switches away recorded: {codes}"]


@pytest.mark.parametrize("attempt", DIALOGS, ids=[a.name for a in DIALOGS])
def test_the_pages_own_dialog_is_no_switch_away(exam: Exam, attempt: DialogAttempt) -> None:
    before, since = len(exam.codes()), len(exam.proc.decisions())
    exam.run_js(
        "window.__closed = false;"
        f"setTimeout(() => {{ window.__answer = {attempt.js}; window.__closed = true; }}, 0);"
    )
    problems = read_dialog(exam)
    press(attempt.keys)
    got = wait(
        "the dialog to close",
        lambda: exam.run_js("return window.__closed && [window.__answer];")["value"],
    )
    if got != [attempt.answer]:
        problems.append(f"the page got {got}")
    problems += locked(exam) + only_the_witness_switched_away(exam, before)
    ESCAPES.record(f"page dialog: {attempt.name}", bool(problems))
    assert not problems, (problems, exam.proc.decisions()[since:])
    kind = attempt.name.split(",")[0]
    assert [d[1] for d in decided(exam, since, "page dialog")] == ["shown", "closed"]
    assert decided(exam, since, "page dialog")[0][2]["kind"] == kind


def test_leaving_through_beforeunload_stays_inside_the_url_filter(exam: Exam) -> None:
    """The page asks before it unloads; "leave" lets the navigation go on, to the URL filter,
    which keeps the exam where it is."""
    before, since = len(exam.codes()), len(exam.proc.decisions())
    x, y = answer_box(exam)
    xdotool("mousemove", str(x), str(y), "click", "1")  # Chromium asks only after a gesture
    other = OTHER.format(port=exam.server.port)
    exam.run_js(
        "window.onbeforeunload = (e) => { e.preventDefault(); e.returnValue = 'unsaved'; };"
        f"setTimeout(() => location.href = {json.dumps(other)}, 0);"
    )
    problems = read_dialog(exam)
    xdotool("key", "Return")  # leave
    wait(
        "the URL filter's refusal",
        lambda: [d for d in decided(exam, since, "navigation", "refused") if d[2]["url"] == other],
    )
    exam.run_js("window.onbeforeunload = null;")
    problems += locked(exam) + only_the_witness_switched_away(exam, before)
    ESCAPES.record("page beforeunload: leave", bool(problems))
    assert not problems, (problems, exam.proc.decisions()[since:])
    shown = decided(exam, since, "page dialog")
    assert [(d[1], d[2]["kind"]) for d in shown] == [
        ("shown", "beforeunload"),
        ("closed", "beforeunload"),
    ]


def test_a_signal_while_the_pages_dialog_is_open_still_stops_cleanly(
    kiosk: Callable[..., KioskProcess], server: ReportServer, run_id: str
) -> None:
    """The dialog runs a loop of its own inside the engine's call, which held the quit for as
    long as it stayed open: SIGTERM must still end the session cleanly (the dialog cancelled,
    apMonitoringStopped delivered, the record closed) and the kiosk exit 0 at once."""
    proc = kiosk(server.exam_url(run_id, "setup,start,alert"))
    wait("the dialog", lambda: [d for d in proc.decisions() if d[:2] == ("page dialog", "shown")],
         30)  # fmt: skip
    proc.signal(signal.SIGTERM)
    assert proc.wait(10) == 0, proc.stderr()
    recorded, meta = proc.record()
    assert recorded[-1]["name"] == "apMonitoringStopped", recorded[-3:]
    assert recorded[-1]["dispatched"] is not None  # the page, running again, got it
    assert meta["closed_at"] is not None, meta
    assert [e["code"] for e in recorded if e["code"] in (5005, 5006)] == []
