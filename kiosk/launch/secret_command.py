"""``kiosk secret set|delete|list``: the credentials the kiosk keeps in the OS keyring.

``set`` reads the value from a prompt on the terminal (asked twice), or the first line of
standard input when that is not a terminal (a deployment script); it is never an argument,
where other users would see it in the process list.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from kiosk.platform import secrets
from kiosk.platform.errors import UsageError


def _value(stdin: TextIO) -> str:
    if stdin.isatty():
        value = getpass.getpass("secret value: ")
        if getpass.getpass("the same again: ") != value:
            raise UsageError("the two values differ: nothing was stored")
    else:
        value = stdin.readline().rstrip("\r\n")
    if not value:
        raise UsageError("an empty value: nothing was stored")
    return value


def run(command: str, name: str | None, stdin: TextIO = sys.stdin) -> str:
    """What to print; a problem is a KioskExit."""
    if command == "list":
        found = secrets.names()
        return "\n".join(found) if found else "(no secrets)"
    assert name is not None
    secrets.check_name(name)
    if command == "set":
        secrets.put(name, _value(stdin))
        return f"stored {name} in the keyring"
    if not secrets.delete(name):
        raise UsageError(f"no secret named {name}")
    return f"deleted {name}"
