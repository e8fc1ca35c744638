"""What the kiosk is asked to open: the command line's TARGET.

- an ``http(s)://`` exam URL;
- a ``seb://`` / ``sebs://`` link: a Safe Exam Browser configuration to fetch over http(s);
- a ``kiosk://`` / ``kiosks://`` link: an exam URL under the kiosk's own configuration;
- a ``.seb`` file (a path, or the ``file://`` URL a desktop hands over when one is opened).

A link comes from outside (an LMS page, a desktop's scheme handler) and is untrusted: it can
only ever become an http(s) URL with a host, never an option, a local path or another scheme,
and anything odd in it (credentials, spaces or control characters, a huge length, a bad port)
is one clear line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from kiosk.platform.errors import UsageError

#: Longer than any real exam or configuration link; more is an attack or an accident.
MAX_LINK = 4096

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
    return repr(text if len(text) <= 80 else text[:77] + "...")


def check_target(target: str) -> str:
    """An http(s) URL with a host; anything else is a clear usage error."""
    text = target.strip()
    if any(c.isspace() for c in text):
        raise UsageError(f"TARGET {_shown(target)}: a URL cannot contain spaces")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise UsageError(
            f"TARGET {_shown(target)}: {shown} is not supported; give an http:// or https:// "
            "exam URL, a seb://, sebs://, kiosk:// or kiosks:// link, or a .seb file"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(
            f"TARGET {_shown(target)}: the port is not a number from 0 to 65535"
        ) from None
    if not parts.hostname:
        raise UsageError(f"TARGET {_shown(target)}: the URL has no host")
    return text


def link_url(link: str) -> tuple[Literal["seb", "kiosk"], str]:
    """What a link is, and the http(s) URL it stands for (``sebs://host/x`` -> https://host/x)."""
    if len(link) > MAX_LINK:
        raise UsageError(f"the link is {len(link)} characters long: more than {MAX_LINK}")
    if any(ord(c) < 0x20 or c == "\x7f" or c.isspace() for c in link):
        raise UsageError(f"the link {_shown(link)} holds spaces or control characters")
    scheme, sep, rest = link.partition(":")
    known = LINK_SCHEMES.get(scheme.lower())
    if known is None or not sep:
        raise UsageError(f"{_shown(link)} is not a seb, sebs, kiosk or kiosks link")
    if not rest.startswith("//"):
        raise UsageError(f"the link {_shown(link)} has no host (it must be {scheme}://host/...)")
    kind, web = known
    url = f"{web}:{rest}"
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UsageError(f"the link {_shown(link)} carries credentials, which a link may not")
    return kind, check_target(url)


def parse_target(text: str) -> Target:
    """The command line's TARGET, whatever its form."""
    scheme = text.partition(":")[0].lower()
    if scheme in LINK_SCHEMES:
        kind, url = link_url(text)
        return Target(kind, url=url)
    if scheme in ("http", "https"):
        return Target("url", url=check_target(text))
    if scheme == "file" and text.lower().endswith(".seb"):  # a desktop opening a .seb file
        text = unquote(urlsplit(text).path)
    if text.lower().endswith(".seb") and "://" not in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise UsageError(f"TARGET {_shown(text)}: no such configuration file")
        return Target("file", path=path.resolve())
    check_target(text)  # says why it is none of them
    raise AssertionError("unreachable")  # pragma: no cover
