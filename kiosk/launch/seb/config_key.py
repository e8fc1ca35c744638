"""The SEB Config Key: the SHA-256 of the settings in SEB-JSON, as Safe Exam Browser and
Moodle compute it.

SEB-JSON: ``originatorVersion`` removed at any depth, empty dictionaries removed (empty arrays
kept), dictionary keys sorted by the Unicode collation of the ICU root locale (Moodle uses
``Collator('root')``: letters compare case-insensitively first, and only a tie puts the lower
case first, so ``allowWlan`` comes before ``allowWLAN``), compact JSON with neither slashes,
backslashes nor non-ASCII escaped, ``<data>`` as base64, ``<date>`` as ISO 8601 UTC. An empty
configuration hashes ``[]``.

The page sends ``hex(SHA-256(URL without fragment + Config Key))`` with every request
(``X-SafeExamBrowser-ConfigKeyHash``), so the key must come from the very file the LMS served.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import importlib.resources
import json
from pathlib import Path
from typing import Any

from kiosk.platform.version import VERSION

#: ICU root's order of ASCII punctuation and symbols (all before digits, digits before letters).
_PUNCTUATION = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _collation_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Primary weights (case folded), then case (lower before upper) to break ties."""
    primary: list[tuple[int, int]] = []
    case: list[int] = []
    for char in text:
        if char.isascii() and char.isalpha():
            primary.append((3, ord(char.lower())))
            case.append(1 if char.isupper() else 0)
        elif char.isdigit():
            primary.append((2, ord(char)))
            case.append(0)
        elif char in _PUNCTUATION:
            primary.append((1, _PUNCTUATION.index(char)))
            case.append(0)
        else:  # beyond ASCII: by code point after everything above (SEB's keys are ASCII)
            primary.append((4, ord(char.lower())))
            case.append(0 if char == char.lower() else 1)
    return tuple(primary), tuple(case)


def seb_value(value: Any) -> Any:
    """``value`` made into what SEB-JSON serialises (None: leave it out), sorted."""
    if isinstance(value, dict):
        items = []
        for key in sorted(value, key=_collation_key):
            if key == "originatorVersion":
                continue
            converted = seb_value(value[key])
            if converted is not None:
                items.append((key, converted))
        return dict(items) if items else None
    if isinstance(value, list):
        return [v for v in (seb_value(item) for item in value) if v is not None]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo is None else value.astimezone(datetime.UTC)
        return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return value


def seb_json(settings: dict[str, Any]) -> str:
    """The settings in SEB-JSON, the exact text the Config Key hashes. Unlike JSON, SEB-JSON
    leaves a backslash in a string as it is (SEB for macOS logs ``"ws:\\localhost:8706"``
    for the value ``ws:\\localhost:8706``, and Moodle's expected key is the hash of that)."""
    converted = seb_value(settings)
    text = json.dumps(
        [] if converted is None else converted,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.replace("\\\\", "\\")


def config_key(settings: dict[str, Any]) -> str:
    """The Config Key: lower-case hex SHA-256 of the SEB-JSON."""
    return hashlib.sha256(seb_json(settings).encode("utf-8")).hexdigest()


def request_hash(url: str, key: str) -> str:
    """What a request to ``url`` carries for ``key`` (``X-SafeExamBrowser-ConfigKeyHash``)."""
    absolute = url.split("#", 1)[0]
    return hashlib.sha256((absolute + key).encode("utf-8")).hexdigest()


#: The packages whose installed code is the kiosk build's identity.
_BUILD = ("kiosk", "bridge", "detectors", "policies")
_BUILD_FILES = (".py", ".js", ".html")


@functools.cache
def build_identity() -> str:
    """SHA-256 of this kiosk build: its version and every code file of its packages, by path.

    A changed file, an added or a removed one, or another version gives another identity, so
    another Browser Exam Key.
    """
    digest = hashlib.sha256(f"kiosk {VERSION}\n".encode())
    for package in _BUILD:
        root = Path(str(importlib.resources.files(package)))
        for path in sorted(root.rglob("*")):
            if path.suffix in _BUILD_FILES and "__pycache__" not in path.parts:
                digest.update(f"{package}/{path.relative_to(root).as_posix()}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def browser_exam_key(key: str, salt: bytes, identity: str | None = None) -> str:
    """SEB's construction: HMAC-SHA256 keyed with the configuration's ``examKeySalt``, here of
    the kiosk build's identity and the Config Key. It tells an LMS that an unmodified kiosk of
    this build runs this configuration; it cannot prove it: a client that was changed can send
    the same value."""
    message = (identity if identity is not None else build_identity()) + key
    return hmac.new(salt, message.encode("ascii"), hashlib.sha256).hexdigest()
