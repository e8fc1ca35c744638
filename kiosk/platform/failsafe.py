"""Exceptions inside Qt callbacks are logged and answered with a safe default, never an abort.

PyQt aborts the process when an exception escapes a slot or a virtual method; for a lockdown
browser that would be both a crash and, worse, a way out. ``fail_safe(default)`` wraps a
callback so it logs the error and returns ``default`` (for a decision: deny).
"""

from __future__ import annotations

import functools
import logging
import sys
import types
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("kiosk.failsafe")


def fail_safe(default: R) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except Exception:
                log.exception("%s failed; answered safely with %r", func.__qualname__, default)
                return default

        return guarded

    return wrap


def install_excepthook() -> None:
    """Anything that still escapes to Python's top level is logged instead of aborting Qt."""

    def hook(
        kind: type[BaseException], value: BaseException, tb: types.TracebackType | None
    ) -> Any:
        if issubclass(kind, KeyboardInterrupt):
            return
        log.critical("unhandled exception", exc_info=(kind, value, tb))

    sys.excepthook = hook
