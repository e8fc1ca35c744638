"""One kiosk per user: a second launch hands its TARGET to the running kiosk and exits 5.

The running kiosk holds an exclusive lock on ``instance.lock`` in the user's runtime folder
(``$XDG_RUNTIME_DIR/kiosk``, mode 0700) for as long as it lives, and listens on the local socket
``instance`` beside it (kiosk/launch/instance_server.py). A second ``kiosk run`` that cannot take
the lock sends its TARGET there, prints what the running kiosk answered and exits with
``HANDED_OVER``: during monitoring the running kiosk refuses to switch exams and records the
attempt; otherwise it opens the new exam. The lock, not the socket, says who runs: a socket a
killed kiosk left behind is removed by the next kiosk that takes the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.platform.errors import KioskExit, UsageError, one_line

HANDED_OVER = 5
#: How long a second launch waits for a kiosk that holds the lock but is still starting.
ANSWER_SECONDS = 15.0
MAX_LINE = 16384


class HandedOver(KioskExit):
    """Not an error: the running kiosk took the target, or refused it and said why."""

    exit_code = HANDED_OVER


@dataclass(frozen=True)
class Instance:
    """This process is the user's kiosk while it keeps ``lock_fd`` open."""

    lock_fd: int
    socket: Path

    def release(self) -> None:
        """When this process ends its last run (a test's in-process main() ends too)."""
        self.socket.unlink(missing_ok=True)
        os.close(self.lock_fd)


def folder() -> Path:
    """``$XDG_RUNTIME_DIR/kiosk``; where a session has none (a bare X server started by hand),
    a folder of this user's in the temporary folder, which ``claim`` checks is really theirs."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime else Path(tempfile.gettempdir()) / f"kiosk-{os.getuid()}"
    return base / "kiosk"


def claim(where: Path | None = None) -> Instance | None:
    """The lock, or None when another kiosk of this user holds it."""
    where = where or folder()
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if where.stat().st_uid != os.getuid():  # made by another user to catch our exams
            raise UsageError(f"the runtime folder {where} belongs to another user")
        os.chmod(where, 0o700)
        fd = os.open(where / "instance.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise UsageError(f"the runtime folder {where}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    path = where / "instance"
    path.unlink(missing_ok=True)  # a killed kiosk's
    return Instance(fd, path)


def hand_over(target: str, where: Path | None = None) -> HandedOver:
    """Sends ``target`` to the running kiosk; its answer, as the exit of this launch."""
    path = (where or folder()) / "instance"
    deadline = time.monotonic() + ANSWER_SECONDS
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(max(0.1, deadline - time.monotonic()))
                conn.connect(str(path))
                conn.sendall(json.dumps({"target": target}).encode() + b"\n")
                answer = json.loads(_line(conn))
            break
        except (FileNotFoundError, ConnectionRefusedError):  # it has the lock, not yet a socket
            if time.monotonic() > deadline:
                raise UsageError("a kiosk is running but does not answer") from None
            time.sleep(0.1)
        except (OSError, ValueError) as exc:
            raise UsageError(f"the running kiosk did not answer ({exc})") from None
    verb = "opens it" if answer.get("accepted") else "refused it"
    return HandedOver(f"a kiosk is already running: it {verb}: {one_line(str(answer.get('why')))}")


def _line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk or len(data) > MAX_LINE:
            raise ValueError("no whole answer")
        data += chunk
    return data
