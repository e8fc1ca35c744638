"""What the kiosk is asked to open: the command line's TARGET.

Today an http(s) exam URL; the LMS launch sources (seb:// and kiosk:// links, .seb files)
are read here too, into the URL and the configuration they carry.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk.platform.errors import UsageError


def check_target(target: str) -> str:
    """An http(s) URL with a host; anything else is a clear usage error."""
    text = target.strip()
    if any(c.isspace() for c in text):
        raise UsageError(f"TARGET {target!r}: a URL cannot contain spaces")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise UsageError(
            f"TARGET {target!r}: {shown} is not supported; give an http:// or https:// exam URL"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(f"TARGET {target!r}: the port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise UsageError(f"TARGET {target!r}: the URL has no host")
    return text
