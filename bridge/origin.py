"""The web origin of a URL, spelled as ``window.location.origin`` spells it."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if not host or scheme not in _DEFAULT_PORTS:
        return "null"
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        # Browsers spell an internationalised host in punycode (location.origin included).
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return "null"
    try:
        port = parts.port
    except ValueError:
        return "null"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
