"""The lock that makes one kiosk per user, and what a second launch reads of the answer."""

from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from kiosk.launch.single_instance import HANDED_OVER, claim, folder, hand_over
from kiosk.platform.errors import UsageError


def test_the_lock_is_one_kiosks_and_a_killed_ones_socket_goes(tmp_path: Path) -> None:
    where = tmp_path / "kiosk"
    first = claim(where)
    assert first is not None
    assert stat.S_IMODE(where.stat().st_mode) == 0o700
    assert claim(where) is None  # another open of the lock: taken
    first.release()
    (where / "instance").write_text("a killed kiosk's")
    again = claim(where)
    assert again is not None and not (where / "instance").exists()
    again.release()


def test_a_second_launch_says_what_the_running_kiosk_answered(tmp_path: Path) -> None:
    where = tmp_path / "kiosk"
    held = claim(where)
    assert held is not None
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(held.socket))
    server.listen(1)
    asked: list[str] = []

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            asked.append(json.loads(conn.makefile().readline())["target"])
            conn.sendall(b'{"accepted": false, "why": "an exam is being monitored"}\n')

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        outcome = hand_over("https://exam.example.org/2", where)
    finally:
        thread.join(10)
        server.close()
        held.release()
    assert asked == ["https://exam.example.org/2"]
    assert outcome.exit_code == HANDED_OVER == 5
    assert str(outcome) == "a kiosk is already running: it refused it: an exam is being monitored"


def test_without_a_runtime_folder_it_is_the_users_own_in_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bare X session started by hand has no XDG_RUNTIME_DIR: no warning, a folder of ours."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert folder() == tmp_path / f"kiosk-{os.getuid()}" / "kiosk"
    held = claim()
    assert held is not None and held.socket.parent == folder()
    held.release()


def test_a_runtime_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    where = tmp_path / "kiosk"
    where.mkdir()
    os.chown(where, 12345, 12345)  # the suite runs as root: as another user would have made it
    with pytest.raises(UsageError, match="belongs to another user"):
        claim(where)
