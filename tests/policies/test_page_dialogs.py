"""The page's own dialogs: which focus is still the exam, and what of the page's text is shown."""

from __future__ import annotations

from policies.page_dialogs import (
    MAX_MESSAGE,
    PAGE_DIALOG,
    is_the_exam,
    recorded_message,
    shown_message,
)


def test_only_the_pages_own_dialog_is_the_exam() -> None:
    assert is_the_exam(PAGE_DIALOG)
    assert not is_the_exam("")
    assert not is_the_exam("QInputDialog")  # the kiosk's quit password dialog


def test_a_short_message_is_shown_as_it_is() -> None:
    assert shown_message("Submit now?") == "Submit now?"


def test_a_huge_message_is_cut_and_says_so() -> None:
    shown = shown_message("x" * 5_000_000)
    assert len(shown) < MAX_MESSAGE + 60
    assert shown.endswith(f"({5_000_000 - MAX_MESSAGE} more characters not shown)")
    assert len(recorded_message("y" * 10_000)) == 200
