"""A real, tiny file system that fills up: a tmpfs mounted for one test (the suite runs as root).

tmpfs hands out whole pages (4 KB): ``almost_full`` leaves exactly ``room`` bytes free in the
last page of a file, so that the next writes to it fill the disk for real, mid-run.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PAGE = 4096


@contextmanager
def small_tmpfs(where: Path, pages: int = 2) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={pages * PAGE},mode=0700", "tmpfs", str(where)],
        check=True,
        capture_output=True,
    )
    try:
        yield where
    finally:
        # lazily: a program the test started and has not stopped yet (a failed test) may
        # still hold a file there; it goes when that program does
        subprocess.run(["umount", "--lazy", str(where)], check=True, capture_output=True)


def almost_full(disk: Path, name: str, room: int, pages: int = 2) -> Path:
    """``disk/name``, holding whole JSON lines (a previous run's) up to ``room`` bytes before
    its page ends, with every other page of the ``pages``-page disk taken by a filler file."""
    (disk / "filler").write_bytes(b"\0" * (PAGE * (pages - 1)))
    path = disk / name
    path.write_bytes(json_lines(PAGE - room))
    return path


_LINE = b'{"t":0,"event":"earlier","detail":{}}\n'
_LAST = b'{"t":0,"event":"earlier","detail":{"p":"%s"}}\n'


def json_lines(size: int) -> bytes:
    """JSON lines of exactly ``size`` bytes (at least 64)."""
    out = b""
    while size - len(out) > len(_LAST) + len(_LINE):
        out += _LINE
    return out + _LAST % (b"x" * (size - len(out) - len(_LAST) + 2))


def fill(disk: Path, name: str) -> None:
    """Takes every byte still free on ``disk`` with the file ``name`` (ENOSPC ends it)."""
    fd = os.open(disk / name, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * PAGE):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
