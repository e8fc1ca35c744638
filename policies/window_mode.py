"""Fullscreen or windowed: ``--windowed`` is for development, and policy may forbid it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WindowModeDecision:
    fullscreen: bool
    refused: str | None = None  # why a windowed request was refused


def decide(windowed_requested: bool, allow_windowed: bool) -> WindowModeDecision:
    if not windowed_requested:
        return WindowModeDecision(fullscreen=True)
    if not allow_windowed:
        return WindowModeDecision(
            fullscreen=True, refused="--windowed is forbidden by policy (policy.allow_windowed)"
        )
    return WindowModeDecision(fullscreen=False)
