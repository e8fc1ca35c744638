"""What crosses the bridge besides the catalogue's specs: an event fired into the page, and the
refusal of a page call (``AutoProctorError.code`` on the page's side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Call codes the page sees besides the catalogue's error codes.
INVALID_STATE = "INVALID_STATE"  # a call out of order
INVALID_OPTION = "INVALID_OPTION"  # an unknown tracking option, or a wrong type
UNKNOWN_METHOD = "UNKNOWN_METHOD"
BAD_REQUEST = "BAD_REQUEST"  # arguments that are not JSON


@dataclass(frozen=True)
class FiredEvent:
    """An event as recorded, ready for the page: ``names`` are the DOM events to dispatch."""

    seq: int
    t: float
    names: tuple[str, ...]
    code: int | None
    detail: dict[str, Any]


class Rejected(Exception):
    """A page call that fails; ``code`` is an error code (int) or one of the call codes above."""

    def __init__(self, code: int | str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
