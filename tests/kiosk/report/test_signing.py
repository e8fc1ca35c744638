"""Signed statements: what a kiosk signed verifies from a real Ralph, and a forgery, an altered
statement or another key's signature does not."""

from __future__ import annotations

import copy
import os
import uuid
from pathlib import Path

import pytest

from kiosk.config.settings import ReportSettings
from kiosk.platform.errors import UsageError
from kiosk.report.command import verify
from kiosk.report.delivery import deliver
from kiosk.report.lrs import Lrs
from kiosk.report.outbox import Outbox
from kiosk.report.signing import SIGNATURE, Signer, check
from tests.kiosk.report.test_delivery import _record
from tests.support.lrs_server import PASSWORD, USER, Ralph, free_port

KEY = Signer.generate()
OTHER = Signer.generate()


def _statement(tmp_path: Path) -> dict[str, object]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    record = _record(tmp_path / "s")
    box = Outbox(record.folder)
    try:
        facts = box.facts()
        assert facts is not None
        return box.owed(facts, 1)[0].statement
    finally:
        box.close()


def test_a_signed_statement_checks_and_a_changed_one_does_not(tmp_path: Path) -> None:
    signed = KEY.sign(_statement(tmp_path))
    public = KEY.key.public_key()
    assert check(signed, public) is None
    assert KEY.sign(_statement(tmp_path / "again")) != signed  # another session, another id
    assert check({**signed, "stored": "x", "authority": {}, "version": "1.0.3"}, public) is None
    altered = copy.deepcopy(signed)
    altered["verb"]["id"] = "http://adlnet.gov/expapi/verbs/passed"  # type: ignore[index]
    assert check(altered, public) == "altered after it was signed"
    assert check(OTHER.sign(_statement(tmp_path / "o")), public) == (
        "its signature is not this installation's key's"
    )
    assert check(_statement(tmp_path / "u"), public) == "not signed"
    forged = copy.deepcopy(signed)
    forged["context"]["extensions"][SIGNATURE] = "a.b.c"  # type: ignore[index]
    assert check(forged, public) in ("its signature is not a JWS", "altered after it was signed")


def test_the_same_statement_signed_twice_is_the_same(tmp_path: Path) -> None:
    st = _statement(tmp_path)
    assert KEY.sign(st) == KEY.sign(st)  # so a resend stays one statement in the LRS
    assert Signer.from_pem(KEY.pem()).sign(st) == KEY.sign(st)


def _settings(tmp_path: Path, ralph: Ralph) -> ReportSettings:
    secret = tmp_path / "lrs.secret"
    secret.write_text(PASSWORD)
    os.chmod(secret, 0o600)
    return ReportSettings(lrs=ralph.url, username=USER, password_file=secret)


@pytest.mark.parametrize("crash_between", [False, True])
def test_a_session_verifies_from_the_lrs_and_a_forgery_is_found(
    tmp_path: Path, ralph: Ralph, crash_between: bool
) -> None:
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    record = _record(data / "sessions" / "20261203T100000Z-0000abcd")
    settings = _settings(tmp_path, ralph)
    lrs = Lrs.from_settings(settings)
    assert deliver(record.folder, lrs, batch=2, signer=KEY).owed == 0
    if crash_between:  # sent again, signed again: still one statement each
        record.db.execute("UPDATE outbox SET reported = NULL")
        assert deliver(record.folder, lrs, batch=50, signer=KEY).sent == 3
    public = KEY.key.public_key()
    code, lines = verify(data, settings, record.folder.name, public)
    assert (code, lines[0].split(" (")[0]) == (0, "3 of 3 statements verified")
    code, lines = verify(data, settings, record.folder.name, OTHER.key.public_key())
    assert code == 1 and lines[1].endswith("its signature is not this installation's key's")
    # Someone posts a statement into the session, signed with a key of their own.
    forged_id = str(uuid.uuid4())
    forged = OTHER.sign({**_statement(tmp_path / "f"), "id": forged_id})
    forged["context"]["registration"] = record.meta()["registration"]  # type: ignore[index]
    lrs.send([forged])
    code, lines = verify(data, settings, record.folder.name, public)
    assert code == 1
    assert f"statement {forged_id}: not one this kiosk recorded" in lines


def test_statements_missing_from_the_lrs_are_named(tmp_path: Path, ralph: Ralph) -> None:
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    record = _record(data / "sessions" / "20261203T100000Z-0000beef")
    settings = _settings(tmp_path, ralph)
    code, lines = verify(data, settings, record.folder.name, KEY.key.public_key())
    assert code == 1 and lines[0].startswith("0 of 3 statements verified")
    assert lines[1].startswith("3 recorded statements are not in the LRS: ['event/1'")


def test_verify_with_the_lrs_down_says_so(tmp_path: Path, ralph: Ralph) -> None:
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    record = _record(data / "sessions" / "20261203T100000Z-0000dead")
    down = ReportSettings(lrs=f"http://127.0.0.1:{free_port()}/xAPI/")
    code, lines = verify(data, down, record.folder.name, KEY.key.public_key())
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith(f"cannot verify {record.folder.name}: the LRS at http://127.0.0.1:")
    with pytest.raises(UsageError, match="no session nope in"):
        verify(data, down, "nope", KEY.key.public_key())
