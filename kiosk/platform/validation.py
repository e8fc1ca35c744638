"""Turns pydantic errors into the one clear line a user or an exam page is shown."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError, *, what: str = "key") -> str:
    """``session.autostart: Input should be a valid boolean; unknown key 'x'``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown {what} {loc!r}")
        else:
            parts.append(f"{loc or 'value'}: {err['msg']}")
    return "; ".join(parts)
