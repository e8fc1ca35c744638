"""Fetching what a seb:// link points at, the way Safe Exam Browser does.

The answer is a configuration (``application/seb``, a ``.seb`` path, or a body that reads as
one), or a web page (an LMS login) that the kiosk opens instead. Redirects may only go to
http(s); sizes and times are bounded.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from kiosk.launch.seb.containers import MAX_BYTES, SebFileError
from kiosk.platform.version import SEB_COMPATIBLE, VERSION

TIMEOUT_S = 20.0
SEB_TYPES = frozenset({"application/seb", "application/x-seb"})


def named_as_configuration(content_type: str, name: str) -> bool:
    """SEB's test of an answer or a download by its label: the type, or a name (a URL's path,
    a file name) ending in .seb."""
    return content_type.lower() in SEB_TYPES or name.lower().endswith(".seb")


@dataclass(frozen=True)
class Fetched:
    url: str  # where the answer came from, after redirects
    status: int
    content_type: str
    body: bytes

    @property
    def is_configuration(self) -> bool:
        if self.status != 200:
            return False
        if named_as_configuration(self.content_type, urlsplit(self.url).path):
            return True
        head = self.body.lstrip()[:64]
        return head.startswith((b"\x1f\x8b", b"<?xml", b"<plist", b"<!DOCTYPE plist"))


class _WebOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise SebFileError(f"the configuration link redirects to {newurl!r}, not to http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, timeout: float = TIMEOUT_S) -> Fetched:
    """GETs ``url``; a failure to reach it is one clear line (SebFileError)."""
    opener = urllib.request.build_opener(_WebOnly)
    request = urllib.request.Request(
        url, headers={"User-Agent": f"SEB/{SEB_COMPATIBLE} kiosk/{VERSION}", "Accept": "*/*"}
    )
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = answer.read(MAX_BYTES + 1)
            status, final, kind = answer.status, answer.geturl(), answer.headers.get_content_type()
    except urllib.error.HTTPError as exc:  # 401 and friends: a page to show, not a failure
        with exc:  # it holds the connection open until closed
            if 300 <= exc.code < 400:  # a redirect urllib itself refused (file:, ftp:...)
                where = exc.headers.get("Location")
                raise SebFileError(
                    f"the configuration link redirects to {where!r}, not to http(s)"
                ) from None
            body = exc.read(MAX_BYTES + 1)
            status, final, kind = exc.code, exc.geturl(), exc.headers.get_content_type()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SebFileError(f"the configuration at {url} cannot be fetched: {reason}") from None
    if len(body) > MAX_BYTES:
        raise SebFileError(f"the answer of {url} is larger than {MAX_BYTES // 2**20} MB")
    return Fetched(final, status, kind, body)
