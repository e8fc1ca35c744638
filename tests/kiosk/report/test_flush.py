"""`kiosk report flush` sends each session to the LRS it ran with: by the configuration when it
names that LRS, else by the settings the session's record kept (an exam a .seb configured),
and says which sessions it cannot send."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.config.settings import ReportSettings
from kiosk.report.command import flush
from tests.kiosk.report.test_delivery import _record, _registration
from tests.support.lrs_server import PASSWORD, USER, Ralph


@pytest.mark.expect_log(r"kiosk.report: statements are sent unsigned: no keyring")
def test_a_session_goes_by_the_settings_it_ran_with(tmp_path: Path, ralph: Ralph) -> None:
    secret = tmp_path / "lrs.secret"
    secret.write_text(PASSWORD + "\n")
    os.chmod(secret, 0o600)
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    from_seb = _record(data / "sessions" / "a-from-seb")
    kept = {"lrs": ralph.url, "username": USER, "password_file": str(secret), "batch": 2}
    from_seb.set_meta(report_lrs=ralph.url, report=kept)
    from_seb.end_unmonitored(1_764_000_100.0, "quit")
    elsewhere = _record(data / "sessions" / "b-elsewhere")
    elsewhere.set_meta(report_lrs="https://gone.example.org/xAPI/")
    elsewhere.end_unmonitored(1_764_000_100.0, "quit")
    code, lines = flush(data, ReportSettings())  # no configuration names either LRS
    assert code == 1, lines
    assert "a-from-seb: sent 3 statements" in lines
    assert any(
        line.startswith("b-elsewhere: ran with the LRS https://gone.example.org/xAPI/")
        for line in lines
    ), lines
    assert len(ralph.statements(_registration(from_seb))) == 3
    assert ralph.statements(_registration(elsewhere)) == []
    assert lines[-1] == "3 statements are still owed: no settings for every session's LRS"
