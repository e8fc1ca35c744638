"""The suite's strictness is itself tested: a test that logs trouble fails, one that says it
expects it passes, and a kiosk's traceback on stderr is found."""

from __future__ import annotations

import logging
import os
import textwrap

import pytest

from tests.support.paths import REPO
from tests.support.strict import trouble_in, unexpected

pytest_plugins = ["pytester"]


def record(name: str, level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


def test_an_undeclared_warning_is_unexpected_and_a_declared_one_is_not() -> None:
    warned = record("kiosk.app", logging.WARNING, "the exam page did not load: x")
    assert unexpected([warned], []) == ["WARNING kiosk.app: the exam page did not load: x"]
    assert unexpected([warned], [r"kiosk.app: the exam page did not load"]) == []
    assert unexpected([warned], [r"kiosk.bridge: .*"]) != []


def test_a_traceback_or_a_fail_safe_report_on_stderr_is_trouble() -> None:
    stderr = textwrap.dedent(
        """\
        kiosk WARNING kiosk.app: the exam page did not load: x
        kiosk ERROR kiosk.failsafe: KioskApp._tick failed; answered safely with None
        Traceback (most recent call last):
          File "kiosk/app.py", line 1, in _tick
        ValueError: bad
        """
    )
    found = trouble_in(stderr)
    assert len(found) == 2  # the report and its traceback
    assert "ValueError: bad" in found[1]
    assert trouble_in(stderr, [r"KioskApp._tick failed"]) == []
    assert trouble_in("kiosk WARNING kiosk.app: only a warning\n") == []


def test_the_fixture_fails_a_test_that_logs_trouble_and_passes_one_that_expects_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    pytester.makeconftest("from tests.support.strict import fail_on_logged_trouble  # noqa\n")
    pytester.makeini("[pytest]\nmarkers =\n    expect_log(*patterns): declared trouble\n")
    pytester.makepyfile(
        test_inner="""
        import logging
        import pytest

        def test_quiet():
            logging.getLogger("kiosk.x").info("fine")

        def test_swallowed():
            logging.getLogger("kiosk.failsafe").error("cb failed; answered safely with None")

        @pytest.mark.expect_log(r"kiosk.failsafe: cb failed")
        def test_declared():
            logging.getLogger("kiosk.failsafe").error("cb failed; answered safely with None")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_swallowed*"])
