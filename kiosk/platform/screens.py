"""Letting go of Qt's screen signals, for the objects that follow screens as they come and go.

A removed QScreen is deleted by Qt right after ``screenRemoved``: touching it again crashes, so
only the geometry connections of screens Qt still lists are cut; a connection that is already
gone is no error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from kiosk.platform.qt import QGuiApplication, QScreen


def disconnect(signal: Any, slot: Callable[..., Any]) -> None:
    """Disconnect, tolerating a connection that is already gone."""
    with contextlib.suppress(TypeError, RuntimeError):
        signal.disconnect(slot)


def release_screens(
    app_slots: Iterable[tuple[str, Callable[..., Any]]],
    geometry_slots: Iterable[tuple[QScreen, Callable[..., Any]]],
) -> None:
    """Cuts the application's screen signals (by name) and each live screen's
    ``geometryChanged`` connection."""
    app = QGuiApplication.instance()
    live: list[QScreen] = []
    if isinstance(app, QGuiApplication):
        for name, slot in app_slots:
            disconnect(getattr(app, name), slot)
        live = QGuiApplication.screens()
    for screen, slot in geometry_slots:
        if any(screen is s for s in live):
            disconnect(screen.geometryChanged, slot)
