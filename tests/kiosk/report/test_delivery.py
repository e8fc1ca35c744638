"""The outbox delivered to a real Ralph: every recorded event and decision once, in order,
whatever the LRS does meanwhile (down, 500/503/429, hanging), and again safely after a crash
between sending and marking."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bridge.catalogue import CATALOGUE, lookup
from kiosk.config.settings import ReportSettings
from kiosk.platform.errors import UsageError
from kiosk.report.delivery import deliver
from kiosk.report.lrs import Lrs, read_password_file
from kiosk.report.outbox import Outbox
from kiosk.report.statements import ADL, NS, SessionFacts, mapping
from kiosk.session.record import SessionRecord
from tests.support.lrs_proxy import FaultyDoor
from tests.support.lrs_server import PASSWORD, USER, Ralph

EXAM = "https://exam.example.org/quiz/7?attempt=3#q2"


def _record(folder: Path, ids: dict[str, str] | None = None) -> SessionRecord:
    folder.mkdir()
    record = SessionRecord(folder)
    record.set_meta(url=EXAM, report_lrs="set")
    record.set_meta(ids=ids if ids is not None else {"testAttemptId": "attempt-3"})
    spec = lookup("apMonitoringStarted")
    record.append(1_764_000_000.0, spec.name, None, None, spec.detail(1_764_000_000_000))
    ev = lookup(5001)
    record.append(1_764_000_010.5, ev.name, 5001, None, ev.detail(1_764_000_010_500, a=1))
    record.note_decision(1_764_000_011.0, "new_window", "refused", {"url": "https://x.test/"})
    return record


def _lrs(url: str, timeout: float = 15.0) -> Lrs:
    return Lrs(url, USER, PASSWORD, timeout=timeout)


def _registration(record: SessionRecord) -> str:
    return str(record.meta()["registration"])


def _ids_of(record: SessionRecord) -> list[str]:
    with Outbox(record.folder) as box:
        facts = box.facts()
        assert facts is not None
        return [o.statement["id"] for o in box.owed(facts, 1000)]


def _held(ralph: Ralph, record: SessionRecord) -> list[str]:
    return [s["id"] for s in ralph.statements(_registration(record))]


def _lines_of(ralph: Ralph, record: SessionRecord) -> list[str]:
    reg = _registration(record)
    return [s["id"] for s in ralph.stored_lines() if s["context"]["registration"] == reg]


def test_every_event_and_decision_reaches_the_lrs_once(tmp_path: Path, ralph: Ralph) -> None:
    record = _record(tmp_path / "s")
    expected = _ids_of(record)
    done = deliver(record.folder, _lrs(ralph.url), batch=2)
    assert (done.sent, done.owed, done.error) == (3, 0, None)
    assert sorted(_held(ralph, record)) == sorted(expected)
    stored = {s["id"]: s for s in ralph.statements(_registration(record))}
    first, evidence, decision = (stored[i] for i in expected)
    assert first["verb"]["id"] == ADL + "initialized"
    home = "https://exam.example.org/"
    assert first["actor"]["account"] == {"homePage": home, "name": "attempt-3"}
    assert first["object"]["id"] == "https://exam.example.org/quiz/7"  # not the student's place
    assert evidence["verb"]["id"] == NS + "verbs/observed"
    assert evidence["result"]["extensions"][NS + "extensions/code"] == 5001
    assert evidence["result"]["extensions"][NS + "extensions/detail"]["a"] == 1
    assert evidence["timestamp"].startswith("2025-11-24T16:00:10.5")
    assert decision["verb"]["id"] == NS + "verbs/decided"
    # A crash after the LRS stored them but before the record said so: all sent again, kept once.
    record.db.execute("UPDATE outbox SET reported = NULL")
    again = deliver(record.folder, _lrs(ralph.url), batch=50)
    assert (again.sent, again.owed) == (3, 0)
    assert sorted(_lines_of(ralph, record)) == sorted(expected)
    # Half sent, half not: a batch of both stores only the new ones.
    ev = lookup(5002)
    record.append(1_764_000_020.0, ev.name, 5002, None, ev.detail(1_764_000_020_000))
    record.db.execute("UPDATE outbox SET reported = NULL WHERE n = 3")
    deliver(record.folder, _lrs(ralph.url), batch=50)
    assert sorted(_lines_of(ralph, record)) == sorted(_ids_of_all(record))


def _ids_of_all(record: SessionRecord) -> list[str]:
    box = Outbox(record.folder)
    try:
        facts = box.facts()
        assert facts is not None
        return [
            facts.statement_id(kind, seq)
            for kind, seq in record.db.execute("SELECT kind, seq FROM outbox ORDER BY n")
        ]
    finally:
        box.close()


def test_nothing_is_sent_before_the_page_says_who_the_student_is(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    record = SessionRecord(folder)
    record.set_meta(url=EXAM)
    spec = lookup("apMonitoringStarted")
    record.append(1.0, spec.name, None, None, spec.detail(1000))
    done = deliver(folder, _lrs("http://127.0.0.1:9/xAPI/"), batch=10)
    assert done.waiting and done.owed == 1 and done.error is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_lrs_down_keeps_everything_owed_until_it_is_back(tmp_path: Path, ralph: Ralph) -> None:
    record = _record(tmp_path / "s")
    down = deliver(record.folder, _lrs(f"http://127.0.0.1:{_closed_port()}/xAPI/"), batch=10)
    assert down.sent == 0 and down.owed == 3
    assert down.error is not None and "cannot be reached" in down.error
    back = deliver(record.folder, _lrs(ralph.url), batch=10)
    assert (back.sent, back.owed) == (3, 0)
    assert sorted(_lines_of(ralph, record)) == sorted(_ids_of_all(record))


@pytest.mark.parametrize(
    ("status", "retry", "waited"), [(503, "7", 7.0), (429, "2", 2.0), (500, None, None)]
)
def test_refusing_answers_are_retried_as_the_lrs_asks(
    tmp_path: Path, ralph: Ralph, status: int, retry: str | None, waited: float | None
) -> None:
    record = _record(tmp_path / "s")
    door = FaultyDoor(ralph.url)
    try:
        door.failures.append((status, retry))
        first = deliver(record.folder, _lrs(door.url), batch=2)
        assert first.sent == 0 and first.owed == 3 and first.retry_after == waited
        assert first.error is not None and f"answered {status}" in first.error
        second = deliver(record.folder, _lrs(door.url), batch=2)
        assert (second.sent, second.owed) == (3, 0)
        assert door.seen == [f"POST {status}", "POST 200", "POST 200"]
    finally:
        door.close()
    assert sorted(_lines_of(ralph, record)) == sorted(_ids_of_all(record))


def test_a_hanging_lrs_holds_nothing(tmp_path: Path, ralph: Ralph) -> None:
    record = _record(tmp_path / "s")
    door = FaultyDoor(ralph.url)
    try:
        door.hang.set()
        hung = deliver(record.folder, _lrs(door.url, timeout=1.0), batch=10)
        assert hung.sent == 0 and hung.owed == 3
        assert hung.error is not None and "timed out" in hung.error
        door.hang.clear()
        back = deliver(record.folder, _lrs(door.url), batch=10)
        assert (back.sent, back.owed) == (3, 0)
    finally:
        door.close()
    assert sorted(_lines_of(ralph, record)) == sorted(_ids_of_all(record))


@pytest.mark.expect_log(r"kiosk.report: s: the LRS refused the statements: 401")
def test_wrong_credentials_are_refused_and_nothing_is_marked(tmp_path: Path, ralph: Ralph) -> None:
    record = _record(tmp_path / "s")
    done = deliver(record.folder, Lrs(ralph.url, USER, "wrong"), batch=10)
    assert done.sent == 0 and done.owed == 3
    assert done.error is not None and "refused" in done.error and "401" in done.error


def test_statement_ids_are_the_same_whoever_builds_them(tmp_path: Path) -> None:
    record = _record(tmp_path / "s")
    assert _ids_of(record) == _ids_of(record)
    other = _record(tmp_path / "t")
    assert not set(_ids_of(record)) & set(_ids_of(other))


def test_a_session_without_ids_is_its_own_registration(tmp_path: Path) -> None:
    record = _record(tmp_path / "s", ids={})
    box = Outbox(record.folder)
    facts = box.facts()
    box.close()
    assert facts is not None
    assert facts.actor()["account"]["name"] == f"session:{_registration(record)}"


def test_every_catalogue_event_has_a_verb() -> None:
    verbs = dict((spec.key, verb) for spec, verb in mapping())
    assert len(verbs) == len(CATALOGUE)
    assert verbs["apMonitoringStopped"].iri == ADL + "terminated"
    assert verbs["kioskEndedAbnormally"].iri == NS + "verbs/ended-abnormally"


def test_a_record_older_than_reporting_is_derived_the_same_each_time() -> None:
    one = SessionFacts.from_meta("20260101T000000Z-abcd", {"url": EXAM})
    assert one.registration == SessionFacts.from_meta("20260101T000000Z-abcd", {}).registration


def test_the_password_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "lrs.secret"
    path.write_text("s3cret\n")
    os.chmod(path, 0o644)
    with pytest.raises(UsageError, match="mode 0o644 lets others read it; chmod 600"):
        read_password_file(path)
    os.chmod(path, 0o600)
    assert read_password_file(path) == "s3cret"


@pytest.mark.parametrize(
    ("given", "problem"),
    [("ftp://lrs.test/", "not an http"), ("https://lrs.test/x?y=1", "no query"), ("lrs", "not an")],
)
def test_a_bad_lrs_address_is_refused(given: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ReportSettings(lrs=given)
    assert ReportSettings(lrs="https://lrs.test/xAPI").lrs == "https://lrs.test/xAPI/"


def test_the_xapi_doc_is_generated_from_the_mapping() -> None:
    from kiosk.report import docs
    from tests.support.paths import REPO

    on_disk = (REPO / "docs/xapi.md").read_text(encoding="utf-8")
    assert on_disk == docs.render(), "docs/xapi.md is stale: run `make docs` and commit it"
