""".seb files in every container Safe Exam Browser writes, down to their settings.

SEB's file format: a bare XML property list, or a gzip stream that starts, once inflated, with
a four-byte prefix saying what follows:

- ``plnd``: plain, a gzip-compressed XML property list;
- ``pswd``: RNCryptor-encrypted with the settings password (of gzip(XML));
- ``pwcc``: the same, the password being the SHA-256 hex of the administrator password (SEB
  writes lower- or upper-case hex, so both are tried);
- ``pkhs`` / ``phsk``: encrypted for a certificate in the client's store.

Every failure is a ``SebFileError`` with one clear line, never a traceback. Sizes are bounded:
a file, and what it inflates to, past ``MAX_BYTES`` is refused before it can fill memory.
"""

from __future__ import annotations

import hashlib
import plistlib
import zlib
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from kiosk.launch.seb import rncryptor
from kiosk.platform.errors import UsageError

MAX_BYTES = 8 * 1024 * 1024
_GZIP = b"\x1f\x8b"
PLAIN, PASSWORD, ADMIN_PASSWORD = b"plnd", b"pswd", b"pwcc"
CERTIFICATE = (b"pkhs", b"phsk")


class SebFileError(UsageError):
    """A file (or download) that is not a configuration the kiosk can read; the message says
    why, in one line."""


class PasswordRequired(SebFileError):
    """The settings are encrypted with a password the caller has not given."""


class WrongPassword(SebFileError):
    pass


#: Asked for the settings password (None: the user cancelled), given how many tries are left.
AskPassword = Callable[[int], str | None]


def _inflate(data: bytes, what: str) -> bytes:
    """gunzip, refusing more than MAX_BYTES of output (a gzip bomb is a damaged file)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_BYTES + 1)
    except zlib.error as exc:
        raise SebFileError(f"{what}: the compressed data is damaged ({exc})") from None
    if len(out) > MAX_BYTES:
        raise SebFileError(f"{what}: inflates to more than {MAX_BYTES // 2**20} MB")
    if not inflater.eof:
        raise SebFileError(f"{what}: the compressed data is cut short")
    return out


def _looks_like_xml(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    return head.startswith((b"<?xml", b"<!DOCTYPE plist", b"<plist"))


def plist_bytes(data: bytes, password: str | AskPassword | None = None, tries: int = 3) -> bytes:
    """The XML property list inside ``data``. ``password`` is the settings password, or a
    callable that asks for it (``tries`` times at most) when the file turns out to need one."""
    if len(data) > MAX_BYTES:
        raise SebFileError(f"the configuration is larger than {MAX_BYTES // 2**20} MB")
    if _looks_like_xml(data):
        return data
    if not data.startswith(_GZIP):
        raise SebFileError("not a Safe Exam Browser configuration (neither XML nor gzip)")
    inner = _inflate(data, "the configuration")
    prefix, payload = inner[:4], inner[4:]
    if _looks_like_xml(inner):
        return inner
    if prefix == PLAIN:
        return _inflate(payload, "the plain settings")
    if prefix in CERTIFICATE:
        named = payload[:20].hex()  # the SHA-1 hash of the certificate's public key
        raise SebFileError(
            f"the configuration is encrypted for the certificate whose public key hash is "
            f"{named} ({prefix.decode()}); the kiosk has no such certificate installed"
        )
    if prefix not in (PASSWORD, ADMIN_PASSWORD):
        raise SebFileError(f"unknown configuration container {prefix!r}")
    decrypted = _decrypt(payload, prefix == ADMIN_PASSWORD, password, tries)
    return _inflate(decrypted, "the decrypted settings")


def _candidates(given: str, admin: bool) -> list[str]:
    if not admin:
        return [given]
    digest = hashlib.sha256(given.encode("utf-8")).hexdigest()
    return [digest, digest.upper()]


def _decrypt(payload: bytes, admin: bool, password: str | AskPassword | None, tries: int) -> bytes:
    asked = callable(password)
    for left in range(tries, 0, -1) if asked else [1]:
        given = password(left) if callable(password) else password
        if given is None:
            if asked:
                raise PasswordRequired("the settings password was not given: nothing started")
            raise PasswordRequired("the configuration is protected by a settings password")
        for candidate in _candidates(given, admin):
            try:
                return rncryptor.decrypt(payload, candidate)
            except rncryptor.WrongPassword:
                continue
            except rncryptor.DecryptionError as exc:
                raise SebFileError(f"the encrypted settings cannot be read: {exc}") from None
    raise WrongPassword("the settings password is wrong")


def settings(
    data: bytes, password: str | AskPassword | None = None, tries: int = 3
) -> dict[str, Any]:
    """The settings of a .seb file: its property list as a dictionary."""
    xml = plist_bytes(data, password, tries)
    try:
        parsed = plistlib.loads(xml, fmt=plistlib.FMT_XML)
    except (ExpatError, ValueError, plistlib.InvalidFileException) as exc:
        raise SebFileError(f"the settings are not a valid property list ({exc})") from None
    if not isinstance(parsed, dict):
        raise SebFileError("the settings are not a dictionary of SEB keys")
    return parsed
