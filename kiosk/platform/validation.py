"""Turns pydantic errors into the one clear line a user or an exam page is shown."""

from __future__ import annotations

from pydantic import ValidationError

#: Problems named in the line; the others are counted. A file of 100,000 unknown keys is one
#: short line, not megabytes of them.
SHOWN_PROBLEMS = 5
#: Characters of a key, and of a message, shown (a key can be as long as the file).
SHOWN_KEY, SHOWN_MESSAGE = 80, 240


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


def describe(exc: ValidationError, *, what: str = "key") -> str:
    """``session.autostart: Input should be a valid boolean; unknown key 'x'`` (and, past
    SHOWN_PROBLEMS, ``; and 99995 more problems``)."""
    parts = []
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    for err in errors[:SHOWN_PROBLEMS]:
        loc = _cut(".".join(str(p) for p in err["loc"]), SHOWN_KEY)
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown {what} {loc!r}")
        else:
            parts.append(f"{loc or 'value'}: {_cut(err['msg'], SHOWN_MESSAGE)}")
    if len(errors) > SHOWN_PROBLEMS:
        parts.append(f"and {len(errors) - SHOWN_PROBLEMS} more problems ({len(errors)} in all)")
    return "; ".join(parts)
