"""The learning record store, over xAPI 1.0.3's statements resource (standard library HTTP).

TLS is always verified (against ``ca_file`` when the school runs its own authority). Every
answer the kiosk cannot act on is a :class:`LrsUnavailable` that says when to try again, so a
slow, refusing or absent LRS only delays the reports, never loses one.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import stat
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

from kiosk.config.settings import ReportSettings
from kiosk.platform import secrets
from kiosk.platform.errors import UsageError

XAPI_VERSION = "1.0.3"
#: An LRS that does not answer within this is treated as down (a hanging one holds nothing).
TIMEOUT_SECONDS = 15.0


class LrsUnavailable(Exception):
    """Not delivered this time: ``retry_after`` seconds when the LRS said how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LrsRefused(Exception):
    """The LRS will never take these statements as sent (400, 401, 403, 409...)."""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from time import time

        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


def read_password_file(path: Path) -> str:
    """The first line of a file only its owner can read (0600 or stricter), else refused."""
    said = f"report.password_file {path}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"{said}: cannot read it ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{said}: not a regular file")
        if info.st_mode & 0o077:
            mode = oct(info.st_mode & 0o777)
            raise UsageError(f"{said}: mode {mode} lets others read it; chmod 600 it")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    line = data.decode("utf-8", "replace").splitlines()[0] if data else ""
    if not line:
        raise UsageError(f"{said}: empty")
    return line


def password_of(settings: ReportSettings) -> str | None:
    if settings.password_keyring:
        found = secrets.get(settings.password_keyring)
        if found is None:
            raise UsageError(
                f"report.password_keyring: no secret named {settings.password_keyring} in the "
                f"keyring; store it with `kiosk secret set {settings.password_keyring}`"
            )
        return found
    if settings.password_file is not None:
        return read_password_file(settings.password_file)
    return None


@dataclass(frozen=True)
class Lrs:
    base: str  # ends with "/"
    username: str | None
    password: str | None
    ca_file: Path | None = None
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: ReportSettings) -> Lrs:
        if settings.lrs is None:
            raise UsageError("no [report] lrs is configured: there is nowhere to report to")
        if settings.ca_file is not None and not settings.ca_file.is_file():
            raise UsageError(f"report.ca_file {settings.ca_file}: no such file")
        return cls(settings.lrs, settings.username, password_of(settings), settings.ca_file)

    def _headers(self) -> dict[str, str]:
        headers = {"X-Experience-API-Version": XAPI_VERSION}
        if self.username is not None:
            pair = f"{self.username}:{self.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def _context(self) -> ssl.SSLContext | None:
        if not self.base.startswith("https:"):
            return None
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self._context()
            ) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()[:300].decode("utf-8", "replace")
            if exc.code in (408, 429) or exc.code >= 500:
                raise LrsUnavailable(
                    f"the LRS answered {exc.code} ({body.strip() or exc.reason})",
                    _retry_after(exc.headers.get("Retry-After")),
                ) from None
            raise LrsRefused(f"the LRS refused the statements: {exc.code} {body}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LrsUnavailable(f"the LRS at {self.base} cannot be reached ({reason})") from None

    def send(self, statements: list[dict[str, Any]]) -> None:
        """Stores the statements (one request, all or none); ones it already has are kept once."""
        body = json.dumps(statements, separators=(",", ":"), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.base + "statements",
            data=body,
            method="POST",
            headers={**self._headers(), "Content-Type": "application/json"},
        )
        self._open(request)

    def statements(self, registration: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds of one session (following ``more``)."""
        url = self.base + "statements?" + urlencode({"registration": registration, "limit": 500})
        found: list[dict[str, Any]] = []
        while url:
            _, body = self._open(urllib.request.Request(url, headers=self._headers()))
            page = json.loads(body)
            found.extend(page.get("statements", []))
            more = page.get("more")
            url = urljoin(self.base, more) if more else ""
        return found
