"""A whole-screen capture that cannot be stored is evidence of its own (4012), never a crash,
and the switch away is still recorded. The failure is real: the evidence folder's place is
taken by a file, so the operating system refuses to create it."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.app import KioskApp
from kiosk.session.tracking import TrackingOptions
from tests.support.server import ReportServer

Factory = Callable[..., KioskApp]


def test_a_capture_that_cannot_be_written_is_4012(
    make_kiosk: Factory, server: ReportServer
) -> None:
    app = make_kiosk(server.url("plain.html"))
    app.lockdown.options = TrackingOptions(captureSwitchedTab=True)
    folder = app.evidence.folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")  # mkdir of the evidence folder now fails: ENOTDIR/EEXIST
    extra, errors = app.lockdown.switched_away()
    assert extra == {"screenshot": None}
    assert [e.code for e in errors] == [4012]
    assert "writing the capture failed" in errors[0].extra["cause"]
    assert errors[0].extra["duringMonitoring"] is True
    failed = [d for d in app.record.decisions() if d[1:3] == ("capture", "failed")]
    assert failed and failed[0][3]["code"] == 4012


def test_a_capture_that_works_is_a_private_jpeg_of_the_whole_screen(
    make_kiosk: Factory, server: ReportServer
) -> None:
    app = make_kiosk(server.url("plain.html"))
    app.lockdown.options = TrackingOptions(captureSwitchedTab=True)
    extra, errors = app.lockdown.switched_away()
    assert errors == []
    shot = extra["screenshot"]
    assert shot["kind"] == "5005-screen"
    from pathlib import Path

    path = Path(shot["path"])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes()[:2] == b"\xff\xd8"
