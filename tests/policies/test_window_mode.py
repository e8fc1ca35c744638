"""--windowed is for development, and policy may forbid it."""

from __future__ import annotations

from policies import window_mode

# -- window mode ----------------------------------------------------------------------------------


def test_window_mode_fullscreen_by_default() -> None:
    for allow in (True, False):
        decision = window_mode.decide(False, allow)
        assert decision.fullscreen
        assert decision.refused is None


def test_window_mode_windowed_when_allowed() -> None:
    decision = window_mode.decide(True, True)
    assert not decision.fullscreen
    assert decision.refused is None


def test_window_mode_windowed_refused_by_policy() -> None:
    decision = window_mode.decide(True, False)
    assert decision.fullscreen
    assert decision.refused is not None
    assert "policy.allow_windowed" in decision.refused
