"""What the kiosk is asked to open: the command line's TARGET.

- an ``http(s)://`` exam URL;
- a ``seb://`` / ``sebs://`` link: a Safe Exam Browser configuration to fetch over http(s);
- a ``kiosk://`` / ``kiosks://`` link: an exam URL under the kiosk's own configuration;
- a ``.seb`` file (a path, or the ``file://`` URL a desktop hands over when one is opened).

A link comes from outside (an LMS page, a desktop's scheme handler) and is untrusted: it can
only ever become an http(s) URL with a host, never an option, a local path or another scheme.
Every URL (TARGET, a link's, a .seb's startURL) passes ``check_target``: anything odd in it
(credentials, spaces or control characters, more than MAX_URL characters, a host another
parser could read otherwise, a bad port) is one clear line that never shows a password.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from kiosk.platform.errors import UsageError, hide_credentials
from kiosk.platform.files import expanded

#: The longest URL or link the kiosk opens, in characters. Real exam and configuration links
#: are a few hundred; more is an attack or an accident (and would fill the session record).
MAX_URL = 4096

#: Characters a host may not hold (WHATWG's forbidden host and domain code points, and quotes
#: and braces no real host holds): where Python and Chromium would read such a host
#: differently (a backslash, a percent escape), the exam's origin would be two different things.
_FORBIDDEN_IN_HOST = frozenset("#/:<>?@[\\]^|%\"'`{}")

#: A link's scheme -> what it is and the scheme its URL is fetched or opened with.
LINK_SCHEMES: dict[str, tuple[Literal["seb", "kiosk"], str]] = {
    "seb": ("seb", "http"),
    "sebs": ("seb", "https"),
    "kiosk": ("kiosk", "http"),
    "kiosks": ("kiosk", "https"),
}


@dataclass(frozen=True)
class Target:
    kind: Literal["url", "seb", "kiosk", "file"]
    url: str | None = None  # the exam URL (url, kiosk) or the configuration's (seb)
    path: Path | None = None  # a .seb file


def _shown(text: str) -> str:
    text = hide_credentials(text)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _odd_character(text: str) -> bool:
    """A space, a control or an invisible format character (a right-to-left override)."""
    return any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _host_ok(netloc: str) -> bool:
    """The host of an authority without credentials: a bracketed IPv6 address, or a name
    (or IPv4 address) with nothing in it that another URL parser could read otherwise."""
    host, _, port = netloc.rpartition("]") if netloc.startswith("[") else ("", "", "")
    if host:
        if port and not port.startswith(":"):
            return False  # ``[::1]x``
        try:
            ipaddress.IPv6Address(host[1:])
        except ValueError:
            return False
        return True
    name = netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc
    return not any(c in _FORBIDDEN_IN_HOST for c in name)


def check_target(target: str, what: str = "TARGET") -> str:
    """An http(s) URL with a valid host and no credentials, at most MAX_URL characters;
    anything else is a clear usage error (``what`` names where the URL came from)."""
    text = target.strip()
    said = f"{what} {_shown(target)}"
    if len(text) > MAX_URL:
        raise UsageError(f"{what}: the URL is {len(text)} characters long: more than {MAX_URL}")
    if _odd_character(text):
        raise UsageError(f"{said}: a URL cannot contain spaces or control characters")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed or invalid [IPv6] host
        raise UsageError(f"{said}: the host is not a valid name or address") from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise UsageError(
            f"{said}: {shown} is not supported; give an http:// or https:// "
            "exam URL, a seb://, sebs://, kiosk:// or kiosks:// link, or a .seb file"
        )
    if "@" in parts.netloc:
        # Never shown: what sits before the @ is somebody's password.
        raise UsageError(
            f"{what} {parts.scheme}://...@{parts.netloc.rpartition('@')[2]}: the URL carries "
            "credentials (a user or password before an @), which the kiosk never sends; the "
            "exam asks for them itself"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(f"{said}: the port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise UsageError(f"{said}: the URL has no host")
    if not _host_ok(parts.netloc):
        raise UsageError(f"{said}: the host is not a valid name or address")
    return text


def link_url(link: str) -> tuple[Literal["seb", "kiosk"], str]:
    """What a link is, and the http(s) URL it stands for (``sebs://host/x`` -> https://host/x)."""
    if len(link) > MAX_URL:
        raise UsageError(f"the link is {len(link)} characters long: more than {MAX_URL}")
    if _odd_character(link):
        raise UsageError(f"the link {_shown(link)} holds spaces or control characters")
    scheme, sep, rest = link.partition(":")
    known = LINK_SCHEMES.get(scheme.lower())
    if known is None or not sep:
        raise UsageError(f"{_shown(link)} is not a seb, sebs, kiosk or kiosks link")
    if not rest.startswith("//"):
        raise UsageError(f"the link {_shown(link)} has no host (it must be {scheme}://host/...)")
    kind, web = known
    url = f"{web}:{rest}"
    try:
        credentials = "@" in urlsplit(url).netloc
    except ValueError:
        credentials = False  # check_target says what is wrong with it
    if credentials:  # never shown: what sits before the @ is somebody's password
        raise UsageError(
            f"a {scheme} link carries credentials (a user or password before an @), which it "
            "may not"
        )
    return kind, check_target(url, "the link's URL")


def parse_target(text: str) -> Target:
    """The command line's TARGET, whatever its form."""
    scheme = text.partition(":")[0].lower()
    if scheme in LINK_SCHEMES:
        kind, url = link_url(text)
        return Target(kind, url=url)
    if scheme in ("http", "https"):
        return Target("url", url=check_target(text))
    if scheme == "file" and text.lower().endswith(".seb"):  # a desktop opening a .seb file
        try:
            text = unquote(urlsplit(text).path)
        except ValueError:
            raise UsageError(f"TARGET {_shown(text)}: not a valid file:// URL") from None
    if text.lower().endswith(".seb") and "://" not in text:
        path = expanded(Path(text), f"TARGET {_shown(text)}")
        try:
            found, regular = path.exists(), path.is_file()
        except OSError:  # a name too long for the file system
            found = regular = False
        if not found:
            raise UsageError(f"TARGET {_shown(text)}: no such configuration file")
        if not regular:
            raise UsageError(f"TARGET {_shown(text)}: not a regular file (a FIFO, a device?)")
        return Target("file", path=path.resolve())
    check_target(text)  # says why it is none of them
    raise AssertionError("unreachable")  # pragma: no cover
