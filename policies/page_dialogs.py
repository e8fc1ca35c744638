"""The exam page's own dialogs: alert(), confirm(), prompt() and the beforeunload question.

A dialog the exam page itself opened is part of the exam: while it has the focus the student
has not switched away (no 5005, no violation), and it is recorded as what it is. What it shows
is the page's text, kept plain and bounded, so that a dialog can neither carry links or pictures
out of the exam nor grow past its screen. "Leave" on a beforeunload question only lets the
navigation go on to the URL filter, which decides it like any other.
"""

from __future__ import annotations

#: The object name the kiosk gives a page's dialog; the focus detector reports it as the
#: window that has the focus, and away.py does not count it as a switch away.
PAGE_DIALOG = "kiosk-page-dialog"

#: What the page can open (Qt asks javaScriptConfirm for beforeunload, with its own text).
KINDS = ("alert", "confirm", "prompt", "beforeunload")

#: At most this much of the page's message is shown (a page can pass megabytes).
MAX_MESSAGE = 1000

#: At most this much of a prompt's default value and of the student's answer goes back.
MAX_ANSWER = 10_000


def is_the_exam(dialog: str) -> bool:
    """Whether the focus on the kiosk's window ``dialog`` (its object name) is the student still
    in the exam: only the exam page's own dialog is; the kiosk's quit dialog, say, is not."""
    return dialog == PAGE_DIALOG


def shown_message(message: str) -> str:
    """The page's message as the dialog shows it: bounded, the cut said."""
    if len(message) <= MAX_MESSAGE:
        return message
    return message[:MAX_MESSAGE] + f"… ({len(message) - MAX_MESSAGE} more characters not shown)"


def recorded_message(message: str) -> str:
    """What the record keeps of the page's message: enough to say which dialog it was."""
    return message[:200]
