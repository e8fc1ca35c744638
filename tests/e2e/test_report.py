"""The real kiosk reporting to a real Ralph: a whole exam arrives exactly once; a kiosk killed
mid-exam with the LRS down leaves everything owed, and ``kiosk report flush`` delivers it with
the "ended abnormally" statement once the LRS is back."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.report.signing import SIGNATURE
from kiosk.report.statements import NS, SessionFacts
from tests.support.keyring_session import in_secret_service
from tests.support.lrs_proxy import FaultyDoor
from tests.support.lrs_server import PASSWORD, USER, Ralph, free_port
from tests.support.process import KioskProcess, run_cli
from tests.support.server import ReportServer, event_names

Start = Callable[..., KioskProcess]


def _config(tmp_path: Path, lrs: str) -> Path:
    secret = tmp_path / "lrs.secret"
    secret.write_text(PASSWORD + "\n")
    os.chmod(secret, 0o600)
    path = tmp_path / "report.toml"
    path.write_text(f'[report]\nlrs = "{lrs}"\nusername = "{USER}"\npassword_file = "{secret}"\n')
    return path


def _expected(folder: Path) -> tuple[str, list[str]]:
    """The session's registration and the id of every statement its record holds."""
    db = sqlite3.connect(folder / "record.sqlite3")
    try:
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        facts = SessionFacts.from_meta(folder.name, meta)
        rows = db.execute("SELECT kind, seq FROM outbox ORDER BY n").fetchall()
    finally:
        db.close()
    return facts.registration, [facts.statement_id(kind, seq) for kind, seq in rows]


def _stored(ralph: Ralph, registration: str) -> list[str]:
    return [s["id"] for s in ralph.stored_lines() if s["context"]["registration"] == registration]


