"""The real kiosk reporting to a real Ralph: a whole exam arrives exactly once; a kiosk killed
mid-exam with the LRS down leaves everything owed, and ``kiosk report flush`` delivers it with
the "ended abnormally" statement once the LRS is back."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.report.signing import SIGNATURE
from kiosk.report.statements import NS, SessionFacts
from tests.support.keyring_session import in_secret_service
from tests.support.lrs_proxy import FaultyDoor
from tests.support.lrs_server import PASSWORD, USER, Ralph, free_port
from tests.support.paths import REPO
from tests.support.process import KioskProcess, run_cli
from tests.support.server import ReportServer, event_names, events

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


def test_a_kiosk_killed_while_the_lrs_was_down_is_delivered_by_the_next_start(
    tmp_path: Path, kiosk: Start, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    """The LRS refuses the whole first exam (503), whose kiosk is then SIGKILLed; the next kiosk
    started on the same data folder, the LRS back, sends all of it, "ended abnormally" too."""
    door = FaultyDoor(ralph.url)
    try:
        door.failures += [(503, "1")] * 10_000
        config = str(_config(tmp_path, door.url))
        data = str(tmp_path / "shared-data")
        first = kiosk(
            server.exam_url(run_id, "setup,start"), "--config", config, "--data-dir", data
        )
        server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
        deadline = time.monotonic() + 20
        while "POST 503" not in door.seen:  # the reporter tried, and was refused
            assert time.monotonic() < deadline, door.seen
            time.sleep(0.1)
        folder = next((tmp_path / "shared-data" / "sessions").iterdir())
        first.signal(signal.SIGKILL)
        first.wait(15)
        registration, _ = _expected(folder)
        assert _stored(ralph, registration) == []
        door.failures.clear()  # the LRS is back
        later = run_id + "-later"
        second = kiosk(
            server.exam_url(later, "setup,start"), "--config", config, "--data-dir", data
        )
        deadline = time.monotonic() + 30
        registration, expected = _expected(folder)
        while sorted(_stored(ralph, registration)) != sorted(expected):
            assert time.monotonic() < deadline, (len(_stored(ralph, registration)), len(expected))
            time.sleep(0.2)
            registration, expected = _expected(folder)
        verbs = [s["verb"]["id"] for s in ralph.statements(registration)]
        assert NS + "verbs/ended-abnormally" in verbs
        server.wait_for(later, lambda r: "apMonitoringStarted" in event_names(r))
        second.signal(signal.SIGTERM)
        assert second.wait(20) == 0, second.stderr()
    finally:
        door.close()


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


def _intruder() -> subprocess.Popen[str]:
    """Another application's window: the kiosk loses the focus (5005) and takes it back."""
    proc = subprocess.Popen(
        [sys.executable, "tests/support/intruder.py"], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "shown"
    return proc


def _gone(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(10)
    if proc.stdout is not None:
        proc.stdout.close()


def _recorded(folder: Path) -> list[tuple[str, int | None, str]]:
    db = sqlite3.connect(folder / "record.sqlite3")
    try:
        return [(n, c, d) for n, c, d in db.execute("SELECT name, code, detail FROM events")]
    finally:
        db.close()


def test_a_full_disk_tells_the_page_sends_nothing_unrecorded_and_the_lrs_gets_the_record(
    tmp_path: Path, server: ReportServer, run_id: str, ralph: Ralph
) -> None:
    from kiosk.session.record import RESERVE_BYTES
    from tests.support.tmpfs import PAGE, fill, small_tmpfs

    config = str(_config(tmp_path, ralph.url))
    run = tmp_path / "run"
    run.mkdir()
    with small_tmpfs(run / "data", pages=RESERVE_BYTES // PAGE + 256) as disk:
        env = {**os.environ, "KIOSK_LOG_LEVEL": "INFO"}  # its stderr tells, should it fail
        proc = KioskProcess(
            run, server.exam_url(run_id, "setup,start"), "--config", config, env=env
        )
        proc.expect_stderr(
            r"is not sent to the page: the session record cannot be written",
            r"was not recorded: the session record cannot be written",
            r"reports are owed: the record cannot be marked",
        )
        try:
            server.wait_for(run_id, lambda r: "apMonitoringStarted" in event_names(r))
            folder = proc.session_folder()
            fill(disk, "filler")
            away = _intruder()  # recorded in the reserve's space, and the page told
            try:
                got = server.wait_for(run_id, lambda r: "apErrorEvent:4005" in event_names(r))
            finally:
                _gone(away)
            told = next(e for e in events(got) if e["detail"].get("errorCode") == 4005)
            assert told["detail"]["record"] is True, told
            assert "database or disk is full" in told["detail"]["cause"]
            server.wait_for(run_id, lambda r: "apEvidenceEvent:5006" in event_names(r))
            fill(disk, "filler2")  # the reserve is spent: now nothing can be recorded
            count = len(_recorded(folder))
            away = _intruder()
            deadline = time.monotonic() + 10
            while "is not sent to the page" not in proc.stderr():
                assert time.monotonic() < deadline, proc.stderr()
                time.sleep(0.1)
            _gone(away)
            (disk / "filler2").unlink()
            (disk / "filler").unlink()
            proc.signal(signal.SIGTERM)  # room again: the session's end is recorded and sent
            server.wait_for(run_id, lambda r: "apMonitoringStopped" in event_names(r))
            assert proc.wait(20) == 0, proc.stderr()
        finally:
            proc.kill()
        recorded = _recorded(folder)
        page = [e["detail"] for e in events(server.reports_of(run_id))]  # an alias's too
        in_record = [json.loads(d) for _, _, d in recorded]
        lacking = [p for p in page if p not in in_record]
        assert not lacking, ("the page has events the record lacks", lacking, in_record)
        assert count < len(recorded)
        flushed = run_cli("report", "flush", "--data-dir", str(run / "data"), "--config", config)
        assert flushed.returncode == 0, flushed.stderr
        registration, expected = _expected(folder)
        assert sorted(_stored(ralph, registration)) == sorted(expected)
