"""Errors that end the program with a documented exit code and one clear line."""

from __future__ import annotations

import re


class KioskExit(Exception):
    """Ends the program with ``exit_code``; ``str(self)`` is the one line printed on stderr."""

    exit_code = 1


class UsageError(KioskExit):
    """Bad usage, bad URL, bad configuration file, unsafe engine settings."""

    exit_code = 2


class EngineStartError(KioskExit):
    """The web engine or the display could not start; the message says what to install or set."""

    exit_code = 3


#: What sits between a URL's ``scheme://`` and an ``@``: a user and a password, never shown.
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:/*)[^\s/?#'\"]*@")
#: The longest error line: a message quoting what it refuses stays readable.
LINE_LIMIT = 400


def hide_credentials(text: str) -> str:
    """``http://student:pw@host/`` -> ``http://...@host/``, wherever URLs are in ``text``."""
    return _USERINFO.sub(r"\1...@", text)


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