def test_a_whole_exam_reaches_the_lrs_exactly_once(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    config = _config(tmp_path, ralph.url)
    proc = kiosk(server.exam_url(run_id, "setup,start"), "--config", str(config))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    folder = proc.session_folder()
    registration, _ = _expected(folder)
    # While the exam runs: what is recorded arrives (the reporter does not wait for the end).
    deadline = time.monotonic() + 20
    while not _stored(ralph, registration):
        assert time.monotonic() < deadline, "nothing reached the LRS during the exam"
        time.sleep(0.2)
    proc.signal(signal.SIGTERM)
    assert proc.wait(20) == 0, proc.stderr()
    registration, expected = _expected(folder)
    stored = _stored(ralph, registration)
    assert sorted(stored) == sorted(expected)  # every one, none twice
    verbs = [s["verb"]["id"] for s in ralph.statements(registration)]
    assert "http://adlnet.gov/expapi/verbs/terminated" in verbs
    listed = run_cli("sessions", "--data-dir", str(proc.data_dir), "--config", str(config))
    assert f"{folder.name}" in listed.stdout and f"{len(expected)} delivered" in listed.stdout


def test_a_killed_kiosk_with_the_lrs_down_is_delivered_by_flush(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    down = f"http://127.0.0.1:{free_port()}/xAPI/"
    proc = kiosk(server.exam_url(run_id, "setup,start"), "--config", str(_config(tmp_path, down)))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    folder = proc.session_folder()
    proc.signal(signal.SIGKILL)
    proc.wait(15)
    data = str(proc.data_dir)
    still_down = run_cli(
        "report", "flush", "--data-dir", data, "--config", str(tmp_path / "report.toml")
    )
    assert still_down.returncode == 1
    assert "statements are still owed" in still_down.stderr
    assert "cannot be reached" in still_down.stderr
    registration, expected = _expected(folder)
    assert _stored(ralph, registration) == []
    back = tmp_path / "back"
    back.mkdir()
    config = str(_config(back, ralph.url))
    flushed = run_cli("report", "flush", "--data-dir", data, "--config", config)
    assert flushed.returncode == 0, flushed.stderr
    assert "nothing is owed" in flushed.stdout
    registration, expected = _expected(folder)
    assert sorted(_stored(ralph, registration)) == sorted(expected)
    last = ralph.statements(registration)
    assert NS + "verbs/ended-abnormally" in [s["verb"]["id"] for s in last]
    again = run_cli("report", "flush", "--data-dir", data, "--config", config)
    assert again.returncode == 0
    assert sorted(_stored(ralph, registration)) == sorted(expected)


def test_flushed_statements_are_signed_with_the_keyring_key_and_verify(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    """No keyring in the exam's session: its kiosk sends nothing (the LRS is down) and would
    sign nothing; ``flush`` in a session with a real Secret Service signs every statement with
    the installation's key, and ``verify`` finds all of them there, signed and unaltered."""
    down = f"http://127.0.0.1:{free_port()}/xAPI/"
    proc = kiosk(server.exam_url(run_id, "setup,start"), "--config", str(_config(tmp_path, down)))
    server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
    folder = proc.session_folder()
    proc.signal(signal.SIGTERM)
    assert proc.wait(20) == 0, proc.stderr()
    back = tmp_path / "back"
    back.mkdir()
    where = ["--data-dir", str(proc.data_dir), "--config", str(_config(back, ralph.url))]
    got = in_secret_service(tmp_path / "home", [
        {"argv": ["report", "flush", *where]},
        {"argv": ["report", "verify", folder.name, *where]},
    ])  # fmt: skip
    assert got[0]["rc"] == 0, got[0]
    registration, expected = _expected(folder)
    assert got[1]["rc"] == 0, got[1]
    assert got[1]["out"] == (
        f"{len(expected)} of {len(expected)} statements verified (registration {registration})"
    )
    stored = ralph.statements(registration)
    assert all(SIGNATURE in s["context"]["extensions"] for s in stored)


def test_refusing_answers_during_the_exam_delay_nothing_and_lose_nothing(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    door = FaultyDoor(ralph.url)
    try:
        door.failures += [(503, "1"), (429, "1"), (500, None)]
        proc = kiosk(
            server.exam_url(run_id, "setup,start"), "--config", str(_config(tmp_path, door.url))
        )
        server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
        folder = proc.session_folder()
        registration, _ = _expected(folder)
        deadline = time.monotonic() + 30
        while not _stored(ralph, registration):  # through the three refusals, during the exam
            assert time.monotonic() < deadline, door.seen
            time.sleep(0.2)
        proc.signal(signal.SIGTERM)
        assert proc.wait(20) == 0, proc.stderr()
    finally:
        door.close()
    assert door.seen[:3] == ["POST 503", "POST 429", "POST 500"]
    registration, expected = _expected(folder)
    assert sorted(_stored(ralph, registration)) == sorted(expected)


def test_a_hanging_lrs_does_not_hold_the_kiosk_and_flush_delivers_after(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    door = FaultyDoor(ralph.url)
    try:
        door.hang.set()
        config = str(_config(tmp_path, door.url))
        proc = kiosk(server.exam_url(run_id, "setup,start"), "--config", config)
        server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
        folder = proc.session_folder()
        deadline = time.monotonic() + 20
        while "POST hung" not in door.seen:  # the reporter's request is being held
            assert time.monotonic() < deadline, door.seen
            time.sleep(0.1)
        began = time.monotonic()
        proc.signal(signal.SIGTERM)
        assert proc.wait(20) == 0, proc.stderr()
        quit_took = time.monotonic() - began
        registration, expected = _expected(folder)
        assert _stored(ralph, registration) == []
        door.hang.clear()
        door.released.set()
        flushed = run_cli("report", "flush", "--data-dir", str(proc.data_dir), "--config", config)
        assert flushed.returncode == 0, flushed.stderr
    finally:
        door.close()
    assert quit_took < 12  # the 5 s grace, not the 15 s the hung request could take
    registration, expected = _expected(folder)
    assert sorted(_stored(ralph, registration)) == sorted(expected)
