"""More ways out through the exam page, tried against the running kiosk of test_escapes.py:
links to other applications (which took the page's focus without anyone noticing) and the
page's own dialogs (which are no switch away, and no way out either).

Each row reuses that module's ``exam`` (one kiosk per launch kind) and records its attempt in
the tally.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e import test_escapes
from tests.e2e.test_escapes import Exam, answer_box, decided, locked, typed_after_paste, wait
from tests.support.tally import ESCAPES
from tests.support.xdo import xdotool

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
