"""``kiosk seb inspect FILE|LINK [--json]``: what a configuration holds and what kiosk makes of it.

For a teacher or an administrator: the decoded settings, the Config Key and the Browser Exam
Key (to paste into Moodle's allowed keys), what kiosk applies and every key it does not
support. A password is asked on the terminal, or read from standard input when that is not
a terminal.
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kiosk.launch.seb.config_key import browser_exam_key, config_key, seb_value
from kiosk.launch.seb.containers import MAX_BYTES, AskPassword, SebFileError, settings
from kiosk.launch.seb.fetch import fetch
from kiosk.launch.seb.translate import Translation, translate
from kiosk.launch.target import LINK_SCHEMES, link_url
from kiosk.platform.errors import UsageError
from kiosk.platform.files import expanded, read_regular_file

PROMPT = "Password of the exam's settings: "
TRIES = 3


@dataclass(frozen=True)
class Inspection:
    source: str
    settings: dict[str, Any]
    config_key: str
    browser_exam_key: str
    translation: Translation

    def as_json(self) -> dict[str, Any]:
        t = self.translation
        return {
            "source": self.source,
            "config_key": self.config_key,
            "browser_exam_key": self.browser_exam_key,
            "start_url": t.url,
            "starts_exam": t.starts_exam,
            "send_browser_exam_key": t.send_keys,
            "applied": t.applied,
            "unsupported": seb_value(t.unsupported) or {},
            "settings": seb_value(self.settings) or {},
        }

    def as_text(self) -> str:
        t = self.translation
        lines = [
            f"configuration: {self.source}",
            f"purpose: {'starts an exam' if t.starts_exam else 'configures the client only'}",
            f"start URL: {t.url or '(none)'}",
            f"Config Key: {self.config_key}",
            f"Browser Exam Key: {self.browser_exam_key}",
            f"applied ({len(t.applied)}):",
            *(f"  {key}: {what}" for key, what in sorted(t.applied.items())),
            f"unsupported ({len(t.unsupported)}):",
        ]
        shown = seb_value(t.unsupported) or {}
        lines += [
            f"  {key} = {json.dumps(value, ensure_ascii=False)}" for key, value in shown.items()
        ]
        lines += [
            "settings:",
            json.dumps(seb_value(self.settings) or {}, indent=2, ensure_ascii=False),
        ]
        return "\n".join(lines)


def read_source(source: str) -> tuple[str, bytes]:
    """The bytes of a .seb file or of what a seb(s):// link serves, and what they came from."""
    if source.partition(":")[0].lower() in LINK_SCHEMES:
        kind, url = link_url(source)
        if kind != "seb":
            raise UsageError(f"{source}: a {kind} link carries no configuration to inspect")
        fetched = fetch(url)
        if not fetched.is_configuration:
            raise SebFileError(
                f"{url} answers with a web page ({fetched.status} {fetched.content_type}), not "
                "a configuration: an LMS login, probably; inspect the file it downloads instead"
            )
        return fetched.url, fetched.body
    path = expanded(Path(source), source)
    return str(path), read_regular_file(path, MAX_BYTES, source)


def terminal_password(stdin: TextIO = sys.stdin) -> tuple[AskPassword, int]:
    """How to ask for a password, and how many tries: on the terminal three, from standard
    input (not a terminal) one line, once."""
    if stdin.isatty():

        def typed(left: int) -> str | None:
            more = "" if left == TRIES else f"(wrong; {left} tries left) "
            return getpass.getpass(PROMPT + more)

        return typed, TRIES

    def piped(left: int) -> str | None:
        line = stdin.readline()
        return line.rstrip("\r\n") if line else None

    return piped, 1


def inspect(source: str, ask: AskPassword, tries: int = TRIES) -> Inspection:
    shown, data = read_source(source)
    found = settings(data, ask, tries)
    key = config_key(found)
    translation = translate(found)
    return Inspection(
        source=shown,
        settings=found,
        config_key=key,
        browser_exam_key=browser_exam_key(key, translation.exam_key_salt),
        translation=translation,
    )
