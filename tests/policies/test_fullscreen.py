"""When the kiosk keeps its window fullscreen and takes focus back."""

from __future__ import annotations

import pytest

from policies.fullscreen import decide_fullscreen, decide_refocus


@pytest.mark.parametrize(
    ("window_fullscreen", "page", "managed", "restore"),
    [
        (False, True, True, False),  # --windowed development mode enforces nothing
        (True, None, False, True),  # before setup(): the kiosk's own default
        (True, True, False, True),
        (True, False, False, False),  # the page turned forceFullScreen off
        (True, False, True, True),  # a managed policy forces it regardless of the page
    ],
)
def test_fullscreen_restore(
    window_fullscreen: bool, page: bool | None, managed: bool, restore: bool
) -> None:
    decision = decide_fullscreen(window_fullscreen, page, managed)
    assert decision.restore is restore
    assert decision.why


def test_refocus_only_when_locked_and_enabled() -> None:
    assert decide_refocus(True, True, 1.5).refocus
    assert decide_refocus(True, True, 1.5).after == 1.5
    assert not decide_refocus(False, True, 1.5).refocus
    assert not decide_refocus(True, False, 1.5).refocus
