"""Runs the real ``kiosk`` program as a subprocess, the way a launcher or an LMS would."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.paths import REPO
from tests.support.strict import trouble_in


def kiosk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Runs ``kiosk ARGS`` to the end (``stdin`` its standard input, not a terminal); a
    traceback or fail-safe report on its stderr fails."""
    done = subprocess.run(
        kiosk_command(*args),
        cwd=REPO,
        env=env if env is not None else dict(os.environ),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    found = trouble_in(done.stderr)
    assert not found, "the kiosk reported trouble:\n" + "\n".join(found)
    return done


def run_json(*argv: str, env: dict[str, str] | None = None, timeout: float = 60) -> Any:
    """Runs ``python ARGV`` in the checkout (a scenario or probe of tests/support); the JSON
    object its last line of output prints. A failing run fails the test, with its stderr."""
    done = subprocess.run(
        [sys.executable, *argv],
        cwd=REPO,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _has_schema(path: Path) -> bool:
    db = sqlite3.connect(path)
    try:
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError:  # being written this instant
        return False
    finally:
        db.close()
    return {"meta", "events", "decisions"} <= names


class KioskProcess:
    def __init__(
        self,
        tmp: Path,
        url: str,
        *extra: str,
        env: dict[str, str] | None = None,
        runtime: Path | None = None,
    ) -> None:
        """``runtime``: the user's runtime folder, where a kiosk finds another one running
        (kiosk/launch/single_instance.py); by default one of its own, so that the suite's
        kiosks, which often overlap, are each the only one."""
        self.tmp = tmp
        if runtime is None:
            runtime = tmp / "runtime"
            runtime.mkdir(mode=0o700, exist_ok=True)
        env = {**(env if env is not None else os.environ), "XDG_RUNTIME_DIR": str(runtime)}
        self.data_dir = tmp / "data"
        self.event_log = tmp / "events.jsonl"
        self.stderr_path = tmp / "kiosk.stderr"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(
            kiosk_command(
                "run", url, "--data-dir", str(self.data_dir), "--event-log", str(self.event_log),
                *extra,
            ),
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )  # fmt: skip
        self._expected: list[str] = []

    def expect_stderr(self, *patterns: str) -> None:
        """Trouble on stderr this test causes on purpose (regexes, searched around the line)."""
        self._expected.extend(patterns)

    def trouble(self) -> list[str]:
        """Tracebacks and fail-safe reports on the kiosk's stderr that the test did not expect."""
        return trouble_in(self.stderr(), self._expected)

    def assert_clean(self) -> None:
        found = self.trouble()
        assert not found, "the kiosk reported trouble:\n" + "\n\n".join(found)

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 30) -> int:
        """Waits for the exit code; fails (with the kiosk's stderr) if it takes longer."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"kiosk did not exit within {timeout}s; stderr:\n{self.stderr()}"
            ) from None

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._stderr.close()

    def session_folder(self, timeout: float = 15) -> Path:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = list((self.data_dir / "sessions").glob("*/record.sqlite3"))
            if found:
                assert len(found) == 1, found
                if _has_schema(found[0]):  # the file exists a moment before its tables do
                    return found[0].parent
            time.sleep(0.05)
        raise AssertionError(f"no session folder appeared; stderr:\n{self.stderr()}")

    def record(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The events and the meta of the session record, read with a fresh connection."""
        db = sqlite3.connect(self.session_folder() / "record.sqlite3")
        try:
            rows = db.execute(
                "SELECT seq, t, name, code, detail, dispatched FROM events ORDER BY seq"
            ).fetchall()
            meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        finally:
            db.close()
        events = [
            {"seq": s, "t": t, "name": n, "code": c, "detail": json.loads(d), "dispatched": x}
            for s, t, n, c, d, x in rows
        ]
        return events, meta

    def decisions(self) -> list[tuple[str, str, dict[str, Any]]]:
        """The policy decisions in the session record: (policy, decision, detail)."""
        db = sqlite3.connect(self.session_folder() / "record.sqlite3")
        try:
            rows = db.execute("SELECT policy, decision, detail FROM decisions ORDER BY seq")
            return [(p, d, json.loads(x)) for p, d, x in rows.fetchall()]
        finally:
            db.close()

    def logged_events(self) -> list[dict[str, Any]]:
        if not self.event_log.exists():
            return []
        return [json.loads(line) for line in self.event_log.read_text().splitlines()]
