"""Errors that end the program with a documented exit code and one clear line."""

from __future__ import annotations

import re
import string


class KioskExit(Exception):
    """Ends the program with ``exit_code``; ``str(self)`` is the one line printed on stderr."""

    exit_code = 1


class UsageError(KioskExit):
    """Bad usage, bad URL, bad configuration file, unsafe engine settings."""

    exit_code = 2


class EngineStartError(KioskExit):
    """The web engine or the display could not start; the message says what to install or set."""

    exit_code = 3


#: A stretch of text no URL's user and password reach past (they end at the first of these).
_RUN = re.compile(r"[^\s/?#'\"]+")
_SCHEME_CHARS = frozenset(string.ascii_letters + string.digits + "+.-")
#: The longest error line: a message quoting what it refuses stays readable.
LINE_LIMIT = 400


def _after_scheme(text: str, start: int) -> bool:
    """``text[:start]`` ends as ``scheme:/`` (or ``scheme://``...) does."""
    i = start
    while i > 0 and text[i - 1] == "/":
        i -= 1
    return i < start and i >= 2 and text[i - 1] == ":" and text[i - 2] in _SCHEME_CHARS


def _scheme_colon(run: str, end: int) -> int | None:
    """The first ``:`` before ``end`` that ends a scheme (letters, digits, ``+.-``, a letter
    among them), as the ``http:`` of ``http:user:pw@host``."""
    letter = False
    for i, c in enumerate(run[:end]):
        if c == ":" and letter:
            return i
        letter = c in _SCHEME_CHARS and (letter or (c.isascii() and c.isalpha()))
    return None


def hide_credentials(text: str) -> str:
    """``http://student:pw@host/`` -> ``http://...@host/``, wherever URLs are in ``text``
    (``http:student:pw@host`` -> ``http:...@host``). One pass over the text: a pattern that
    tried every position as a scheme's start took 16 s on a 100 KB URL of one letter."""
    out: list[str] = []
    done = 0
    for run in _RUN.finditer(text):
        at = run.group().rfind("@")
        if at < 0:
            continue
        if _after_scheme(text, run.start()):
            hidden_from = run.start()  # all of "user:pw" in "http://user:pw@host"
        elif (colon := _scheme_colon(run.group(), at)) is not None:
            hidden_from = run.start() + colon + 1  # "pw" in "student:pw@host"
        else:
            continue  # "student@exam.org": an address, no password
        out += [text[done:hidden_from], "..."]
        done = run.start() + at
    return "".join([*out, text[done:]])


def one_line(message: str, limit: int = LINE_LIMIT) -> str:
    """The message as one printable line of at most ``limit`` characters, credentials hidden:
    what every error ends as, whatever the input it quotes held (a newline, a megabyte)."""
    text = hide_credentials(message)
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class DisplayLost(KioskExit):
    """The display connection was lost while the kiosk ran (the X server went away, or another
    X client killed the kiosk's connection): the session record is closed with the cause first.
    """

    exit_code = 4
