"""Reading a file the user named: bounded, never blocking on a FIFO, never reading a device."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.platform.errors import UsageError
from kiosk.platform.files import read_regular_file
from tests.support.blocking import refusal_within


def test_a_regular_file_up_to_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"x" * 100_000)
    assert read_regular_file(path, 100_000, "config file") == b"x" * 100_000
    assert read_regular_file(tmp_path / "kiosk.toml", 200_000, "f") == b"x" * 100_000
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular_file(tmp_path / "empty", 10, "f") == b""


def test_one_byte_more_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"x" * (2**20 + 1))
    with pytest.raises(UsageError, match=r"^config file big.toml: larger than 1 MB"):
        read_regular_file(path, 2**20, "config file big.toml")


def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "kiosk.toml"
    os.mkfifo(fifo)
    message = refusal_within(2, lambda: read_regular_file(fifo, 1000, "f"), fifo)
    assert message == "f: cannot read it: it is a FIFO, not a regular file"


def test_a_link_to_a_fifo_is_refused_too(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "exam.seb").symlink_to(fifo)
    message = refusal_within(2, lambda: read_regular_file(tmp_path / "exam.seb", 1000, "f"), fifo)
    assert "it is a FIFO" in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_without_reading_it(device: str) -> None:
    message = refusal_within(2, lambda: read_regular_file(Path(device), 2**20, device))
    assert message == f"{device}: cannot read it: it is a device, not a regular file"


def test_a_folder_a_missing_file_and_a_bad_name(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="it is a folder, not a regular file"):
        read_regular_file(tmp_path, 10, "f")
    with pytest.raises(UsageError, match=r"^f: no such file$"):
        read_regular_file(tmp_path / "gone", 10, "f")
    with pytest.raises(UsageError, match=r"^f: not a valid file name$"):
        read_regular_file(Path("a\x00b"), 10, "f")
    with pytest.raises(UsageError, match=r"^f: cannot read it \(File name too long\)$"):
        read_regular_file(tmp_path / ("x" * 5000), 10, "f")


def test_an_os_error_says_why(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("")
    with pytest.raises(UsageError, match=r"^f: cannot read it \(Not a directory\)$"):
        read_regular_file(path / "inner", 10, "f")
