"""What makes a test fail although its assertions passed: the kiosk logged trouble.

A fail-safe callback turns an exception into a log line and carries on, as it must in a
lockdown browser; in a test that line is a failure. In-process tests fail on any record of
WARNING or above that they did not declare with ``@pytest.mark.expect_log(pattern, ...)``;
end-to-end tests fail when the kiosk's stderr holds a traceback or a fail-safe report that
they did not declare with ``KioskProcess.expect_stderr(pattern)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

import pytest

#: Records no test declares, because they are not the kiosk's: each says whose and why.
KNOWN_NOISE: tuple[tuple[str, str], ...] = (
    # (logger, message pattern)
)

#: A line of the kiosk's stderr that is always a failure unless the test expects it.
TROUBLE = re.compile(
    r"Traceback \(most recent call last\)|answered safely|unhandled exception|kiosk CRITICAL"
)


class Recorder(logging.Handler):
    """Keeps every record of WARNING or above, from any thread, while installed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def describe(record: logging.LogRecord) -> str:
    text = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
    return text


def unexpected(records: Iterable[logging.LogRecord], expected: Iterable[str]) -> list[str]:
    """The records neither the test (``expected``, regexes searched in "NAME: message") nor
    the known noise accounts for."""
    patterns = [re.compile(p) for p in expected]
    out = []
    for record in records:
        line = f"{record.name}: {record.getMessage()}"
        if any(p.search(line) for p in patterns):
            continue
        if any(record.name == name and re.search(pattern, line) for name, pattern in KNOWN_NOISE):
            continue
        out.append(describe(record))
    return out


def trouble_in(stderr: str, expected: Iterable[str] = ()) -> list[str]:
    """The lines of a kiosk's stderr that report trouble, less those the test expects."""
    patterns = [re.compile(p) for p in expected]
    lines = stderr.splitlines()
    found = []
    for i, line in enumerate(lines):
        if not TROUBLE.search(line):
            continue
        context = "\n".join(lines[max(0, i - 1) : i + 12])
        if any(p.search(context) for p in patterns):
            continue
        found.append(context)
    return found


@pytest.fixture(autouse=True)
def fail_on_logged_trouble(request: pytest.FixtureRequest) -> Iterator[None]:
    """Any WARNING or above logged during the test (a fail-safe callback's exception
    included) fails it, unless the test declares it: ``@pytest.mark.expect_log(regex)``."""
    recorder = Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield
    finally:
        root.removeHandler(recorder)
    expected = [p for mark in request.node.iter_markers("expect_log") for p in mark.args]
    found = unexpected(recorder.records, expected)
    if found:
        pytest.fail("logged without the test expecting it:\n  " + "\n  ".join(found))
