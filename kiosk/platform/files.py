"""Reading a small file the user named (a configuration, a .seb): bounded, and never blocking.

A path on the command line can name anything: a FIFO nobody writes (a plain ``open`` waits
forever), ``/dev/zero`` (``read()`` fills memory), a 10 GB file. The file is opened without
blocking, checked to be a regular file *after* it is open (so a swap between a check and the
open cannot fool it) and read to at most ``limit + 1`` bytes. Every refusal is a UsageError,
one line naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.platform.errors import UsageError

_READ_CHUNK = 1 << 16


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, to say so: "it is a FIFO, " (or "")."""
    if stat.S_ISDIR(mode):
        return "it is a folder, "
    if stat.S_ISFIFO(mode):
        return "it is a FIFO, "
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, "
    return ""


def expanded(path: Path, what: str) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded; ``what`` starts the error line."""
    try:
        return path.expanduser()
    except RuntimeError:  # ~somebody who is not a user here
        raise UsageError(f"{what}: no such user's home folder") from None


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; ``what`` starts each
    error line ("config file /x/kiosk.toml")."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UsageError(f"{what}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{what}: cannot read it ({exc.strerror})") from None
    except ValueError:  # a NUL in the name
        raise UsageError(f"{what}: not a valid file name") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"{what}: cannot read it: {file_kind(mode)}not a regular file")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise UsageError(f"{what}: cannot read it ({exc.strerror})") from None
    finally:
        os.close(fd)
    if got > limit:
        raise UsageError(f"{what}: larger than {_size(limit)}, more than such a file ever holds")
    return b"".join(chunks)
