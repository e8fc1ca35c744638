"""Rectangles as the X server and Qt give them: ``(x, y, width, height)``."""

from __future__ import annotations

from typing import Protocol

Rect = tuple[int, int, int, int]


def overlap(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share at least one pixel (touching edges do not)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def describe(rect: Rect) -> str:
    """``1280x800+0+0``, as xrandr writes a geometry."""
    x, y, width, height = rect
    return f"{width}x{height}+{x}+{y}"


class _QRectLike(Protocol):
    def x(self) -> int: ...
    def y(self) -> int: ...
    def width(self) -> int: ...
    def height(self) -> int: ...


def as_rect(rect: _QRectLike) -> Rect:
    """A Qt rectangle (``QRect``) as a plain one."""
    return rect.x(), rect.y(), rect.width(), rect.height()
